"""Staff pages, mounted at /console/publishing/."""

from django.urls import path

from archivox.publishing import console_views

app_name = "console_publishing"
urlpatterns = [
    path("", console_views.index, name="index"),
]
