from django.urls import path

from archivox.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.catalog_search, name="search"),
    path("search/suggestions/", views.search_suggestions, name="suggestions"),
    path("objects/<int:pk>/", views.digital_object_file, name="digital_object"),
    path(
        "objects/<int:pk>/thumbnail/",
        views.digital_object_thumbnail,
        name="digital_object_thumbnail",
    ),
    path("archives/<slug:slug>/", views.archive_home, name="archive"),
    path("archives/<slug:slug>/catalog/", views.catalog_roots, name="catalog"),
    path("archives/<slug:slug>/follow/<slug:platform>.svg", views.archive_qr, name="archive_qr"),
    path(
        "archives/<slug:slug>/catalog/<path:reference_code>/",
        views.description_detail,
        name="description",
    ),
    path(
        "archives/<slug:slug>/collections/<slug:collection>/",
        views.collection_detail,
        name="collection",
    ),
]
