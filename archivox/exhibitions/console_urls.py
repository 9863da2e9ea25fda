"""Staff pages, mounted at /console/exhibitions/."""

from django.urls import path

from archivox.exhibitions import console_views

app_name = "console_exhibitions"
urlpatterns = [
    path("", console_views.index, name="index"),
    path("<slug:slug>/", console_views.archive_list, name="list"),
    path("<slug:slug>/exhibitions/<int:pk>/", console_views.exhibition_edit, name="exhibition"),
    path("<slug:slug>/events/<int:pk>/", console_views.event_edit, name="event"),
]
