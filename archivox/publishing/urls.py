"""Public pages, mounted at /archives/<slug>/posts/."""

from django.urls import path  # noqa: F401

app_name = "posts"
urlpatterns: list = []
