from django.contrib.auth import views as auth_views
from django.urls import include, path

from archivox.console import admin_views, catalog_views, views

app_name = "console"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(template_name="console/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_log, name="audit"),
    path("archives/<slug:slug>/audit/", views.audit_log, name="archive_audit"),
    path("archives/<slug:slug>/profile/", admin_views.profile, name="archive_profile"),
    path("archives/<slug:slug>/accounts/", admin_views.accounts, name="accounts"),
    path("archives/<slug:slug>/members/", admin_views.members, name="members"),
    path("archives/<slug:slug>/members/revoke/", admin_views.member_revoke, name="members_revoke"),
    path("catalog/", catalog_views.index, name="catalog"),
    path("catalog/objects/<int:pk>/", catalog_views.object_file, name="object_file"),
    path(
        "catalog/objects/<int:pk>/thumbnail/",
        catalog_views.object_file,
        {"thumbnail": True},
        name="object_thumbnail",
    ),
    path("catalog/<slug:slug>/", catalog_views.tree, name="catalog_tree"),
    path("catalog/<slug:slug>/new/", catalog_views.create, name="catalog_create"),
    path("catalog/<slug:slug>/import/", catalog_views.import_view, name="catalog_import"),
    path("catalog/<slug:slug>/d/<int:pk>/", catalog_views.detail, name="catalog_detail"),
    path(
        "catalog/<slug:slug>/d/<int:pk>/children/", catalog_views.children, name="catalog_children"
    ),
    path("catalog/<slug:slug>/d/<int:pk>/edit/", catalog_views.edit, name="catalog_edit"),
    path("catalog/<slug:slug>/d/<int:pk>/delete/", catalog_views.delete, name="catalog_delete"),
    path("catalog/<slug:slug>/d/<int:pk>/upload/", catalog_views.upload, name="catalog_upload"),
    path("catalog/<slug:slug>/d/<int:pk>/move/", catalog_views.move, name="catalog_move"),
    path(
        "catalog/<slug:slug>/objects/<int:pk>/delete/",
        catalog_views.object_delete,
        name="object_delete",
    ),
    path("catalog/<slug:slug>/collections/", catalog_views.collections, name="collections"),
    path(
        "catalog/<slug:slug>/collections/<int:pk>/",
        catalog_views.collection_detail,
        name="collection_detail",
    ),
    path("survey/", include("archivox.survey.urls")),
]
