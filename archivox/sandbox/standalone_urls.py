"""URLs of `manage.py run_sandbox`: the sandboxes alone, with nothing of the site."""

from django.http import HttpRequest, HttpResponseNotFound
from django.urls import include, path

urlpatterns = [path("sandbox/", include("archivox.sandbox.urls"))]


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponseNotFound:
    # The site's 404 page links the portal, which this server does not have.
    return HttpResponseNotFound("Not found: this server answers only under /sandbox/.\n")


handler404 = not_found
