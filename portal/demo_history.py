"""A contract year so far of activity for each demo institution (`seed_demo --history`), so the
reports, the queue, the board and the performance pages have something to show on first login.

Everything is made by the product's own services, replayed at the moment it happened: the
clock the services read (django.utils.timezone.now) is set to each moment in turn, so tickets,
replies, logged calls and remote sessions, breaches, resolutions, reopenings, development
items, surveys, workshops and trainings carry their real times and the quota ledger, the SLA
log and the report roll-ups agree with them as they would in a living installation. Nothing is
sent to the workers meanwhile (the rows are the record of the past) and the e-mails of the past
are marked sent, so the first start does not mail a year of history.

Deterministic: one random generator per institution seeded from SEED, so two runs on the same
day make the same history. An institution that already has tickets gets none, so running it
again adds nothing."""

import contextlib
import datetime
import random
from collections.abc import Iterator
from unittest import mock

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from bookings import services as bookings
from bookings.permissions import workshop_lock
from core.models import OutboxMessage
from learning.models import Registration, Training
from learning.services import training_attendance_record, training_register
from notifications.models import FanoutCursor
from notifications.services.fanout import CURSOR as FANOUT_CURSOR
from organizations.models import Institution, User
from organizations.roles import Role
from packages.errors import QuotaError
from packages.models import Product
from packages.permissions import package_has_feature
from packages.selectors import subscription_get_active
from performance.demo import performance_demo_seed
from reports.models import Survey
from reports.services.surveys import survey_answer, survey_for_ticket
from reports.summary import report_days_refresh
from slaportal.celery import app as celery_app
from tickets.models import DevelopmentItem, Ticket, TicketEvent
from tickets.services import (
    development_item_update,
    ticket_assign,
    ticket_change_status,
    ticket_file,
    ticket_log_call,
    ticket_log_remote,
    ticket_reopen,
    ticket_reply,
    ticket_route,
)
from tickets.services.sla import sla_breach_record, sla_warning_record

SEED = 2026
# Tickets filed a month, per institution: inside each contract's yearly allotments.
MONTHLY = {"standard": 3, "professional": 9, "premium": 30, "premiumplus": 42}
KINDS = [
    (Ticket.Kind.QUESTION, 45),
    (Ticket.Kind.PROBLEM, 35),
    (Ticket.Kind.BUG, 12),
    (Ticket.Kind.FEATURE, 8),
]
SUBJECTS = {
    Ticket.Kind.QUESTION: [
        (
            "Parsel sorgusunda ada/parsel birlikte nasıl aranır?",
            "Ada ve parsel numarasıyla birlikte aramak istiyoruz.",
        ),
        (
            "İmar durumu çıktısına kaşe eklenebilir mi?",
            "Belgede birimimizin kaşesinin de görünmesi gerekiyor.",
        ),
        (
            "Katman stillerini başka projeye taşımak",
            "Hazırladığımız stilleri yeni projede kullanmak istiyoruz.",
        ),
        (
            "Lisans sunucusu adresi nereden değiştirilir?",
            "Sunucu taşındı, istemciler eski adrese bağlanıyor.",
        ),
        ("Koordinat dönüşümünde ITRF seçimi", "Hangi datumun seçilmesi gerektiğinden emin değiliz."),
    ],
    Ticket.Kind.PROBLEM: [
        ("Harita çıktısı A0'da kesiliyor", "A0 çıktıda sağ kenar kesik basılıyor."),
        ("NetGIS servisleri yavaş açılıyor", "Sabah saatlerinde servislerin açılması bir dakikayı geçiyor."),
        ("Veri aktarımı yarıda kalıyor", "Shape dosyası aktarımı %40'ta hata vererek duruyor."),
        (
            "Kullanıcı oturumu sık sık kapanıyor",
            "Birimdeki kullanıcılar 10 dakikada bir yeniden giriş yapıyor.",
        ),
        ("Netigma'da rapor boş geliyor", "Ruhsat raporu parametreler doğru olduğu halde boş dönüyor."),
    ],
    Ticket.Kind.BUG: [
        ("Ölçü aracı yanlış alan hesaplıyor", "Kapalı poligonda alan değeri beklenenden %2 fazla çıkıyor."),
        ("Türkçe karakterli dosya adları bozuluyor", "İçinde ş ve ğ geçen dosyalar listelenmiyor."),
        ("Etiketler yakınlaştırınca kayboluyor", "1/500 ölçeğin altında parsel etiketleri görünmüyor."),
    ],
    Ticket.Kind.FEATURE: [
        (
            "Toplu imar durumu çıktısı",
            "Bir mahalledeki tüm parseller için tek seferde çıktı almak istiyoruz.",
        ),
        ("Mobil uygulamada çevrimdışı harita", "Sahada bağlantı olmadığında da haritayı görebilmeliyiz."),
        ("Excel'e katman öznitelikleri aktarımı", "Öznitelik tablosunu doğrudan Excel'e aktarmak istiyoruz."),
    ],
}
ANSWERS = [
    "Merhaba, konuyu inceledik. İlgili ayar Seçenekler > Genel menüsünde; ekteki adımları izleyebilirsiniz.",
    "Sorunun kaynağını bulduk: önbellek dosyası bozulmuş. Temizledikten sonra yeniden dener misiniz?",
    "Bu davranış bir sonraki sürümde düzeltiliyor; o zamana kadar geçici çözüm olarak dışa aktarımı iki parçada yapabilirsiniz.",
    "Talebinizi geliştirme ekibine ilettik; durumu bu kayıttan izleyebilirsiniz.",
]
CUSTOMER_REPLIES = [
    "Teşekkürler, denedik ama hata devam ediyor.",
    "İstediğiniz ekran görüntüsünü ve log dosyasını gönderiyoruz.",
    "Ayarı değiştirdik, şu an sorun görünmüyor.",
]
COMMENTS = {
    5: ["Çok hızlı ve net bir çözüm, teşekkürler.", "Mükemmel destek."],
    4: ["Sorun çözüldü, biraz daha hızlı olabilirdi.", "Memnun kaldık."],
    3: ["Çözüldü ama birkaç kez yazışmak gerekti."],
    2: ["Yanıt geç geldi."],
    1: ["Sorunumuz tam olarak çözülmedi."],
}
TRAINING_TOPICS = [
    "Netcad ile imar planı sayısallaştırma",
    "NetGIS Server'da servis yayınlama",
    "Netigma ruhsat modülü",
    "Netcad'de koordinat dönüşümleri",
    "Harita çıktıları ve şablonlar",
    "Netcad Architect ile proje çizimi",
]
WORKSHOP_TOPICS = [
    "İmar durumu sorgularında sık yapılan hatalar",
    "NetGIS yetkilendirme ve kullanıcı grupları",
    "Veri aktarımı: shape, dxf ve ncz",
    "Netigma raporlarının özelleştirilmesi",
    "Harita çıktı şablonları",
    "Mobil saha uygulaması",
]


@contextlib.contextmanager
def replayed_at(moment: datetime.datetime) -> Iterator[None]:
    """Run the services as if it were `moment`: the clock they read says so."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@contextlib.contextmanager
def workers_silent() -> Iterator[None]:
    """Send nothing to the Celery workers: routing, timers and e-mails of the past are done here
    or are the record of what happened (publish then reports a message sent)."""
    with mock.patch.object(celery_app, "send_task", return_value=None):
        yield


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _weighted(rng: random.Random, choices: list[tuple]) -> object:
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def _service_after(ticket: Ticket, start: datetime.datetime, share: float) -> datetime.datetime:
    """The moment `share` of the ticket's first-response time (service minutes) after `start`."""
    return ticket.calendar.add_service_minutes(start, ticket.first_response_minutes * share)


class _Institution:
    """One institution's history, step by step."""

    def __init__(self, institution: Institution, *, now: datetime.datetime, vendor: dict):
        self.institution = institution
        self.now = now
        self.vendor = vendor
        self.rng = random.Random(f"{SEED}-{institution.slug}")
        self.subscription = subscription_get_active(institution=institution)
        self.people = list(
            User.objects.for_institution(institution).filter(is_active=True).order_by("username")
        )
        self.customers = [p for p in self.people if p.role != Role.INSTITUTION_ADMIN] or self.people
        self.admin = next((p for p in self.people if p.role == Role.INSTITUTION_ADMIN), None)
        self.products = list(Product.objects.filter(is_active=True).order_by("code"))
        self.counts = {"tickets": 0, "breached": 0, "reopened": 0, "surveys": 0, "workshops": 0}

    def run(self) -> dict:
        start = _at(self.subscription.starts_on, 0)
        day = start.date()
        while day <= self.now.date():
            for moment in self._filings(day):
                if moment < self.now:
                    self._ticket(moment)
            day += datetime.timedelta(days=1)
        if workshop_lock(self.institution) is None:
            self._workshops(start)
        return self.counts

    def _filings(self, day: datetime.date) -> list[datetime.datetime]:
        per_day = MONTHLY[self.institution.slug] / 30
        count = sum(
            1 for _ in range(4) if self.rng.random() < per_day / 4 * (0.4 if day.weekday() >= 5 else 1.2)
        )
        moments = []
        for _ in range(count):
            # Mostly office hours; now and then early morning or late evening, outside the service
            # window, so some clocks start at 08:00.
            hour = self.rng.choice([9, 9, 10, 10, 11, 13, 14, 14, 15, 16, 17, 19, 22, 6, 23])
            moments.append(_at(day, hour, self.rng.randrange(60)))
        return sorted(moments)

    def _ticket(self, filed_at: datetime.datetime) -> None:
        rng = self.rng
        kind = _weighted(rng, KINDS)
        subject, description = rng.choice(SUBJECTS[kind])
        requester = rng.choice(self.customers)
        engineer = rng.choice(self.vendor["engineers"])
        by_phone = rng.random() < 0.15
        with replayed_at(filed_at):
            try:
                ticket = ticket_file(
                    actor=requester,
                    subject=subject,
                    description=description,
                    kind=kind,
                    product=rng.choice(self.products),
                    at=filed_at,
                    channel="phone" if by_phone else "written",
                    filed_by=engineer if by_phone else None,
                )
            except QuotaError:
                return
        self.counts["tickets"] += 1
        with replayed_at(filed_at + datetime.timedelta(seconds=20)):
            ticket_assign(actor=None, ticket=ticket, assignee=engineer)
            ticket_route(ticket_id=ticket.pk)
        # The first response: usually well inside the deadline, sometimes after it (a breach).
        breach = rng.random() < 0.09
        share = rng.uniform(1.1, 2.5) if breach else rng.uniform(0.05, 0.85)
        responded_at = _service_after(ticket, filed_at, share)
        age = self.now - filed_at
        if age < datetime.timedelta(days=2) and rng.random() < 0.3:
            responded_at = self.now  # the desk has not got to it yet: on the lead's board
        if ticket.warning_due_at < min(responded_at, self.now):
            with replayed_at(ticket.warning_due_at + datetime.timedelta(seconds=5)):
                sla_warning_record(ticket_id=ticket.pk)
        if ticket.first_response_due_at < min(responded_at, self.now):
            with replayed_at(ticket.first_response_due_at + datetime.timedelta(seconds=5)):
                sla_breach_record(ticket_id=ticket.pk)
            self.counts["breached"] += 1
        if responded_at >= self.now:
            return  # still waiting for its first response: in the queue and on the board
        contact = "call" if by_phone else rng.choice(["reply"] * 6 + ["call"])
        if not self._respond(ticket, engineer, responded_at, contact):
            return
        moment = responded_at
        if kind == Ticket.Kind.PROBLEM and contact == "call" and rng.random() < 0.5:
            moment += datetime.timedelta(minutes=rng.randrange(20, 90))
            if moment >= self.now:
                return
            with replayed_at(moment), contextlib.suppress(QuotaError, ValidationError):
                ticket_log_remote(
                    actor=engineer,
                    ticket=ticket,
                    body="Uzak bağlantıyla ayarlar düzeltildi.",
                    duration_minutes=rng.randrange(15, 60),
                )
        if kind in (Ticket.Kind.BUG, Ticket.Kind.FEATURE):
            self._development(ticket, engineer, moment)
        if rng.random() < 0.3:
            moment = self._conversation(ticket, engineer, moment)
            if moment is None:
                return
        moment += datetime.timedelta(hours=rng.randrange(1, 72))
        if moment >= self.now or (age < datetime.timedelta(days=6) and rng.random() < 0.6):
            return  # still being worked: in the desk's queue
        self._resolve(ticket, engineer, moment)

    def _respond(self, ticket: Ticket, engineer: User, at: datetime.datetime, contact: str) -> bool:
        with replayed_at(at):
            if contact == "call":
                try:
                    ticket_log_call(
                        actor=engineer,
                        ticket=ticket,
                        body="Müşteri arandı, sorun telefonda birlikte incelendi.",
                        duration_minutes=self.rng.randrange(5, 30),
                    )
                    return True
                except QuotaError:
                    pass
            ticket_reply(actor=engineer, ticket=ticket, body=self.rng.choice(ANSWERS))
        return True

    def _conversation(
        self, ticket: Ticket, engineer: User, moment: datetime.datetime
    ) -> datetime.datetime | None:
        """The desk waits on the customer, who answers; then the desk replies again."""
        rng = self.rng
        steps = [
            (
                datetime.timedelta(minutes=rng.randrange(10, 120)),
                lambda: ticket_change_status(actor=engineer, ticket=ticket, status=Ticket.Status.WAITING),
            ),
            (
                datetime.timedelta(hours=rng.randrange(1, 30)),
                lambda: ticket_reply(
                    actor=ticket.requester, ticket=ticket, body=rng.choice(CUSTOMER_REPLIES)
                ),
            ),
            (
                datetime.timedelta(hours=rng.randrange(1, 6)),
                lambda: ticket_reply(actor=engineer, ticket=ticket, body=rng.choice(ANSWERS)),
            ),
        ]
        for delay, step in steps:
            moment += delay
            if moment >= self.now:
                return None
            with replayed_at(moment):
                step()
        return moment

    def _development(self, ticket: Ticket, engineer: User, moment: datetime.datetime) -> None:
        item = ticket.development_item
        if item is None:
            return
        states = [
            DevelopmentItem.State.PLANNED,
            DevelopmentItem.State.IN_PROGRESS,
            DevelopmentItem.State.RELEASED,
        ]
        if self.rng.random() < 0.15:
            states = [DevelopmentItem.State.DECLINED]
        for state in states:
            moment += datetime.timedelta(days=self.rng.randrange(3, 20))
            if moment >= self.now:
                return
            expected = (moment + datetime.timedelta(days=self.rng.randrange(20, 90))).date()
            with replayed_at(moment):
                released = state == DevelopmentItem.State.RELEASED
                item = development_item_update(
                    actor=engineer,
                    item=item,
                    state=state,
                    planned_on=expected if state == DevelopmentItem.State.PLANNED else ...,
                    released_version=f"{moment:%Y}.{moment.month}" if released else None,
                    public_note="Sürüm notlarında duyurulacak." if released else None,
                    declined_reason="Ürünün yol haritasında yer almıyor."
                    if state == DevelopmentItem.State.DECLINED
                    else None,
                )

    def _resolve(self, ticket: Ticket, engineer: User, moment: datetime.datetime) -> None:
        rng = self.rng
        with replayed_at(moment):
            ticket_change_status(actor=engineer, ticket=ticket, status=Ticket.Status.RESOLVED)
        if rng.random() < 0.07:
            # Reopened by the requester within the allowed days, answered and resolved again.
            reopened = moment + datetime.timedelta(hours=rng.randrange(2, 100))
            if reopened >= self.now:
                return
            with replayed_at(reopened):
                ticket_reopen(actor=ticket.requester, ticket=ticket)
                ticket_reply(actor=ticket.requester, ticket=ticket, body="Sorun yeniden ortaya çıktı.")
            self.counts["reopened"] += 1
            moment = reopened + datetime.timedelta(hours=rng.randrange(2, 30))
            if moment >= self.now:
                return
            with replayed_at(moment):
                ticket_reply(actor=engineer, ticket=ticket, body=rng.choice(ANSWERS))
                ticket_change_status(actor=engineer, ticket=ticket, status=Ticket.Status.RESOLVED)
        if rng.random() < 0.65:
            answered = moment + datetime.timedelta(hours=rng.randrange(1, 48))
            if answered < self.now:
                with replayed_at(answered):
                    survey_for_ticket(ticket=ticket)
                    survey = (
                        Survey.objects.for_institution(self.institution).filter(ticket=ticket).latest("pk")
                    )
                    score = _weighted(rng, [(5, 45), (4, 30), (3, 12), (2, 8), (1, 5)])
                    survey_answer(
                        actor=ticket.requester,
                        survey=survey,
                        ticket=Ticket.objects.get(pk=ticket.pk),
                        score=score,
                        comment=rng.choice(COMMENTS[score]),
                        via=rng.choice([Survey.Via.WEB, Survey.Via.LINK, Survey.Via.API]),
                    )
                self.counts["surveys"] += 1
        closed = moment + datetime.timedelta(days=rng.randrange(3, 10))
        if closed < self.now and rng.random() < 0.6:
            with replayed_at(closed):
                ticket_change_status(actor=ticket.requester, ticket=ticket, status=Ticket.Status.CLOSED)

    def _workshops(self, start: datetime.datetime) -> None:
        """One workshop a month, asked for by the admin, scheduled by vendor staff and held with
        some of the institution's people; the last is still to come."""
        rng = self.rng
        hour = 10 if self.institution.slug == "premium" else 14
        asked = start + datetime.timedelta(days=3, hours=9)
        topics = iter(WORKSHOP_TOPICS * 4)
        while asked < self.now:
            starts_at = _at((asked + datetime.timedelta(days=12)).date(), hour)
            with replayed_at(asked):
                try:
                    workshop = bookings.workshop_request(
                        actor=self.admin,
                        topic=next(topics),
                        product=rng.choice(self.products),
                        preferred_dates=[starts_at.date(), starts_at.date() + datetime.timedelta(days=1)],
                        participants=rng.randrange(6, 20),
                    )
                except QuotaError:
                    return
            with replayed_at(asked + datetime.timedelta(days=1)):
                bookings.workshop_schedule(
                    actor=self.vendor["staff"],
                    workshop=workshop,
                    starts_at=starts_at,
                    trainer=self.vendor["trainer"],
                    meeting_url="https://meet.example.com/slaportal-atolye",
                )
            held_at = starts_at + datetime.timedelta(hours=2)
            if held_at < self.now:
                joined = rng.sample(self.people, k=min(len(self.people), rng.randrange(3, 7)))
                with replayed_at(held_at):
                    workshop = bookings.workshop_mark_held(
                        actor=self.vendor["staff"], workshop=workshop, attended=len(joined)
                    )
                    bookings.workshop_participants_record(
                        actor=self.vendor["staff"], workshop=workshop, people=[p.pk for p in joined]
                    )
                self.counts["workshops"] += 1
            asked += datetime.timedelta(days=30)


def _trainings(*, first: datetime.date, now: datetime.datetime, people: list[User], staff: User) -> int:
    """A live session every two weeks since the earliest contract, with registrations from the
    demo institutions and attendance recorded after each; returns how many were attended."""
    rng = random.Random(f"{SEED}-trainings")
    products = list(Product.objects.filter(is_active=True).order_by("code"))
    attended = 0
    day = first + datetime.timedelta(days=9)
    topics = iter(TRAINING_TOPICS * 20)
    while _at(day, 15) < now - datetime.timedelta(days=1):
        starts_at = _at(day, 14)
        training, created = Training.objects.get_or_create(
            title=f"{next(topics)} ({day:%d.%m.%Y})",
            defaults={
                "product": rng.choice(products),
                "description": "Canlı eğitim; kaydı sonradan izlenebilir.",
                "starts_at": starts_at,
                "ends_at": starts_at + datetime.timedelta(hours=1),
                "language": "tr",
                "is_published": True,
                "meeting_url": "https://meet.example.com/slaportal-egitim",
            },
        )
        if created:
            registered = rng.sample(people, k=min(len(people), rng.randrange(4, 10)))
            for person in registered:
                with replayed_at(starts_at - datetime.timedelta(days=rng.randrange(1, 7))):
                    training_register(actor=person, training=training)
            came = [p.pk for p in registered if rng.random() < 0.75]
            with replayed_at(starts_at + datetime.timedelta(minutes=70)):
                attended += training_attendance_record(actor=staff, training=training, person_ids=came)
        day += datetime.timedelta(days=14)
    return attended


def _quiet_the_past(*, outbox_after: int, events_after: int) -> None:
    """The e-mails the history wrote to the outbox are of the past: marked sent without sending,
    and the notifications pass starts after the history's ticket events."""
    now = timezone.now()
    OutboxMessage.objects.filter(pk__gt=outbox_after, status=OutboxMessage.Status.PENDING).update(
        status=OutboxMessage.Status.SENT, sent_at=now
    )
    last_event = TicketEvent.objects.aggregate(m=Max("pk"))["m"] or 0
    if last_event > events_after:
        cursor, _created = FanoutCursor.objects.get_or_create(name=FANOUT_CURSOR)
        if cursor.last_event_id < last_event:
            cursor.last_event_id = last_event
            cursor.save(update_fields=["last_event_id", "updated_at"])


def history_seed(*, slugs: tuple[str, ...] = ("standard", "professional", "premium", "premiumplus")) -> dict:
    """Make the history of the demo institutions that have no tickets yet; returns what was made
    per institution. Expects seed_demo's people, contracts and products."""
    now = timezone.now()
    vendor = {
        "staff": User.objects.get(username="staff"),
        "trainer": User.objects.get(username="engineer1"),
        "engineers": list(User.objects.filter(username__in=["engineer1", "engineer2"]).order_by("username")),
    }
    made: dict[str, dict] = {}
    outbox_after = OutboxMessage.objects.aggregate(m=Max("pk"))["m"] or 0
    events_after = TicketEvent.objects.aggregate(m=Max("pk"))["m"] or 0
    institutions = list(Institution.objects.filter(slug__in=slugs).order_by("pk"))
    fresh = [i for i in institutions if not Ticket.objects.for_institution(i).exists()]
    with workers_silent():
        for institution in fresh:
            # One transaction per institution: one commit instead of thousands (SQLite syncs
            # each to disk), and an institution is either fully replayed or not at all.
            with transaction.atomic():
                made[institution.slug] = _Institution(institution, now=now, vendor=vendor).run()
        if fresh and not Registration.objects.filter(attended_at__isnull=False).exists():
            people = [p for i in fresh for p in User.objects.for_institution(i).filter(is_active=True)]
            first = min(subscription_get_active(institution=i).starts_on for i in fresh)
            made["trainings"] = {
                "attended": _trainings(first=first, now=now, people=people, staff=vendor["staff"])
            }
        gold = tuple(i.slug for i in fresh if package_has_feature(i, "has_performance_tracking"))
        if gold:
            first = min(subscription_get_active(institution=i).starts_on for i in fresh)
            made["usage"] = {"events": performance_demo_seed(slugs=gold, days=(now.date() - first).days)}
        _quiet_the_past(outbox_after=outbox_after, events_after=events_after)
    report_days_refresh()
    return made
