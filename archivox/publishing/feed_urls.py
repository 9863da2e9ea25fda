"""Atom and RSS feeds of an archive's published posts, mounted at /feeds/."""

from django.urls import path  # noqa: F401

app_name = "feeds"
urlpatterns: list = []
