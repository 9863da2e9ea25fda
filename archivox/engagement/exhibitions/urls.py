"""Public pages, mounted at /archives/<slug>/exhibitions/."""

from django.urls import path  # noqa: F401

app_name = "exhibitions"
urlpatterns: list = []
