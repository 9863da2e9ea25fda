"""Public pages, mounted at /archives/<slug>/current-documents/."""

from django.urls import path

from archivox.current_documents import views

app_name = "current_documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("atom.xml", views.AtomFeed(), name="atom"),
    path("rss.xml", views.RssFeed(), name="rss"),
    path("<int:pk>/", views.detail, name="detail"),
]
