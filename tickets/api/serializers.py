from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organizations.api.serializers import InstitutionRefSerializer
from packages.models import Channel
from slaportal.api.media import SIGNED_URL_HELP, signed_url
from tickets.models import OPEN_STATUSES, Attachment, DevelopmentItem, Ticket, TicketMessage

# The channels a ticket can be filed by over the API: in writing, or by the desk for a customer
# on the phone or in a remote session (an on-site visit is recorded on the web desk page).
DESK_FILING_CHANNELS = (Channel.WRITTEN, Channel.PHONE, Channel.REMOTE)
DESK_FILING_CHOICES = [(c.value, c.label) for c in DESK_FILING_CHANNELS]


def _name(person) -> str:
    return person.get_full_name() or person.username


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, person) -> str:
        return _name(person)


class ProductRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DevelopmentItemSerializer(serializers.ModelSerializer):
    """The item's public part, as every linked ticket shows it: never another institution's tickets
    or names, only how many institutions reported it."""

    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = DevelopmentItem
        fields = [
            "id",
            "state",
            "state_label",
            "planned_version",
            "planned_on",
            "released_version",
            "public_note",
            "declined_reason",
            "institutions_reporting",
            "updated_at",
        ]
        read_only_fields = fields


class TicketSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    product = ProductRefSerializer(read_only=True, allow_null=True)
    institution = InstitutionRefSerializer(read_only=True)
    requester = PersonRefSerializer(read_only=True)
    assignee = PersonRefSerializer(read_only=True, allow_null=True)
    sla_state = serializers.ChoiceField(
        choices=["running", "answered", "breached"],
        read_only=True,
        help_text="running until the first response; answered, or breached if the deadline passed first",
    )
    development_item = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "subject",
            "description",
            "kind",
            "kind_label",
            "product",
            "channel",
            "status",
            "status_label",
            "priority",
            "institution",
            "requester",
            "assignee",
            "first_response_due_at",
            "first_responded_at",
            "breached_at",
            "sla_state",
            "created_at",
            "updated_at",
            "resolved_at",
            "closed_at",
            "development_item",
        ]
        read_only_fields = fields

    @extend_schema_field(DevelopmentItemSerializer(allow_null=True))
    def get_development_item(self, ticket):
        item = ticket.development_item
        return None if item is None else DevelopmentItemSerializer(item).data

    def to_representation(self, ticket):
        """The fields above, written out: the same keys, order and values as the declared fields
        give (tests/tickets/test_api.py compares the two), without building every field's
        representation through DRF's machinery for each of the rows of a page."""
        product, assignee, institution = ticket.product, ticket.assignee, ticket.institution
        item = ticket.development_item
        labels = self._labels()
        return {
            "id": ticket.pk,
            "subject": ticket.subject,
            "description": ticket.description,
            "kind": str(ticket.kind),
            "kind_label": labels["kind"].get(ticket.kind, str(ticket.kind)),
            "product": None if product is None else {"code": product.code, "name": product.name},
            "channel": str(ticket.channel),
            "status": str(ticket.status),
            "status_label": labels["status"].get(ticket.status, str(ticket.status)),
            "priority": ticket.priority,
            "institution": {"id": institution.pk, "name": institution.name, "slug": institution.slug},
            "requester": _ref(ticket.requester),
            "assignee": None if assignee is None else _ref(assignee),
            "first_response_due_at": _datetime(ticket.first_response_due_at),
            "first_responded_at": _datetime(ticket.first_responded_at),
            "breached_at": _datetime(ticket.breached_at),
            "sla_state": ticket.sla_state,
            "created_at": _datetime(ticket.created_at),
            "updated_at": _datetime(ticket.updated_at),
            "resolved_at": _datetime(ticket.resolved_at),
            "closed_at": _datetime(ticket.closed_at),
            "development_item": None
            if item is None
            else {
                "id": item.pk,
                "state": str(item.state),
                "state_label": labels["state"].get(item.state, str(item.state)),
                "planned_version": item.planned_version,
                "planned_on": _DATE.to_representation(item.planned_on),
                "released_version": item.released_version,
                "public_note": item.public_note,
                "declined_reason": item.declined_reason,
                "institutions_reporting": item.institutions_reporting,
                "updated_at": _datetime(item.updated_at),
            },
        }

    def _labels(self) -> dict[str, dict[str, str]]:
        """The kinds', statuses' and development states' labels in the request's language, made
        once per serializer: a page of tickets is written by one, row after row."""
        labels = getattr(self, "_choice_labels", None)
        if labels is None:
            labels = self._choice_labels = {
                "kind": {value: str(label) for value, label in Ticket.Kind.choices},
                "status": {value: str(label) for value, label in Ticket.Status.choices},
                "state": {value: str(label) for value, label in DevelopmentItem.State.choices},
            }
        return labels


# Unbound fields, for their formats only: the time zone is read when a value is written.
_DATETIME = serializers.DateTimeField()
_DATE = serializers.DateField()


def _datetime(value):
    return None if value is None else _DATETIME.to_representation(value)


def _ref(person) -> dict:
    return {"id": person.pk, "name": _name(person)}


class TicketCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField()
    suggestions_shown = serializers.ListField(
        child=serializers.RegexField(r"^(article|library|ticket):\d{1,12}$"),
        required=False,
        max_length=20,
        default=list,
        help_text="The answers POST /api/v1/suggestions/ offered before filing anyway (`kind:id`).",
    )
    kind = serializers.ChoiceField(
        choices=Ticket.Kind.choices,
        default=Ticket.Kind.QUESTION.value,
        help_text="A bug report or feature request also opens a development item.",
    )
    product = serializers.SlugField(
        max_length=40, required=False, allow_null=True, help_text="A product code (see the web form)."
    )
    requester = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=(
            "Support desk only, and then required: the id of the customer the desk files for "
            "(400 for anyone else)."
        ),
    )
    channel = serializers.ChoiceField(
        choices=DESK_FILING_CHOICES,
        default=Channel.WRITTEN.value,
        help_text=(
            "How the ticket came in: `written` (default), or for the desk `phone` or `remote`: the "
            "ticket is filed for a customer the desk is talking to, its filing is the first response "
            "and it draws that channel's unit."
        ),
    )


class TicketUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Ticket.Status.choices,
        required=False,
        help_text="Customers may only mark a ticket resolved or closed; the desk works every step.",
    )
    assignee = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="Support desk only: a support engineer's id, or null.",
    )


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    uploaded_by = PersonRefSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "uploaded_by", "created_at", "download_url"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(help_text=SIGNED_URL_HELP))
    def get_download_url(self, attachment) -> str:
        path = reverse(
            "api-ticket-attachment-download",
            kwargs={"pk": attachment.ticket_id, "attachment_id": attachment.pk},
        )
        request = self.context.get("request")
        return signed_url(request, path) if request is not None else path


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="At most ATTACHMENT_MAX_BYTES (10 MB by default), of an accepted type."
    )


class MessageSerializer(serializers.ModelSerializer):
    author = PersonRefSerializer(read_only=True)
    from_support = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = TicketMessage
        fields = [
            "id",
            "kind",
            "body",
            "author",
            "from_support",
            "duration_minutes",
            "created_at",
            "attachments",
        ]
        read_only_fields = fields

    def get_from_support(self, message) -> bool:
        # Vendor staff belong to no institution.
        return message.author.institution_id is None


class ContactLoggedSerializer(MessageSerializer):
    counted = serializers.BooleanField(
        source="is_counted",
        read_only=True,
        help_text="Whether this call or session drew a unit: only a ticket's first one on its channel does.",
    )

    class Meta(MessageSerializer.Meta):
        fields = [*MessageSerializer.Meta.fields, "counted"]
        read_only_fields = fields


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField()


class ContactLogSerializer(serializers.Serializer):
    body = serializers.CharField(help_text="What was done or agreed.")
    duration_minutes = serializers.IntegerField(
        min_value=1, max_value=24 * 60, required=False, allow_null=True
    )


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Ticket.Status.choices)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(
        min_value=1, allow_null=True, help_text="A support engineer's id, or null."
    )


class DeadlineSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField(help_text="The new first-response deadline, with its time zone.")


class EscalateSerializer(serializers.Serializer):
    item = serializers.IntegerField(
        required=False, min_value=1, help_text="An existing development item's id: link the ticket to it."
    )
    kind = serializers.ChoiceField(
        choices=DevelopmentItem.Kind.choices,
        required=False,
        help_text="For a new item (without `item`); by default from the ticket's kind.",
    )
    title = serializers.CharField(
        required=False, max_length=200, help_text="For a new item; by default the ticket's subject."
    )
    expected_on = serializers.DateField(
        required=False, allow_null=True, help_text="The item's plan date (on a linked item too)."
    )
    note = serializers.CharField(required=False, allow_blank=True, help_text="The item's public note.")


class DevelopmentItemUpdateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=DevelopmentItem.State.choices, required=False)
    planned_version = serializers.CharField(required=False, allow_blank=True, max_length=40)
    planned_on = serializers.DateField(required=False, allow_null=True)
    released_version = serializers.CharField(required=False, allow_blank=True, max_length=40)
    public_note = serializers.CharField(required=False, allow_blank=True, help_text="Shown to the customers.")
    declined_reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Required when the state becomes declined."
    )


class QueueQuerySerializer(serializers.Serializer):
    package = serializers.SlugField(required=False, help_text="A package code, e.g. premium.")
    institution = serializers.SlugField(required=False, help_text="An institution's slug.")
    product = serializers.SlugField(required=False, help_text="A product code.")
    status = serializers.ChoiceField(
        choices=[(s, Ticket.Status(s).label) for s in OPEN_STATUSES],
        required=False,
        help_text="One open status.",
    )
    scope = serializers.ChoiceField(
        choices=[("mine", "mine"), ("unassigned", "unassigned")],
        required=False,
        help_text="mine: assigned to me; unassigned: assigned to nobody.",
    )


class ContactRequestSerializer(serializers.Serializer):
    """A customer's request, on a ticket, for a phone call or a remote session."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=[("call", _("Phone call")), ("remote", _("Remote session"))])
    preferred_times = serializers.ListField(
        child=serializers.CharField(max_length=100),
        min_length=1,
        max_length=5,
        help_text='When the person can be reached, e.g. "weekdays 14:00–17:00"; one entry per time.',
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    requested_by = PersonRefSerializer(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    is_done = serializers.BooleanField(
        read_only=True, help_text="A call or remote session was logged on the ticket after the request."
    )

    def validate_preferred_times(self, value):
        value = [line.strip() for line in value if line.strip()]
        if not value:
            raise serializers.ValidationError(_("Say when you can be reached."))
        if len("\n".join(value)) > 300:
            raise serializers.ValidationError(_("Keep the preferred times under 300 characters."))
        return value

    def to_representation(self, instance):
        return {
            "id": instance.pk,
            "kind": instance.kind,
            "preferred_times": instance.preferred_times.splitlines(),
            "note": instance.note,
            "requested_by": PersonRefSerializer(instance.requested_by).data,
            "created_at": serializers.DateTimeField().to_representation(instance.created_at),
            "is_done": bool(getattr(instance, "is_done", False)),
        }


class QueueTicketSerializer(TicketSerializer):
    contact_requests = serializers.SerializerMethodField(
        help_text="The customer's open requests for a call or a remote session, oldest first."
    )

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "contact_requests"]

    @extend_schema_field(ContactRequestSerializer(many=True))
    def get_contact_requests(self, ticket) -> list:
        return self.context.get("contact_requests", {}).get(ticket.pk, [])

    def to_representation(self, ticket):
        return {**super().to_representation(ticket), "contact_requests": self.get_contact_requests(ticket)}
