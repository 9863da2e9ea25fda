"""Staff pages, mounted at /console/publishing/."""

from django.urls import path

from archivox.publishing import console_cover_views as cover_views
from archivox.publishing import console_views as views

app_name = "console_publishing"
urlpatterns = [
    path("", views.index, name="index"),
    path("archives/<slug:slug>/new/", views.compose, name="new"),
    path("archives/<slug:slug>/posts/<int:pk>/edit/", views.compose, name="edit"),
    path("archives/<slug:slug>/items/", views.item_picker, name="item_picker"),
    path("archives/<slug:slug>/calendar/", views.calendar_view, name="calendar"),
    path("archives/<slug:slug>/deliveries/", views.deliveries_view, name="deliveries"),
    path("archives/<slug:slug>/warc/", views.warc_view, name="warc"),
    path("archives/<slug:slug>/warc/<int:pk>/download/", views.warc_download, name="warc_download"),
    path("archives/<slug:slug>/settings/", views.settings_view, name="settings"),
    path("archives/<slug:slug>/recalls/", views.recalls_view, name="recalls"),
    path(
        "deliveries/<int:pk>/recall-withdraw/",
        views.recall_copy_withdraw,
        name="recall_withdraw",
    ),
    path("posts/<int:pk>/", views.post_view, name="post"),
    # Before the actions' pattern below, which would take "cover" for an action.
    path("posts/<int:pk>/cover/", cover_views.cover_image, name="cover_image"),
    path("posts/<int:pk>/cover/crop/", cover_views.cover_crop, name="cover_crop"),
    path(
        "posts/<int:pk>/cover/crops/<slug:ratio>.jpg",
        cover_views.cover_crop_image,
        name="cover_crop_image",
    ),
    path("posts/<int:pk>/<str:action>/", views.post_action, name="action"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
    path("notices/<int:pk>/read/", views.notice_read, name="notice_read"),
]
