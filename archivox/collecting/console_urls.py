"""Staff pages, mounted at /console/collecting/."""

from django.urls import path

from archivox.collecting import console_views

app_name = "console_collecting"
urlpatterns = [
    path("", console_views.index, name="index"),
    path("<slug:slug>/", console_views.offers, name="offers"),
    path("<slug:slug>/campaigns/new/", console_views.campaign_edit, name="campaign_new"),
    path("<slug:slug>/campaigns/<int:pk>/", console_views.campaign_edit, name="campaign_edit"),
    path("<slug:slug>/offers/<int:pk>/", console_views.offer, name="offer"),
    path("<slug:slug>/offers/<int:pk>/decide/", console_views.decide, name="decide"),
    path("<slug:slug>/offers/<int:pk>/accession/", console_views.accession, name="accession"),
    path("<slug:slug>/offers/<int:pk>/deed.pdf", console_views.deed, name="deed"),
    path("<slug:slug>/files/<int:pk>/", console_views.offer_file, name="file"),
]
