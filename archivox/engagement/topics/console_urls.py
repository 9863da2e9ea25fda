"""Staff pages, mounted at /console/topics/."""

from django.urls import path

from archivox.engagement.topics import console_views

app_name = "console_topics"
urlpatterns = [
    path("", console_views.index, name="index"),
]
