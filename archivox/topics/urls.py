"""Public pages, mounted at /archives/<slug>/topics/."""

from django.urls import path

from archivox.topics import views

app_name = "topics"
urlpatterns = [
    path("", views.topic_index, name="index"),
    path("<slug:topic>/", views.topic_detail, name="detail"),
]
