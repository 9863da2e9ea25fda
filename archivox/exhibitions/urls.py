"""Public pages, mounted at /archives/<slug>/exhibitions/."""

from django.urls import path

from archivox.exhibitions import views

app_name = "exhibitions"
urlpatterns = [
    path("", views.index, name="index"),
    path("events/<slug:event>/", views.event_detail, name="event"),
    path("<slug:exhibition>/", views.exhibition_detail, name="detail"),
]
