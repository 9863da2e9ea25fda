"""Staff pages, mounted at /console/promotion/."""

from django.urls import path

from archivox.promotion import console_views

app_name = "console_promotion"
urlpatterns = [
    path("", console_views.index, name="index"),
    path("demand/", console_views.demand, name="demand_all"),
    path("<slug:slug>/demand/", console_views.demand, name="demand"),
    path("<slug:slug>/posters/", console_views.posters, name="posters"),
    path("<slug:slug>/posters/style/", console_views.poster_style, name="poster_style"),
    path("<slug:slug>/posters/<int:pk>/", console_views.poster, name="poster"),
    path("<slug:slug>/posters/<int:pk>/pdf/", console_views.poster_download, name="poster_pdf"),
]
