"""A known data set for the report tests, built through the real services at the moments it
names, and the figures of November 2026 computed by hand from it.

Institution A (Premium: first response within 60 service minutes, window 08:00–24:00), contract
from 2026-09-01; today is 2026-12-05. Times are Istanbul's.

| ticket | filed | kind | product | channel | first response | breach | resolved |
| T1 | 11-02 10:00 | question | GIS | written | 10:20 (20 svc min) | – | 11-02 14:00 (4 h) |
| T2 | 11-03 23:30 | problem | GIS | written | 11-04 08:30 (30+30 = 60) | – | 11-04 12:30 (13 h) |
| T3 | 11-10 09:00 | bug | Web | phone | 10:30 call (90) | 10:00 | 11-12 09:00 (48 h) |
| T4 | 11-15 14:00 | feature | – | written | – | 15:00 | – |
| T5 | 11-20 08:00 | question | GIS | remote | 08:45 (45) | – | – |
| T6 | 10-30 10:00 | question | GIS | written | 10:10 (10) | – | 11-01 10:00 (48 h) |

Surveys answered in November: T1 5 "Harika, teşekkürler", T2 4, T3 2 "İlk yanıt geç geldi",
T6 3. On-site days: 4 of 6 used by 2026-12-05 (96 days into the contract: 2 left at 4 per 96
days lasts 48 days, so they run out on 2027-01-22). T3's bug item is planned, T4's feature
request received.

Institution B (Premium) files one breached ticket in November, answered with a 1 and the
comment "B kurumunun gizli yorumu": none of it may appear in A's figures."""

import datetime
from zoneinfo import ZoneInfo

import factory
import time_machine

from organizations.roles import Role
from packages.models import Product
from packages.services import quota_consume
from reports.services.surveys import survey_answer, survey_for_ticket
from tests.factories import PersonFactory, SubscriptionFactory
from tickets.models import Ticket
from tickets.services import (
    development_item_update,
    ticket_change_status,
    ticket_file,
    ticket_log_call,
    ticket_reply,
)
from tickets.services.sla import sla_breach_record

IST = ZoneInfo("Europe/Istanbul")
TODAY = datetime.datetime(2026, 12, 5, 12, 0, tzinfo=IST)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"product-{n}")
    name = factory.LazyAttribute(lambda p: p.code.upper())


def at(month, day, hour, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=IST)


EXPECTED = {
    "tickets_filed": 5,
    "tickets_resolved": 4,
    "first_response_compliance": 0.6,
    "first_response_minutes": {"median": 52.5, "p90": 81.0},
    "breaches": 2,
    "satisfaction": {"average": 3.5, "responses": 4},
    "quota": {
        "written": {"allotment": 1000, "used": 6},
        "phone": {"allotment": 1000, "used": 1},
        "remote": {"allotment": 1000, "used": 0},
        "onsite_days": {"allotment": 6, "used": 4},
        "workshops": {"allotment": 12, "used": 0},
    },
    "development_items": {
        "received": 1,
        "triaged": 0,
        "planned": 1,
        "in_progress": 0,
        "released": 0,
        "declined": 0,
    },
}
EXPECTED_DETAIL = {
    "filed_by_kind": {"question": 2, "problem": 1, "bug": 1, "feature": 1},
    "filed_by_channel": {"written": 3, "phone": 1, "remote": 1},
    "filed_by_product": {"GIS": 3, "WEB": 1, None: 1},
    "resolved_by_kind": {"question": 2, "problem": 1, "bug": 1},
    "histogram": [0, 1, 1, 1, 1, 0],
    "resolution_hours": {"median": 30.5, "p90": 48.0, "average": 28.3},
    "distribution": [0, 1, 1, 1, 1],
    "previous": {"tickets_filed": 1, "tickets_resolved": 0, "first_response_compliance": 1.0, "breaches": 0},
    "runs_out_on": {"onsite_days": datetime.date(2027, 1, 22)},
}


def _file(requester, moment, *, kind, product, channel="written"):
    with time_machine.travel(moment, tick=False):
        ticket = ticket_file(
            actor=requester,
            subject=f"{kind} #{moment:%m%d%H%M}",
            description="Açıklama",
            kind=kind,
            product=product,
        )
    if channel != "written":
        Ticket.objects.filter(pk=ticket.pk).update(channel=channel)
    return ticket


def _reply(engineer, ticket, moment):
    with time_machine.travel(moment, tick=False):
        ticket_reply(actor=engineer, ticket=ticket, body="Yanıt")


def _breach(ticket, moment):
    with time_machine.travel(moment, tick=False):
        sla_breach_record(ticket_id=ticket.pk)


def _resolve(engineer, ticket, moment):
    with time_machine.travel(moment, tick=False):
        ticket_change_status(actor=engineer, ticket=ticket, status="resolved")


def _rate(ticket, moment, score, comment=""):
    ticket.refresh_from_db()
    with time_machine.travel(moment, tick=False):
        survey = survey_for_ticket(ticket=ticket)
        survey_answer(actor=None, survey=survey, ticket=ticket, score=score, comment=comment, via="link")


def build():
    """Institutions A and B with the data of the table above; returns A's people and tickets."""
    with time_machine.travel(at(9, 1, 9), tick=False):
        sub_a = SubscriptionFactory(package_code="premium", starts_on=datetime.date(2026, 9, 1))
        sub_b = SubscriptionFactory(package_code="premium", starts_on=datetime.date(2026, 9, 1))
    sub_a.institution.name = "Ankara Büyükşehir Belediyesi"
    sub_a.institution.save(update_fields=["name"])
    a = sub_a.institution
    customer = PersonFactory(institution=a, role=Role.CUSTOMER)
    admin = PersonFactory(institution=a, role=Role.INSTITUTION_ADMIN)
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    gis, web = ProductFactory(code="gis", name="GIS"), ProductFactory(code="web", name="WEB")

    t6 = _file(customer, at(10, 30, 10), kind="question", product=gis)
    _reply(engineer, t6, at(10, 30, 10, 10))
    _resolve(engineer, t6, at(11, 1, 10))

    t1 = _file(customer, at(11, 2, 10), kind="question", product=gis)
    _reply(engineer, t1, at(11, 2, 10, 20))
    _resolve(engineer, t1, at(11, 2, 14))

    t2 = _file(customer, at(11, 3, 23, 30), kind="problem", product=gis)
    _reply(engineer, t2, at(11, 4, 8, 30))
    _resolve(engineer, t2, at(11, 4, 12, 30))

    t3 = _file(customer, at(11, 10, 9), kind="bug", product=web, channel="phone")
    _breach(
        t3,
        at(
            11,
            10,
            10,
            0,
        )
        + datetime.timedelta(seconds=1),
    )
    with time_machine.travel(at(11, 10, 10, 30), tick=False):
        ticket_log_call(actor=engineer, ticket=t3, body="Telefonla arandı")
        development_item_update(
            actor=engineer,
            item=Ticket.objects.get(pk=t3.pk).development_item,
            state="planned",
            planned_on=datetime.date(2026, 12, 20),
        )
    _resolve(engineer, t3, at(11, 12, 9))

    t4 = _file(customer, at(11, 15, 14), kind="feature", product=None)
    _breach(t4, at(11, 15, 15) + datetime.timedelta(seconds=1))

    t5 = _file(customer, at(11, 20, 8), kind="question", product=gis, channel="remote")
    _reply(engineer, t5, at(11, 20, 8, 45))

    _rate(t6, at(11, 2, 9), 3)
    _rate(t1, at(11, 3, 9), 5, "Harika, teşekkürler")
    _rate(t2, at(11, 5, 9), 4)
    _rate(t3, at(11, 13, 9), 2, "İlk yanıt geç geldi")

    for month, day, units in ((10, 5, 1), (11, 6, 2), (12, 2, 1)):
        quota_consume(
            actor=admin,
            institution=a,
            channel="onsite_days",
            reference_type="booking",
            reference_id=f"{month}-{day}",
            units=units,
            at=at(month, day, 9),
        )

    b_customer = PersonFactory(institution=sub_b.institution, role=Role.CUSTOMER)
    tb = _file(b_customer, at(11, 11, 9), kind="problem", product=web)
    _breach(tb, at(11, 11, 10) + datetime.timedelta(seconds=1))
    _reply(engineer, tb, at(11, 11, 11))
    _resolve(engineer, tb, at(11, 11, 12))
    _rate(tb, at(11, 12, 9), 1, "B kurumunun gizli yorumu")

    return {
        "institution": a,
        "other": sub_b.institution,
        "admin": admin,
        "customer": customer,
        "engineer": engineer,
        "other_customer": b_customer,
        "tickets": {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5, "t6": t6, "tb": tb},
    }
