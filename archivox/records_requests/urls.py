"""Public pages, mounted at /archives/<slug>/records/ (and /verify/<code> in the project)."""

from django.urls import path

from archivox.records_requests import views

app_name = "records"
urlpatterns = [
    path("", views.index, name="index"),
    path("apply/", views.apply, name="apply"),
    path("track/", views.track, name="track"),
    path("r/<str:code>/", views.status, name="status"),
    path("r/<str:code>/copy/<int:pk>/", views.copy_download, name="copy"),
]
