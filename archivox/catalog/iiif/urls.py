from django.urls import path

from archivox.catalog.iiif import views

app_name = "iiif"
urlpatterns = [
    path("image/<str:identifier>", views.image_base, name="image_base"),
    path("image/<str:identifier>/info.json", views.image_info, name="image_info"),
    path(
        "image/<str:identifier>/<str:region>/<str:size>/<str:rotation>/<str:quality_format>",
        views.image,
        name="image",
    ),
    path("descriptions/<int:pk>/manifest.json", views.manifest, name="manifest"),
    path(
        "collections/<slug:slug>/<slug:collection>/collection.json",
        views.collection,
        name="collection",
    ),
]
