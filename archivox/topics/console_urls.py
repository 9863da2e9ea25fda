"""Staff pages, mounted at /console/topics/."""

from django.urls import path

from archivox.topics import console_views

app_name = "console_topics"
urlpatterns = [
    path("", console_views.index, name="index"),
    path("<int:pk>/", console_views.topic_detail, name="detail"),
    path("comments/<int:pk>/", console_views.comment_moderate, name="moderate"),
]
