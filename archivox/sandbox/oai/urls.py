"""The demo OAI-PMH repositories, at /sandbox/oai/<name>/ (see views)."""

from django.urls import path

from archivox.sandbox.oai import views

app_name = "oai"
urlpatterns = [
    path("<slug:name>/oai", views.oai, name="oai"),
    path("<slug:name>/records/<path:code>", views.record, name="record"),
]
