"""Staff pages of the consultation inbox and auto-replies, mounted at /console/inbox/."""

from django.urls import path

from archivox.consultations import console_views

app_name = "console_inbox"
urlpatterns = [
    path("", console_views.index, name="index"),
    path("overdue/", console_views.overdue, name="overdue"),
    path("<int:pk>/", console_views.consultation, name="consultation"),
    path("rules/<slug:slug>/", console_views.rules, name="rules"),
]
