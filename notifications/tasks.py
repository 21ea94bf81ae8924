"""Thin Celery wrappers around the notification services; each is harmless to run twice."""

from celery import shared_task

from .services.delivery import notification_drain
from .services.digest import digest_compose_all_institutions
from .services.fanout import notification_fanout
from .services.imap import imap_poll
from .services.push import push_drain


# Not retried: the next beat runs it again within seconds.
@shared_task(name="notifications.dispatch", time_limit=60, soft_time_limit=50)
def dispatch() -> None:
    notification_fanout()
    push_drain(budget_seconds=10.0)
    notification_drain()


@shared_task(name="notifications.drain", time_limit=60, soft_time_limit=50)
def drain() -> None:
    notification_drain()


@shared_task(name="notifications.daily_digest", time_limit=600, soft_time_limit=580)
def daily_digest() -> None:
    digest_compose_all_institutions()
    notification_drain()


@shared_task(name="notifications.imap_poll", time_limit=120, soft_time_limit=110)
def poll_mailbox() -> None:
    imap_poll()
