"""Public pages, mounted at /archives/<slug>/topics/."""

from django.urls import path  # noqa: F401

app_name = "topics"
urlpatterns: list = []
