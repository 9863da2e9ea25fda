"""Staff pages, mounted at /console/publishing/."""

from django.urls import path

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
    path("posts/<int:pk>/<str:action>/", views.post_action, name="action"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
    path("notices/<int:pk>/read/", views.notice_read, name="notice_read"),
]
