"""The union catalog on the portal, mounted at /union/."""

from django.urls import path

from archivox.harvesting import views

app_name = "union"
urlpatterns = [path("", views.union_search, name="search")]
