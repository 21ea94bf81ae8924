"""Learning services: live trainings and their recordings, and the library of documents, videos and
data sets. The sessions and the library are the vendor's and shared by every subscriber; what is
tenant-owned is each person's registration and download count."""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.models import Institution, TenantQuerySet

# The product a session or an item is about: a row of the catalogue (packages).
PRODUCT_MODEL = "packages.Product"


def recording_path(instance, filename):
    return f"learning/recordings/{instance.pk or 'new'}/{uuid.uuid4().hex}/{filename}"


def library_file_path(instance, filename):
    return f"learning/library/{instance.item_id}/{uuid.uuid4().hex}/{filename}"


class TrainingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Training(models.Model):
    """A live online session. The meeting link is for registered people from an hour before the
    start; after the session it carries the recording (an uploaded video or an external link)."""

    title = models.CharField(_("title"), max_length=200)
    product = models.ForeignKey(
        PRODUCT_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="tr")
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty means no limit.")
    )
    meeting_url = models.URLField(_("online meeting link"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    recording_file = models.FileField(
        _("recording (video file)"), upload_to=recording_path, blank=True, max_length=300
    )
    recording_content_type = models.CharField(_("recording content type"), max_length=100, blank=True)
    recording_url = models.URLField(_("recording (external link)"), blank=True)
    # Set by the one call that e-mails the recording to everyone registered or waiting.
    recording_sent_at = models.DateTimeField(_("recording e-mailed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["is_published", "starts_at"], name="training_published_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="training_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def has_recording(self) -> bool:
        return bool(self.recording_file or self.recording_url)


class Registration(models.Model):
    """A person's place in a session, or on its waiting list (`is_waiting`) when the session was
    full: the waiting list is served first come, first served (`created_at`, then id), a place
    given by a guarded update when a seat frees. Attendance and the two reminders are columns:
    each reminder is sent by the one call whose guarded update sets its column."""

    training = models.ForeignKey(
        Training, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("training")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_registrations",
        verbose_name=_("person"),
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="training_registrations",
        verbose_name=_("institution"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    is_waiting = models.BooleanField(_("on the waiting list"), default=False)
    promoted_at = models.DateTimeField(_("given a place from the waiting list at"), null=True, blank=True)
    attended_at = models.DateTimeField(_("attendance recorded at"), null=True, blank=True)
    reminder_24h_sent_at = models.DateTimeField(_("24-hour reminder sent at"), null=True, blank=True)
    reminder_1h_sent_at = models.DateTimeField(_("1-hour reminder sent at"), null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["training", "person"], name="registration_once_per_person")
        ]
        indexes = [
            models.Index(
                fields=["training", "created_at", "id"],
                name="registration_waiting_order",
                condition=Q(is_waiting=True),
            ),
            # The reminder sweep's probe. The 1-hour reminder is always the last one sent, so a
            # registration leaves the index once it has gone out.
            models.Index(
                fields=["training"],
                name="registration_reminder_due",
                condition=Q(reminder_1h_sent_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.training}"


class CalendarFeed(models.Model):
    """The secret of a person's iCalendar feed; calendar apps cannot log in, so the token is the key."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_feed",
        verbose_name=_("person"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")


class LibraryItem(models.Model):
    class Kind(models.TextChoices):
        HELP_DOCUMENT = "help_document", _("Help document")
        VIDEO = "video", _("Video")
        PROJECT_DOCUMENT = "project_document", _("Project document or data set")
        # An answer grown from a resolved ticket (learning.articles), public once published.
        SOLUTION = "solution", _("Solution")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    product = models.ForeignKey(
        PRODUCT_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    tags = models.CharField(_("tags"), max_length=300, blank=True, help_text=_("Separated by commas."))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="tr")
    external_url = models.URLField(_("external link"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    # A solution article's answer; the question (rewritten without the institution's names) is
    # its description. Each edit is kept as an ArticleVersion.
    answer = models.TextField(_("answer"), blank=True)
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source ticket"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    # Filled by learning.services.library_item_index on PostgreSQL (turkish configuration); the
    # GIN index on it is created by the migration on PostgreSQL only.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("library item")
        verbose_name_plural = _("library items")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]


class LibraryFile(models.Model):
    """One stored file of an item. A new upload under the same name is the next version; the
    earlier ones stay listed as previous versions."""

    item = models.ForeignKey(
        LibraryItem, on_delete=models.CASCADE, related_name="files", verbose_name=_("item")
    )
    name = models.CharField(_("file name"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1)
    file = models.FileField(_("file"), upload_to=library_file_path, max_length=400)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("library file")
        verbose_name_plural = _("library files")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "name", "version"], name="library_file_version_once")
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"


class Download(models.Model):
    """How often a person downloaded an item: usage data for the reports."""

    item = models.ForeignKey(
        LibraryItem, on_delete=models.CASCADE, related_name="downloads", verbose_name=_("item")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="library_downloads",
        verbose_name=_("person"),
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="library_downloads",
        verbose_name=_("institution"),
    )
    count = models.PositiveIntegerField(_("downloads"), default=0)
    last_at = models.DateTimeField(_("last download at"))

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("download count")
        verbose_name_plural = _("download counts")
        constraints = [models.UniqueConstraint(fields=["item", "person"], name="download_count_per_person")]


class ArticleVersion(models.Model):
    """One saved state of a solution article: what was reviewed and, once published, what the
    customers read. Append-only."""

    item = models.ForeignKey(
        LibraryItem, on_delete=models.CASCADE, related_name="versions", verbose_name=_("article")
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"))
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["item", "-number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="article_version_once")]


class SuggestionEntry(models.Model):
    """One answer the suggestions can offer, in a single table so that one query ranks them all:
    a published library item or solution article (public), or a resolved ticket (its institution
    only, and only to those who may see the ticket). Written by learning.articles."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        LIBRARY = "library", _("Library item")
        TICKET = "ticket", _("Resolved ticket")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    item = models.OneToOneField(
        LibraryItem, on_delete=models.CASCADE, null=True, blank=True, related_name="suggestion_entry"
    )
    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The library item's kind (LibraryItem.Kind), so that the ranking filters by the contract's
    # kinds on this table alone; empty for a ticket.
    item_kind = models.CharField(max_length=20, blank=True, default="")
    # The ticket's institution; empty for the vendor's library, which every subscriber reads.
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    product = models.ForeignKey(
        PRODUCT_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    question = models.TextField(_("question"), blank=True)
    answer = models.TextField(_("answer"), blank=True)
    # The title folded to ASCII lower case (learning.ranking.fold), for trigram similarity.
    title_folded = models.CharField(max_length=200, blank=True)
    # Filled on PostgreSQL from the suggest_lexemes SQL function (migration 0006).
    search_vector = SearchVectorField(null=True, editable=False)
    answered_at = models.DateTimeField(_("answered at"))

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggestion entry")
        verbose_name_plural = _("suggestion entries")
        indexes = [models.Index(fields=["institution", "kind"], name="suggestion_entry_scope")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="ticket", ticket__isnull=False, item__isnull=True))
                | (~Q(kind="ticket") & Q(item__isnull=False, ticket__isnull=True)),
                name="suggestion_entry_one_source",
            )
        ]


class Deflection(models.Model):
    """A question answered before it became a ticket: the person said a suggestion answered it,
    so no ticket was filed and no unit drawn. Counted once per person and question."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        LIBRARY = "library", _("Library item")
        TICKET = "ticket", _("Resolved ticket")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="deflections", verbose_name=_("institution")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("answer id"))
    # SHA-256 of the folded subject and description: the same question asked again is one deflection.
    question_key = models.CharField(max_length=64)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")
        constraints = [
            models.UniqueConstraint(fields=["person", "question_key"], name="deflection_once_per_question")
        ]
        indexes = [models.Index(fields=["institution", "created_at"], name="deflection_institution_month")]
