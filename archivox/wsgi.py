import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archivox.settings")
application = get_wsgi_application()

if os.environ.get("ARCHIVOX_WARM_START", "1") != "0":
    # Before the worker takes requests (archivox/core/warmup.py says why).
    from archivox.core.warmup import web_process_warm

    web_process_warm()  # never fails: a worker that could not warm up still serves
