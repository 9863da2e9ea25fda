"""Staff pages of the consultation inbox and auto-replies, mounted at /console/inbox/."""

from django.urls import path

from archivox.engagement import console_views

app_name = "console_inbox"
urlpatterns = [
    path("", console_views.index, name="index"),
]
