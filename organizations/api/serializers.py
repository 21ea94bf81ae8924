from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from organizations.models import Institution, Region, Unit, User
from organizations.roles import CUSTOMER_SIDE, Role

CUSTOMER_SIDE_ROLES = [(role.value, role.label) for role in Role if role in CUSTOMER_SIDE]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")


class InstitutionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = ["id", "name", "slug"]


class RegionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "name"]


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name"]


class ChannelUseSerializer(serializers.Serializer):
    included = serializers.BooleanField(help_text="false where the package does not include the channel")
    unlimited = serializers.BooleanField()
    allotment = serializers.IntegerField(allow_null=True, help_text="null where unlimited or not included")
    used = serializers.IntegerField()
    remaining = serializers.IntegerField(allow_null=True, help_text="null where unlimited or not included")


class QuotaUseSerializer(serializers.Serializer):
    written = ChannelUseSerializer()
    phone = ChannelUseSerializer()
    remote = ChannelUseSerializer()
    onsite_days = ChannelUseSerializer()
    workshops = ChannelUseSerializer()


class PackageRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class SubscriptionSerializer(serializers.Serializer):
    package = PackageRefSerializer()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="The last day of the contract.")
    renews_on = serializers.DateField()
    user_cap = serializers.IntegerField(allow_null=True, help_text="null means no upper bound")
    priority = serializers.IntegerField(help_text="1 is served first")
    first_response_minutes = serializers.IntegerField()
    quotas = QuotaUseSerializer()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.CharField(allow_blank=True, help_text="May be empty.")
    role = serializers.ChoiceField(choices=Role.choices, allow_null=True)
    institution = InstitutionRefSerializer(allow_null=True)
    region = RegionRefSerializer(allow_null=True)
    unit = UnitRefSerializer(allow_null=True)
    subscription = SubscriptionSerializer(
        allow_null=True, help_text="The contract in force; null for vendor staff or without one."
    )


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "name", "created_at"]
        read_only_fields = ["id", "created_at"]
        # Uniqueness per institution is the service's to check (the serializer does not know the tenant).
        validators = []


class UnitSerializer(serializers.ModelSerializer):
    region = RegionRefSerializer(read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "region", "created_at"]
        read_only_fields = fields


class UnitCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    region = serializers.IntegerField(min_value=1, help_text="A region of your institution.")


class NameChangeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)


class UnitQuerySerializer(serializers.Serializer):
    region = serializers.IntegerField(min_value=1, required=False, help_text="Only the units of this region.")


class PersonSerializer(serializers.ModelSerializer):
    # Not an EmailField: an account may have no address, and "" is not an e-mail.
    email = serializers.CharField(read_only=True, help_text="May be empty.")
    role = serializers.ChoiceField(choices=Role.choices, allow_null=True, read_only=True)
    region = RegionRefSerializer(read_only=True, allow_null=True)
    unit = UnitRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "role",
            "is_active",
            "region",
            "unit",
            "date_joined",
            "last_login",
        ]
        read_only_fields = fields


class PersonCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=CUSTOMER_SIDE_ROLES, default=Role.CUSTOMER.value)
    password = serializers.CharField(
        max_length=128,
        required=False,
        write_only=True,
        trim_whitespace=False,
        help_text="Leave out to create the account without a usable password (the person then sets one by reset).",
    )
    unit = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="A unit of your institution (Premium, Premium+).",
    )
    region = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="A region, when no unit is given (Premium, Premium+).",
    )

    def validate_password(self, value):
        try:
            validate_password(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(list(error.messages)) from None
        return value


class PersonUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=CUSTOMER_SIDE_ROLES, required=False)
    unit = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="Place the person in this unit (and its region).",
    )
    region = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="Place the person only in this region."
    )
