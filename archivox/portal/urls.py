from django.urls import path

from archivox.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("archives/<slug:slug>/", views.archive_home, name="archive"),
]
