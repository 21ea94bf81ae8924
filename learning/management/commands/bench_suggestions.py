"""The suggestions' figures: the labelled set's top-5 hit rate and mean reciprocal rank, and the
latency of one suggestion query. Prints figures, asserts nothing.

    python manage.py bench_suggestions                                      # the labelled set alone
    python manage.py bench_suggestions --tickets 1000000 --articles 10000   # at scale (PostgreSQL)

The labelled set (learning/data/solutions.json) is asked against its published articles. With
--tickets/--articles (PostgreSQL only) it first generates that many resolved tickets (spread over
--institutions, each with the desk's answer, indexed for the suggestions) and solution articles,
whose texts are variations of the labelled articles' words so that they compete with them; then
it asks the labelled set again (hit rate and MRR among the distractors) and times the queries
made while writing by a customer of the largest institution, by a colleague there who filed a few
of its tickets (each offered their institution's tickets that they may see, through
tickets.selectors.ticket_visible_to, and the library) and by a support engineer.

The generated data lives under institutions whose slug starts with "bench-s-" and articles tagged
"bench-s" and is deleted at the end (and at the start, left over from a --keep run). With --keep
it stays, and --reuse measures what a --keep run left instead of generating it again (the million
tickets take minutes to make). Use a scratch database all the same."""

import datetime
import random
import statistics
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from learning.demo import solution_articles_seed, solution_set
from learning.evaluation import labelled_set_figures, percentile
from learning.models import LibraryItem, SuggestionEntry
from learning.ranking import suggestion_list_for, suggestion_scope_for
from organizations.models import Institution, User
from organizations.roles import Role
from packages.models import Allotment, Package, Subscription
from tickets.models import Ticket

PREFIX = "bench-s-"
TAG = "bench-s"
# The colleague of the largest institution's customer files one of its tickets in this many (a
# prime, so that their tickets' texts are spread over the generated ones).
COLLEAGUE_SHARE = 997
POOL = 3000
FILLER = [
    "belediye",
    "sistem",
    "ekran",
    "kayit",
    "hata",
    "uyari",
    "sorun",
    "talep",
    "kullanici",
    "personel",
    "modul",
    "rapor",
    "harita",
    "katman",
    "veri",
    "sunucu",
    "servis",
    "program",
    "proje",
    "dosya",
    "islem",
    "onay",
    "basvuru",
    "adres",
    "parsel",
    "ada",
    "sorgu",
    "yetki",
    "guncel",
    "calismiyor",
    "acilmiyor",
    "gelmiyor",
    "yavas",
    "bos",
    "eksik",
    "yanlis",
    "degisti",
    "bugun",
    "dun",
    "sabah",
    "surekli",
    "bazen",
]


class Command(BaseCommand):
    help = "The suggestions' labelled-set figures and query latency; at scale on PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=0, help="resolved tickets to generate")
        parser.add_argument("--articles", type=int, default=0, help="solution articles to generate")
        parser.add_argument("--institutions", type=int, default=200)
        parser.add_argument("--largest", type=int, default=0, help="tickets of the largest institution")
        parser.add_argument("--queries", type=int, default=300, help="timed queries at scale")
        parser.add_argument("--keep", action="store_true", help="keep the generated data")
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="measure the data a --keep run left (generating it only when there is none); keeps it",
        )

    def say(self, label: str, value: str) -> None:
        self.stdout.write(f"{label:<64} {value}")

    def handle(self, *args, **opts):
        scale = opts["tickets"] or opts["articles"]
        if scale and connection.vendor != "postgresql":
            raise CommandError("--tickets/--articles measure PostgreSQL: set DATABASE_URL=postgres://…")
        self.say("database", f"{connection.vendor} ({connection.settings_dict['NAME']})")
        data = solution_set()
        articles = solution_articles_seed()
        self.report("labelled set", labelled_set_figures(questions=data["questions"], articles=articles))
        if not scale:
            return
        customer = self.generated_customer() if opts["reuse"] else None
        if customer is None:
            self.cleanup()
        try:
            if customer is None:
                customer = self.generate(opts, data)
            else:
                self.say("generated data reused: suggestion entries", f"{SuggestionEntry.objects.count():,}")
            self.report(
                "labelled set among the generated",
                labelled_set_figures(questions=data["questions"], articles=articles),
            )
            for label, person in self.people(customer):
                self.time_person(label, person, data, opts["queries"])
        finally:
            if not (opts["keep"] or opts["reuse"]):
                self.cleanup()

    def generated_customer(self) -> User | None:
        """The customer of the largest institution a --keep run left, if its data is still there."""
        return User.objects.filter(username=f"{PREFIX}customer-0").first()

    def report(self, label: str, figures) -> None:
        self.say(f"{label}: questions", str(figures.questions))
        self.say(f"{label}: top-5 hit rate", f"{figures.hit_rate:.3f}")
        self.say(f"{label}: mean reciprocal rank", f"{figures.mrr:.3f}")
        self.say(f"{label}: latency p50 / p95", f"{figures.p50_ms:.1f} ms / {figures.p95_ms:.1f} ms")
        for question in figures.misses:
            self.say("  not among the five", question)

    def _pool(self, data) -> list[tuple[str, str, str]]:
        """Texts for the generated rows. Even rows are a labelled article's words in another order
        with everyday words around them (the same question asked again: resolved tickets);
        odd rows draw their words from the whole vocabulary of the articles (other answers on the
        same products: generated articles). Both compete with the right article."""
        rng = random.Random(27)
        rows = data["articles"]
        vocabulary = sorted(
            {word for row in rows for word in f"{row['title']} {row['question']} {row['answer']}".split()}
            | set(FILLER)
        )
        pool, titles = [], set()
        for index in range(POOL):
            base = rows[index % len(rows)]
            if index % 2 == 0:
                other = rows[rng.randrange(len(rows))]
                words = base["title"].split() + other["question"].split()[:4]
                rng.shuffle(words)
                title = " ".join(words[:6] + rng.sample(FILLER, 2))
                question = " ".join(rng.sample(FILLER, 5) + base["question"].split()[:6])
                answer = " ".join(other["answer"].split()[:20] + rng.sample(FILLER, 4))
            else:
                title = " ".join(rng.sample(vocabulary, 5))
                question = " ".join(rng.sample(vocabulary, 12))
                answer = " ".join(rng.sample(vocabulary, 25))
            while title[:200] in titles:
                title += " " + rng.choice(FILLER)
            titles.add(title[:200])
            pool.append((title[:200], question, answer))
        return pool

    def generate(self, opts, data) -> User:
        started = time.perf_counter()
        package = Package.objects.get(code="premium")
        today = timezone.localdate()
        count = max(1, opts["institutions"])
        institutions = Institution.objects.bulk_create(
            [Institution(name=f"Bench suggestions {i}", slug=f"{PREFIX}{i}") for i in range(count)]
        )
        subscriptions = Subscription.objects.bulk_create(
            [
                Subscription(
                    institution=institution,
                    package=package,
                    starts_on=today - datetime.timedelta(days=364),
                    ends_on=today + datetime.timedelta(days=1),
                    priority=package.priority,
                    first_response_minutes=package.first_response_minutes,
                    service_window_start=package.service_window_start,
                    service_window_end=package.service_window_end,
                    service_timezone=package.service_timezone,
                )
                for institution in institutions
            ]
        )
        Allotment.objects.bulk_create(
            [Allotment(subscription=s, channel="written", allotment=1_000_000) for s in subscriptions]
        )
        customers = User.objects.bulk_create(
            [
                User(username=f"{PREFIX}customer-{i}", institution=inst, role=Role.CUSTOMER)
                for i, inst in enumerate(institutions)
            ]
        )
        largest = opts["largest"] or max(opts["tickets"] // 5, 1)
        largest = min(largest, opts["tickets"])
        pool = self._pool(data)
        with connection.cursor() as cursor, transaction.atomic():
            cursor.execute(
                "CREATE TEMP TABLE bench_s_map (idx int PRIMARY KEY, institution_id bigint, "
                "subscription_id bigint, requester_id bigint) ON COMMIT DROP"
            )
            cursor.executemany(
                "INSERT INTO bench_s_map VALUES (%s, %s, %s, %s)",
                [
                    (i, inst.pk, sub.pk, req.pk)
                    for i, (inst, sub, req) in enumerate(
                        zip(institutions, subscriptions, customers, strict=True)
                    )
                ],
            )
            cursor.execute(
                "CREATE TEMP TABLE bench_s_pool (idx int PRIMARY KEY, title text, question text, answer text, "
                "title_folded text, vector tsvector) ON COMMIT DROP"
            )
            cursor.executemany(
                "INSERT INTO bench_s_pool (idx, title, question, answer) VALUES (%s, %s, %s, %s)",
                [(i, *row) for i, row in enumerate(pool)],
            )
            # The same vector learning.articles writes, computed once per distinct text.
            cursor.execute(
                """
                UPDATE bench_s_pool SET title_folded = suggest_fold(title), vector =
                    setweight(to_tsvector('simple', array_to_string(suggest_lexemes(title), ' ')), 'A')
                    || setweight(to_tsvector('simple', array_to_string(suggest_lexemes(question), ' ')), 'B')
                    || setweight(to_tsvector('simple', array_to_string(suggest_lexemes(answer), ' ')), 'C')
                """
            )
            if opts["tickets"]:
                # The largest institution (idx 0) gets `largest` tickets; the others share the rest.
                cursor.execute(
                    f"""
                    INSERT INTO {Ticket._meta.db_table} (
                        institution_id, subscription_id, requester_id, kind, subject, description, channel,
                        status, priority, first_response_minutes, service_window_start, service_window_end,
                        service_timezone, created_at, updated_at, first_response_due_at, warning_due_at,
                        first_responded_at, routed_at, resolved_at)
                    SELECT m.institution_id, m.subscription_id, m.requester_id, 'question', p.title, p.question,
                           'written', 'resolved', 2, 60, '08:00', '00:00', 'Europe/Istanbul',
                           t.created, t.created, t.created + interval '60 minutes',
                           t.created + interval '48 minutes', t.created + interval '30 minutes', t.created,
                           t.created + interval '5 hours'
                    FROM generate_series(0, %(total)s - 1) AS g
                    JOIN bench_s_map m
                      ON m.idx = CASE WHEN g < %(largest)s OR %(count)s = 1 THEN 0
                                      ELSE 1 + g %% (%(count)s - 1) END
                    JOIN bench_s_pool p ON p.idx = g %% %(pool)s
                    CROSS JOIN LATERAL (SELECT now() - interval '730 days'
                                               * ((g::bigint * 2654435761) %% 1000003 %% 1000) / 1000.0
                                        AS created) AS t
                    """,  # noqa: S608 - table names from the models, values as parameters
                    {"total": opts["tickets"], "largest": largest, "count": count, "pool": POOL},
                )
                cursor.execute(
                    f"""
                    INSERT INTO {SuggestionEntry._meta.db_table} (
                        kind, ticket_id, item_kind, institution_id, product_id, title, question, answer,
                        title_folded, search_vector, answered_at)
                    SELECT 'ticket', t.id, '', t.institution_id, NULL, p.title, p.question, p.answer,
                           p.title_folded, p.vector, t.resolved_at
                    FROM {Ticket._meta.db_table} t
                    JOIN bench_s_pool p ON p.title = t.subject
                    JOIN bench_s_map m ON m.institution_id = t.institution_id
                    """  # noqa: S608
                )
            if opts["articles"]:
                cursor.execute(
                    f"""
                    INSERT INTO {LibraryItem._meta.db_table} (
                        kind, title, description, answer, tags, language, external_url, is_published,
                        version, created_at, updated_at)
                    SELECT 'solution', p.title, p.question, p.answer, %(tag)s, 'tr', '', TRUE, 1,
                           now() - interval '730 days' * ((g::bigint * 2654435761) %% 1000003 %% 1000) / 1000.0, now()
                    FROM generate_series(0, %(total)s - 1) AS g
                    JOIN bench_s_pool p ON p.idx = (2 * g + 1) %% %(pool)s
                    """,  # noqa: S608
                    {"tag": TAG, "total": opts["articles"], "pool": POOL},
                )
                cursor.execute(
                    f"""
                    INSERT INTO {SuggestionEntry._meta.db_table} (
                        kind, item_id, item_kind, institution_id, product_id, title, question, answer,
                        title_folded, search_vector, answered_at)
                    SELECT 'article', i.id, i.kind, NULL, NULL, p.title, p.question, p.answer, p.title_folded,
                           p.vector, i.created_at
                    FROM {LibraryItem._meta.db_table} i
                    JOIN bench_s_pool p ON p.title = i.title AND p.question = i.description
                    WHERE i.tags = %(tag)s
                    """,  # noqa: S608
                    {"tag": TAG},
                )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE learning_suggestionentry")
            cursor.execute(f"ANALYZE {Ticket._meta.db_table}")
            cursor.execute(f"ANALYZE {LibraryItem._meta.db_table}")
        self.say(
            f"generated {opts['tickets']:,} tickets ({largest:,} in the largest institution), "
            f"{opts['articles']:,} articles",
            f"{time.perf_counter() - started:.1f} s",
        )
        self.say("suggestion entries", f"{SuggestionEntry.objects.count():,}")
        return customers[0]

    def people(self, customer: User) -> list[tuple[str, User]]:
        """Who is timed: the customer of the largest institution, who filed its tickets (a walk of
        the institution's entries, each checked against ticket_visible_to); a colleague there who
        filed one in COLLEAGUE_SHARE of them (their tickets looked up by id); and a support
        engineer (every institution's tickets). Made here, so that a reused data set has them too."""
        colleague, _created = User.objects.get_or_create(
            username=f"{PREFIX}colleague",
            defaults={"institution_id": customer.institution_id, "role": Role.CUSTOMER},
        )
        engineer, _created = User.objects.get_or_create(
            username=f"{PREFIX}engineer", defaults={"role": Role.SUPPORT_ENGINEER}
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Ticket._meta.db_table} SET requester_id = %s "  # noqa: S608
                "WHERE institution_id = %s AND id %% %s = 0 AND requester_id <> %s",
                [colleague.pk, customer.institution_id, COLLEAGUE_SHARE, colleague.pk],
            )
        return [
            ("customer of the largest institution", customer),
            (f"a colleague there who filed 1 in {COLLEAGUE_SHARE:,} of its tickets", colleague),
            ("a support engineer (every institution's tickets)", engineer),
        ]

    def time_person(self, label: str, person: User, data, queries: int) -> None:
        person = User.objects.select_related("institution").get(pk=person.pk)
        scope = suggestion_scope_for(person=person)
        rng = random.Random(5)
        questions = [row["question"] for row in data["questions"]]
        timings, cpu, found, tickets = [], [], [], []
        backend_cpu = self.backend_cpu_reader()
        for index in range(queries):
            question = questions[index % len(questions)]
            # What is typed so far: the first words, then the whole question.
            words = question.split()
            typed = " ".join(words[: rng.randint(2, len(words))])
            started, started_cpu = time.perf_counter(), time.process_time_ns() + backend_cpu()
            results = suggestion_list_for(scope=scope, subject=typed)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time_ns() + backend_cpu() - started_cpu) / 1e6)
            found.append(len(results))
            tickets.append(sum(result.kind == SuggestionEntry.Kind.TICKET for result in results))
        self.say(f"{label}: queries", str(queries))
        self.say(
            "  latency p50 / p95 / max",
            f"{statistics.median(timings):.1f} ms / {percentile(timings, 0.95):.1f} ms / {max(timings):.1f} ms",
        )
        if backend_cpu():
            self.say(
                "  CPU time p50 / p95 (this process and its database backend)",
                f"{statistics.median(cpu):.1f} ms / {percentile(cpu, 0.95):.1f} ms",
            )
        self.say(
            "  answers offered per query (mean), of which tickets",
            f"{statistics.mean(found):.2f}, {statistics.mean(tickets):.2f}",
        )

    def backend_cpu_reader(self):
        """A function giving the CPU time the database backend of this connection has used, in ns,
        when the database runs on this machine (0 otherwise): with the process's own CPU time it
        is what a query costs whatever else the machine is running, which the wall-clock latency
        is not on a shared machine."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            path = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")
        host = connection.settings_dict.get("HOST") or "localhost"
        if host not in ("localhost", "127.0.0.1", "::1") or not path.exists():
            return lambda: 0
        return lambda: int(path.read_text().split()[0])

    def cleanup(self) -> None:
        ids = list(Institution.objects.filter(slug__startswith=PREFIX).values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {SuggestionEntry._meta.db_table} WHERE institution_id = ANY(%s) "  # noqa: S608
                f"OR item_id IN (SELECT id FROM {LibraryItem._meta.db_table} WHERE tags = %s)",
                [ids, TAG],
            )
            cursor.execute(f"DELETE FROM {LibraryItem._meta.db_table} WHERE tags = %s", [TAG])  # noqa: S608
            if ids:
                cursor.execute(
                    f"DELETE FROM {Ticket._meta.db_table} WHERE institution_id = ANY(%s)",  # noqa: S608
                    [ids],
                )
        if ids:
            Allotment.objects.filter(subscription__institution_id__in=ids).delete()
            Subscription.objects.filter(institution_id__in=ids).delete()
            User.objects.filter(username__startswith=PREFIX).delete()
            Institution.objects.filter(pk__in=ids).delete()
