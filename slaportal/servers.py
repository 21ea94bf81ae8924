"""What the application servers' entry points (wsgi.py for gunicorn, asgi.py for uvicorn) do
before loading the application: production settings unless DJANGO_SETTINGS_MODULE says
otherwise, so a server started the ordinary way never runs with DEBUG and the local defaults.
manage.py and dev.py keep the local settings; dev.py sets DJANGO_SETTINGS_MODULE for its
gunicorn itself."""

import os

import django

from slaportal.tracing import tracing_setup


def server_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slaportal.settings.production")
    django.setup(set_prefix=False)
    # Before the application loads its middleware: the Django instrumentation adds its own.
    tracing_setup()
