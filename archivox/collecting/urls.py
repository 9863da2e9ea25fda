"""Public pages, mounted at /archives/<slug>/collecting/."""

from django.urls import path

from archivox.collecting import views

app_name = "collecting"
urlpatterns = [
    path("", views.index, name="index"),
    path("offers/<str:token>/", views.offer, name="offer"),
    path("<slug:campaign>/", views.campaign, name="campaign"),
]
