"""Public pages of the inbox (the "ask the archive" form), mounted at /archives/<slug>/ask/."""

from django.urls import path  # noqa: F401

app_name = "ask"
urlpatterns: list = []
