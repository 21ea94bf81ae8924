from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.models import OnboardingItem, OnsiteRequest, Workshop
from organizations.api.serializers import InstitutionRefSerializer
from slaportal.api.media import SIGNED_URL_HELP, signed_url
from tickets.api.serializers import PersonRefSerializer


def _person(person) -> dict | None:
    return None if person is None else PersonRefSerializer(person).data


class WorkshopSerializer(serializers.ModelSerializer):
    institution = InstitutionRefSerializer()
    product = serializers.SerializerMethodField()
    trainer = serializers.SerializerMethodField()
    preferred_dates = serializers.ListField(child=serializers.DateField())
    unit_returned = serializers.BooleanField(source="is_unit_returned")
    reason = serializers.CharField(source="decline_reason", help_text="Why it was declined or cancelled.")
    participants_joined = serializers.SerializerMethodField()

    class Meta:
        model = Workshop
        fields = [
            "id",
            "institution",
            "topic",
            "product",
            "preferred_dates",
            "participants",
            "status",
            "starts_at",
            "ends_at",
            "trainer",
            "meeting_url",
            "reason",
            "unit_returned",
            "attended",
            "participants_joined",
            "created_at",
        ]

    def get_product(self, workshop) -> str | None:
        return workshop.product.code if workshop.product else None

    @extend_schema_field(PersonRefSerializer(many=True))
    def get_participants_joined(self, workshop):
        """Who joined, once vendor staff recorded it (POST …/participants/)."""
        return [_person(person) for person in workshop.attendees.all()]

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_trainer(self, workshop):
        return _person(workshop.trainer)


class WorkshopCreateSerializer(serializers.Serializer):
    topic = serializers.CharField(max_length=200)
    product = serializers.CharField(required=False, allow_blank=True, help_text="A product code.")
    preferred_dates = serializers.ListField(child=serializers.DateField(), min_length=2, max_length=3)
    participants = serializers.IntegerField(min_value=1, max_value=10000)


class WorkshopParticipantsSerializer(serializers.Serializer):
    people = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        max_length=10000,
        allow_empty=True,
        help_text="The ids of the people of the workshop's institution who joined; replaces any given before.",
    )


class WorkshopScheduleSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    trainer = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The trainer's person id.")
    meeting_url = serializers.URLField(max_length=200)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class QuoteSerializer(serializers.Serializer):
    day_rate = serializers.DecimalField(max_digits=12, decimal_places=2)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=4, help_text="0.2000 is 20 %")
    net_total = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="day_rate × priced days")
    vat_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    gross_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    valid_until = serializers.DateField()
    pdf = serializers.URLField(help_text="The quote as PDF. " + SIGNED_URL_HELP)


class OnsiteRequestSerializer(serializers.ModelSerializer):
    institution = InstitutionRefSerializer()
    dates = serializers.ListField(child=serializers.DateField())
    included = serializers.BooleanField(
        source="is_included",
        help_text="true: the days are drawn from the contract's allotment; false: quoted per day",
    )
    days = serializers.IntegerField()
    included_days = serializers.IntegerField(
        source="units", help_text="Days drawn from the allotment when the request is confirmed."
    )
    priced_days = serializers.IntegerField(help_text="Days quoted at the day rate.")
    days_returned = serializers.IntegerField(
        source="units_returned", help_text="Days given back to the allotment by a cancellation."
    )
    engineer = serializers.SerializerMethodField()
    quote = serializers.SerializerMethodField()

    class Meta:
        model = OnsiteRequest
        fields = [
            "id",
            "institution",
            "dates",
            "days",
            "included_days",
            "priced_days",
            "days_returned",
            "address",
            "purpose",
            "contact_name",
            "contact_phone",
            "included",
            "status",
            "engineer",
            "quote",
            "report",
            "created_at",
        ]

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_engineer(self, visit):
        return _person(visit.engineer)

    @extend_schema_field(QuoteSerializer(allow_null=True))
    def get_quote(self, visit):
        if visit.day_rate is None:
            return None
        return {
            "day_rate": str(visit.day_rate),
            "vat_rate": str(visit.vat_rate),
            "net_total": str(visit.net_total),
            "vat_total": str(visit.vat_total),
            "gross_total": str(visit.gross_total),
            "valid_until": visit.valid_until.isoformat(),
            "pdf": signed_url(
                self.context["request"], reverse("api-onsite-request-quote-pdf", args=[visit.pk])
            ),
        }


class OnsiteCreateSerializer(serializers.Serializer):
    dates = serializers.ListField(child=serializers.DateField(), min_length=1, max_length=20)
    address = serializers.CharField(max_length=500)
    purpose = serializers.CharField(max_length=2000)
    contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    quote_extra = serializers.BooleanField(
        required=False,
        default=False,
        help_text="More days than remain: draw those that remain and ask a quote for the days beyond.",
    )


class OnsiteQuoteSerializer(serializers.Serializer):
    day_rate = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    valid_until = serializers.DateField()


class OnsiteConfirmSerializer(serializers.Serializer):
    engineer = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The engineer's person id."
    )


class OnsiteCompleteSerializer(serializers.Serializer):
    report = serializers.CharField(max_length=5000)


class OnboardingItemSerializer(serializers.ModelSerializer):
    institution = InstitutionRefSerializer()
    product = serializers.SerializerMethodField()
    engineer = serializers.SerializerMethodField()

    class Meta:
        model = OnboardingItem
        fields = [
            "id",
            "institution",
            "product",
            "version",
            "kind",
            "purchased_on",
            "status",
            "starts_at",
            "engineer",
            "note",
        ]

    def get_product(self, item) -> str:
        return item.product.name

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_engineer(self, item):
        return _person(item.engineer)


class OnboardingCreateSerializer(serializers.Serializer):
    institution = serializers.SlugField(
        required=False,
        help_text="Vendor staff only: the institution's slug. The institution admin asks for their own.",
    )
    product = serializers.CharField(help_text="A product code.")
    version = serializers.CharField(max_length=40)
    kind = serializers.ChoiceField(choices=OnboardingItem.Kind.choices, default=OnboardingItem.Kind.PURCHASE)
    purchased_on = serializers.DateField()


class OnboardingScheduleSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    engineer = serializers.IntegerField(help_text="A vendor staff member's id.")


class OnboardingCompleteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
