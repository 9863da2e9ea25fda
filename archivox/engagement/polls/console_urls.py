"""Staff pages, mounted at /console/polls/."""

from django.urls import path

from archivox.engagement.polls import console_views

app_name = "console_polls"
urlpatterns = [
    path("", console_views.index, name="index"),
]
