"""Staff pages, mounted at /console/exhibitions/."""

from django.urls import path

from archivox.engagement.exhibitions import console_views

app_name = "console_exhibitions"
urlpatterns = [
    path("", console_views.index, name="index"),
]
