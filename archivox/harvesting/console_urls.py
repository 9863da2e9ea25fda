"""Staff pages of harvesting, mounted at /console/harvesting/."""

from django.urls import path

from archivox.harvesting import console_views

app_name = "console_harvesting"
urlpatterns = [
    path("", console_views.index, name="index"),
    path("repositories/<int:pk>/harvest/", console_views.harvest, name="harvest"),
    path("repositories/<int:pk>/delete/", console_views.repository_delete, name="delete"),
    path("runs/<int:pk>/", console_views.run_detail, name="run"),
    path("shared/<int:pk>/delete/", console_views.shared_delete, name="shared_delete"),
]
