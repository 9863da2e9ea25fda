"""Public pages, mounted at /archives/<slug>/polls/."""

from django.urls import path

from archivox.polls import views

app_name = "polls"
urlpatterns = [
    path("", views.poll_index, name="index"),
    path("<slug:poll>/", views.poll_detail, name="detail"),
    path("<slug:poll>/results/", views.poll_results, name="results"),
]
