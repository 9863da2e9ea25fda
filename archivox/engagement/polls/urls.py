"""Public pages, mounted at /archives/<slug>/polls/."""

from django.urls import path  # noqa: F401

app_name = "polls"
urlpatterns: list = []
