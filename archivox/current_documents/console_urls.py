"""Staff pages, mounted at /console/current-documents/."""

from django.urls import path

from archivox.current_documents import console_views

app_name = "console_current_documents"
urlpatterns = [
    path("", console_views.index, name="index"),
    path("<slug:slug>/", console_views.document_list, name="list"),
    path("<slug:slug>/<int:pk>/", console_views.detail, name="detail"),
    path("<slug:slug>/<int:pk>/publish/", console_views.publish, name="publish"),
    path("<slug:slug>/<int:pk>/change/", console_views.change, name="change"),
]
