"""Staff pages, mounted at /console/reservations/."""

from django.urls import path

from archivox.reservations import console_views

app_name = "console_reservations"
urlpatterns = [
    path("", console_views.index, name="index"),
    path("<slug:slug>/", console_views.day, name="day"),
    path("<slug:slug>/check-in/<int:pk>/", console_views.check_in, name="check_in"),
    path("<slug:slug>/cancel/<int:pk>/", console_views.cancel, name="cancel"),
    path("<slug:slug>/resources/", console_views.resources, name="resources"),
    path("<slug:slug>/resources/<slug:resource>/", console_views.resource, name="resource"),
]
