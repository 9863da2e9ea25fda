"""Atom and RSS feeds of an archive's published posts, mounted at /feeds/."""

from django.urls import path

from archivox.publishing.feeds import AtomFeed, RssFeed

app_name = "feeds"
urlpatterns = [
    path("<slug:slug>/atom.xml", AtomFeed(), name="atom"),
    path("<slug:slug>/rss.xml", RssFeed(), name="rss"),
]
