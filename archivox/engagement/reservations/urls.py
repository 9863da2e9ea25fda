"""Public pages, mounted at /archives/<slug>/reservations/."""

from django.urls import path  # noqa: F401

app_name = "reservations"
urlpatterns: list = []
