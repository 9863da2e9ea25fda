"""Staff pages, mounted at /console/reservations/."""

from django.urls import path

from archivox.engagement.reservations import console_views

app_name = "console_reservations"
urlpatterns = [
    path("", console_views.index, name="index"),
]
