from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from packages.models import Channel, Package


class RangeSerializer(serializers.Serializer):
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True, help_text="null means no upper bound")


class QuotaTermSerializer(serializers.Serializer):
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True)
    unlimited = serializers.BooleanField()
    included = serializers.BooleanField(
        help_text="false where the package does not offer it or prices it separately"
    )
    pricing = serializers.ChoiceField(choices=["included", "per_day", "not_offered"])


class ServiceWindowSerializer(serializers.Serializer):
    start = serializers.CharField(help_text="HH:MM, local time of the time zone")
    end = serializers.CharField(help_text="HH:MM; 00:00 means midnight (24:00)")
    timezone = serializers.CharField()


class QuotasSerializer(serializers.Serializer):
    written = QuotaTermSerializer()
    phone = QuotaTermSerializer()
    remote = QuotaTermSerializer()
    onsite_days = QuotaTermSerializer()
    workshops = QuotaTermSerializer()


class PackageSerializer(serializers.ModelSerializer):
    code = serializers.SerializerMethodField()
    service_window = serializers.SerializerMethodField()
    users = serializers.SerializerMethodField()
    quotas = serializers.SerializerMethodField()
    features = serializers.SerializerMethodField()

    class Meta:
        model = Package
        fields = [
            "code",
            "name",
            "family",
            "priority",
            "first_response_minutes",
            "service_window",
            "users",
            "quotas",
            "features",
        ]

    def get_code(self, package) -> str:
        return package.code

    @extend_schema_field(ServiceWindowSerializer)
    def get_service_window(self, package):
        return {
            "start": package.service_window_start.strftime("%H:%M"),
            "end": package.service_window_end.strftime("%H:%M"),
            "timezone": package.service_timezone,
        }

    @extend_schema_field(RangeSerializer)
    def get_users(self, package):
        return {"min": package.users_min, "max": package.users_max}

    @extend_schema_field(QuotasSerializer)
    def get_quotas(self, package):
        terms = {term.channel: term for term in package.channels.all()}
        quotas = {}
        for channel in Channel.values:
            term = terms.get(channel)
            if term is None:
                quotas[channel] = {
                    "min": None,
                    "max": None,
                    "unlimited": False,
                    "included": False,
                    "pricing": "not_offered",
                }
                continue
            quotas[channel] = {
                "min": term.minimum,
                "max": term.maximum,
                "unlimited": term.is_unlimited,
                "included": term.is_included,
                "pricing": term.pricing,
            }
        return quotas

    @extend_schema_field(serializers.DictField(child=serializers.BooleanField()))
    def get_features(self, package):
        return package.features


def subscription_data(subscription, allotments) -> dict:
    """The contract in force as `/me` shows it (organizations.api.serializers.SubscriptionSerializer):
    registered into organizations.contracts, which organizations' API reads it through."""
    by_channel = {allotment.channel: allotment for allotment in allotments}
    quotas = {}
    for channel in Channel.values:
        allotment = by_channel.get(channel)
        if allotment is None or not allotment.is_included:
            quotas[channel] = {
                "included": False,
                "unlimited": False,
                "allotment": None,
                "used": allotment.used if allotment else 0,
                "remaining": None,
            }
            continue
        quotas[channel] = {
            "included": True,
            "unlimited": allotment.is_unlimited,
            "allotment": None if allotment.is_unlimited else allotment.allotment,
            "used": allotment.used,
            "remaining": allotment.remaining,
        }
    return {
        "package": {"code": subscription.package.code, "name": subscription.package.name},
        "starts_on": subscription.starts_on,
        "ends_on": subscription.ends_on,
        "renews_on": subscription.renews_on,
        "user_cap": subscription.user_cap,
        "priority": subscription.priority,
        "first_response_minutes": subscription.first_response_minutes,
        "quotas": quotas,
    }
