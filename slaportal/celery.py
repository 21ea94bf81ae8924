"""The Celery application and the one beat schedule of the product."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slaportal.settings.local")

app = Celery("slaportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {}
