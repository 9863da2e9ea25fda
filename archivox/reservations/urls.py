"""Public pages, mounted at /archives/<slug>/reservations/."""

from django.urls import path

from archivox.reservations import views

app_name = "reservations"
urlpatterns = [
    path("", views.index, name="index"),
    path("my/", views.manage, name="manage"),
    path("done/", views.done, name="done"),
    path("feedback/<str:token>/", views.feedback, name="feedback"),
    path("<slug:resource>/", views.resource_slots, name="resource"),
    path("<slug:resource>/book/<int:slot_id>/", views.book, name="book"),
]
