"""What the composition layer wires between apps of one layer, each checked through the page, API
or e-mail that shows it (the table in docs/architecture.md)."""

import datetime
import io
import re
from zoneinfo import ZoneInfo

import pypdf
import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from bookings.services import workshop_participants_record
from core.outbox import outbox_drain
from learning.models import Registration
from notifications.services.preferences import preference_update
from notifications.tasks import dispatch as notifications_dispatch
from organizations.roles import Role
from performance.services import usage_dirty_days_rollup, usage_events_ingest
from reports.models import Survey
from reports.services.surveys import survey_sweep
from slaportal.api.services import api_token_issue
from tests.factories import PersonFactory, RegionFactory, SubscriptionFactory, TicketFactory, UnitFactory
from tests.factories.bookings import workshop_held
from tests.factories.learning import TrainingFactory
from tests.factories.performance import ProductFactory, UsageKeyFactory, usage_event
from tickets.services import ticket_change_status, ticket_share

pytestmark = pytest.mark.django_db


def test_performance_report_counts_the_trainings_each_person_attended():
    # given: two sessions earlier this month; Ayşe attended both, Mehmet registered for one and missed it
    institution = SubscriptionFactory(package_code="premium").institution
    unit = UnitFactory(region=RegionFactory(institution=institution))
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution)
    ayse, mehmet = PersonFactory(unit=unit), PersonFactory(unit=unit)
    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today.replace(day=1), datetime.time(10)))
    first, second = (
        TrainingFactory(starts_at=start),
        TrainingFactory(starts_at=start + datetime.timedelta(hours=2)),
    )
    attended = timezone.now()
    for training in (first, second):
        Registration.objects.create(
            training=training, person=ayse, institution=institution, attended_at=attended
        )
    Registration.objects.create(training=first, person=mehmet, institution=institution)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(actor=admin).key}")
    # when
    body = client.get(
        "/api/v1/performance/",
        {"group_by": "person", "from": today.replace(day=1).isoformat(), "to": today.isoformat()},
    ).json()
    # then
    assert {"key": "trainings_attended", "label": "Katıldığı eğitimler"} in body["figures"]
    figures = {row["key"]: row["figures"].get("trainings_attended") for row in body["rows"]}
    assert figures[ayse.pk] == 2
    assert figures[mehmet.pk] in (0, None)


def test_resolution_e_mail_carries_the_survey_link_to_the_requester_only(
    customer, engineer, settings, mailoutbox
):
    # given: a ticket shared with a colleague, then resolved
    settings.SITE_URL = "https://portal.example.test"
    colleague = PersonFactory(institution=customer.institution)
    ticket = TicketFactory(requester=customer)
    ticket_share(actor=customer, ticket=ticket, person=colleague)
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    # when
    notifications_dispatch()
    # then
    with translation.override("tr"):
        headline = gettext("Your ticket was resolved")
    to_requester = [m for m in mailoutbox if m.to == [customer.email]]
    to_colleague = [m for m in mailoutbox if m.to == [colleague.email]]
    assert [m.subject.endswith(headline) for m in to_requester if "/surveys/" in m.body] == [True]
    assert any(m.subject.endswith(headline) for m in to_colleague)
    assert not any("/surveys/" in m.body for m in to_colleague)
    body = next(m.body for m in to_requester if "/surveys/" in m.body)
    links = re.findall(r"https://portal\.example\.test(/surveys/[^/\s]+/)\?score=([1-5])", body)
    assert [score for _path, score in links] == ["1", "2", "3", "4", "5"]
    response = Client().get(links[3][0], {"score": "4"})
    assert response.status_code == 200
    assert re.search(r'value="4"[^>]*checked', response.content.decode())


def _filed(requester):
    """A ticket filed by the requester, its acknowledgement already sent."""
    ticket = TicketFactory(requester=requester)
    notifications_dispatch()
    return ticket


def _mails_since(mailoutbox, start, person):
    return [m for m in mailoutbox[start:] if m.to == [person.email]]


def test_resolution_sends_the_requester_one_mail_which_is_the_survey_question(customer, engineer, mailoutbox):
    # given: a ticket resolved
    ticket = _filed(customer)
    start = len(mailoutbox)
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    # when: every sender of the portal runs, twice (notifications, the survey sweep, the outbox)
    for _ in range(2):
        notifications_dispatch()
        survey_sweep(now=timezone.now() + datetime.timedelta(minutes=5))
        outbox_drain()
    # then: the requester got exactly one mail since, the resolution's, and it carries the survey
    [mail] = _mails_since(mailoutbox, start, customer)
    with translation.override("tr"):
        assert mail.subject.endswith(gettext("Your ticket was resolved"))
    assert len(re.findall(r"/surveys/[^/\s]+/\?score=[1-5]", mail.body)) == 5
    assert Survey.objects.get(ticket=ticket).asked_at is not None


def test_survey_reminder_goes_once_after_three_days_in_the_requesters_language(
    customer, engineer, mailoutbox
):
    # given: a requester who reads e-mails in English, whose resolution e-mail asked the question
    preference_update(actor=customer, modes={}, language="en")
    ticket = _filed(customer)
    start = len(mailoutbox)
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    notifications_dispatch()
    resolved = timezone.now()
    # when: the sweep runs after two days, then twice after three days, each time draining the outbox
    for days in (2, 3.01, 4):
        survey_sweep(now=resolved + datetime.timedelta(days=days))
        outbox_drain()
    # then: besides the resolution e-mail, exactly one reminder, in English, with the five links
    mails = _mails_since(mailoutbox, start, customer)
    assert len(mails) == 2
    assert "/surveys/" in mails[0].body
    reminder = mails[1]
    assert reminder.subject == f"Reminder: how did we do on ticket #{ticket.pk}?"
    assert "We have not heard from you yet" in reminder.body
    assert len(re.findall(r"/surveys/[^/\s]+/\?score=[1-5]", reminder.body)) == 5
    assert Survey.objects.get(ticket=ticket).reminded_at is not None


def test_vendor_calendar_shows_the_weeks_published_trainings(client):
    # given: a published session this week and a draft one
    staff = PersonFactory(role=Role.PACKAGE_MANAGER, institution=None)
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    at = timezone.make_aware(
        datetime.datetime.combine(monday + datetime.timedelta(days=2), datetime.time(14))
    )
    TrainingFactory(title="Parsel sorgulama eğitimi", starts_at=at)
    TrainingFactory(title="Taslak oturum", starts_at=at, is_published=False)
    client.force_login(staff)
    # when
    page = client.get("/vendor/calendar/", {"week": monday.isoformat()}).content.decode()
    # then
    assert re.search(r'data-kind="training">.*?14:00.*?Parsel sorgulama eğitimi', page, re.S)
    assert "Taslak oturum" not in page


def test_monthly_report_e_mail_carries_the_performance_section_on_premium_only():
    # given: last month, a Premium institution where Ayşe Yıldırım (unit "Harita Birimi") used the
    # product 2 hours on the 10th, and a Professional institution
    today = timezone.localdate()
    month_end = today.replace(day=1) - datetime.timedelta(days=1)
    month = month_end.strftime("%Y-%m")
    ProductFactory(code="netcad")
    premium = SubscriptionFactory(
        package_code="premium", starts_on=today - datetime.timedelta(days=90)
    ).institution
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=premium, email="admin@premium.test")
    unit = UnitFactory(region=RegionFactory(institution=premium), name="Harita Birimi")
    PersonFactory(username="ayse", first_name="Ayşe", last_name="Yıldırım", unit=unit)
    ist = ZoneInfo("Europe/Istanbul")
    on = month_end.replace(day=10)
    events = [
        usage_event(
            username="ayse",
            kind=kind,
            feature=None,
            occurred_at=datetime.datetime.combine(on, at, ist).isoformat(),
        )
        for kind, at in (("session_start", datetime.time(9)), ("session_end", datetime.time(11)))
    ]
    usage_events_ingest(key=UsageKeyFactory(institution=premium, actor=admin), payload={"events": events})
    usage_dirty_days_rollup()
    professional = SubscriptionFactory(
        package_code="professional", starts_on=today - datetime.timedelta(days=90)
    ).institution
    PersonFactory(role=Role.INSTITUTION_ADMIN, institution=professional, email="admin@professional.test")
    # when
    call_command("send_periodic_reports", "--period", month, stdout=io.StringIO())
    # then: the Premium admin's e-mail has the section and the per-person PDF
    [to_premium] = [m for m in mail.outbox if m.to == ["admin@premium.test"]]
    assert "Personel performansı" in to_premium.body
    assert "Harita Birimi: Açılan talepler 0, Çözülen talepler 0, Saat 2,0" in to_premium.body
    assert "Ürün kullanımı: 2,0 saat, 1 etkin gün, 1 oturum" in to_premium.body
    names = [name for name, _content, _type in to_premium.attachments]
    assert names == [f"report-{month}.pdf", f"performance-{month}.pdf"]
    pdf = to_premium.attachments[1][1]
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Ayşe Yıldırım" in text and premium.name in text
    # and the Professional admin's has neither
    [to_professional] = [m for m in mail.outbox if m.to == ["admin@professional.test"]]
    assert "Personel performansı" not in to_professional.body
    assert [name for name, _content, _type in to_professional.attachments] == [f"report-{month}.pdf"]


def test_performance_page_counts_the_workshops_each_person_joined(client):
    # given: two held workshops; Ayşe joined both, Mehmet the second, Zeynep none; a workshop of
    # another institution that someone of it joined
    institution = SubscriptionFactory(package_code="premium").institution
    unit = UnitFactory(region=RegionFactory(institution=institution))
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution)
    staff = PersonFactory(role=Role.PACKAGE_MANAGER, institution=None)
    trainer = PersonFactory(role=Role.SUPPORT_ENGINEER, institution=None)
    ayse, mehmet, zeynep = (PersonFactory(unit=unit) for _ in range(3))
    first, second = (
        workshop_held(
            admin,
            staff,
            trainer,
            starts_at=timezone.make_aware(
                datetime.datetime.combine(
                    timezone.localdate() + datetime.timedelta(days=5), datetime.time(hour)
                )
            ),
        )
        for hour in (9, 13)
    )
    workshop_participants_record(actor=staff, workshop=first, people=[ayse.pk])
    workshop_participants_record(actor=staff, workshop=second, people=[ayse.pk, mehmet.pk])
    other = SubscriptionFactory(package_code="premium").institution
    other_admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=other)
    elsewhere = workshop_held(other_admin, staff, trainer)
    workshop_participants_record(
        actor=staff, workshop=elsewhere, people=[PersonFactory(institution=other).pk]
    )
    client.force_login(admin)
    query = {
        "group_by": "person",
        "from": timezone.localdate().isoformat(),
        "to": (timezone.localdate() + datetime.timedelta(days=12)).isoformat(),
    }
    # when
    page = client.get("/institution/performance/", query).content.decode()
    by_unit = client.get("/institution/performance/", {**query, "group_by": "unit"}).content.decode()
    # then: the column, and each person's count in its last cell
    assert "Katıldığı workshop&#x27;lar" in page

    def last_cell(html, key):
        row = html.split(f'<tr data-row="{key}">')[1].split("</tr>")[0]
        return re.findall(r"<td[^>]*>(.*?)</td>", row)[-1]

    assert [last_cell(page, person.pk) for person in (ayse, mehmet, zeynep)] == ["2", "1", "0"]
    assert last_cell(by_unit, unit.pk) == "3"


def test_monthly_report_goes_once_to_each_admin_in_their_own_language(mailoutbox):
    # given: an institution with two admins, one reading e-mails in English, the other in Turkish
    from reports.models import ReportDelivery
    from reports.periods import last_full_month
    from reports.services.delivery import report_delivery_run

    today = timezone.localdate()
    institution = SubscriptionFactory(
        package_code="premium", starts_on=today - datetime.timedelta(days=90)
    ).institution
    english = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution)
    turkish = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution)
    preference_update(actor=english, modes={}, language="en")
    period = last_full_month(today)
    # when: the month is sent twice
    report_delivery_run(period=period)
    report_delivery_run(period=period)
    # then: one delivery, one mail each, subject, body and PDF in the admin's language
    delivery = ReportDelivery.objects.get(institution=institution, period_on=period.first)
    assert sorted(delivery.recipients) == sorted([english.email, turkish.email])
    [to_english] = [m for m in mailoutbox if english.email in m.to]
    [to_turkish] = [m for m in mailoutbox if turkish.email in m.to]
    assert to_english.to == [english.email] and to_turkish.to == [turkish.email]
    assert to_english.subject.startswith(f"{institution.name}: support report for ")
    assert to_english.body.startswith(f"The support report of {institution.name} for ")
    assert "destek raporu" in to_turkish.subject
    assert to_turkish.body.startswith(f"{institution.name} kurumunun ")

    def pdf_text(message):
        name, content, _mimetype = message.attachments[0]
        assert name == f"report-{period.first:%Y-%m}.pdf"
        return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)

    assert "Tickets filed" in pdf_text(to_english)
    assert "Açılan talepler" in pdf_text(to_turkish)


SIBLINGS = {"learning", "reports", "notifications", "performance", "bookings"}


def lent_by(function) -> set[str]:
    """The sibling apps whose code a registered function runs: its own app, or for a function of
    portal.wiring the apps of the names it calls."""
    function = getattr(function, "collect", function)
    app = function.__module__.split(".")[0]
    if app != "portal":
        return {app} & SIBLINGS
    used = (function.__globals__.get(name) for name in function.__code__.co_names)
    return {getattr(thing, "__module__", "").split(".")[0] for thing in used} & SIBLINGS


def test_registries_between_siblings_run_one_way():
    # given: every registry a sibling offers, by the app that shows what is registered
    from bookings import selectors as bookings_selectors
    from learning import extras as learning_extras
    from notifications import extras as notifications_extras
    from performance import figures as performance_figures
    from reports import extras as reports_extras

    registries = {
        "notifications": [
            *(f for links in notifications_extras._LINKS.values() for f in links),
            *(f for links in notifications_extras._PUSH_LINKS.values() for f in links),
        ],
        "reports": list(reports_extras._SECTIONS),
        "performance": list(performance_figures._PROVIDERS.values()),
        "bookings": list(bookings_selectors._CALENDAR_SOURCES),
        "learning": list(learning_extras._LISTENERS),
    }
    # when
    edges = {
        (shows, lends) for shows, functions in registries.items() for f in functions for lends in lent_by(f)
    } - {(app, app) for app in SIBLINGS}
    # then: reports lends to notifications and never the other way round
    assert ("notifications", "reports") in edges
    assert not {(lends, shows) for shows, lends in edges} & edges
