"""iCalendar files of training sessions, for one session or a person's feed (RFC 5545, through the
icalendar library). Times are written in UTC, which every calendar app shows in its own zone."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Training

PRODID = "-//SLA Portal//Trainings//TR"


def _uid(training: Training) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "slaportal"
    return f"training-{training.pk}@{host}"


def calendar_bytes(trainings, *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now().astimezone(datetime.UTC)
    for training in trainings:
        event = Event()
        event.add("uid", _uid(training))
        event.add("dtstamp", stamp)
        event.add("dtstart", training.starts_at.astimezone(datetime.UTC))
        event.add("dtend", training.ends_at.astimezone(datetime.UTC))
        event.add("summary", training.title)
        url = settings.SITE_URL.rstrip("/") + reverse("learning-training", args=[training.pk])
        event.add("description", f"{training.description}\n\n{url}".strip())
        event.add("url", url)
        event.add("last-modified", training.updated_at.astimezone(datetime.UTC))
        calendar.add_component(event)
    return calendar.to_ical()
