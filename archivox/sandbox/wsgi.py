"""WSGI application serving only the sandboxes (used by `manage.py run_sandbox`)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archivox.settings")

from django.conf import settings
from django.core.wsgi import get_wsgi_application

settings.ROOT_URLCONF = "archivox.sandbox.standalone_urls"
application = get_wsgi_application()
