"""Public pages of the inbox (the "ask the archive" form), mounted at /archives/<slug>/ask/."""

from django.urls import path

from archivox.consultations.views import ask

app_name = "ask"
urlpatterns = [
    path("", ask.ask, name="ask"),
    path("c/<str:token>/", ask.private, name="private"),
]
