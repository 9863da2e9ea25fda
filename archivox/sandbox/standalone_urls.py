"""URLs of `manage.py run_sandbox`: the sandboxes alone, with nothing of the site."""

from django.urls import include, path

urlpatterns = [path("sandbox/", include("archivox.sandbox.urls"))]
