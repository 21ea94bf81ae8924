from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers

from ..models import Kind, Mode, PushMode, PushSubscription


class KindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    label = serializers.CharField(help_text="Translated name of the kind.")
    mode = serializers.ChoiceField(choices=Mode.choices, help_text="The e-mail mode.")
    mandatory = serializers.BooleanField(
        help_text="The e-mail cannot be turned off (deadline breach to the desk, quota exhausted to admins, "
        "training reminders)."
    )
    modes = serializers.ListField(
        child=serializers.ChoiceField(choices=Mode.choices), help_text="The e-mail modes this kind offers."
    )
    push = serializers.ChoiceField(
        choices=PushMode.choices,
        allow_null=True,
        help_text="The push mode (`on` or `off`); null for a kind that is never pushed.",
    )
    push_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=PushMode.choices),
        help_text="The push modes this kind offers; empty when it is never pushed.",
    )


class PreferencesSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, help_text="The language of the person's e-mails."
    )
    preferences = serializers.DictField(
        child=serializers.ChoiceField(choices=Mode.choices),
        help_text="E-mail mode per kind: `on` (at once), `digest` (in the daily digest only) or `off`.",
    )
    push = serializers.DictField(
        child=serializers.ChoiceField(choices=PushMode.choices),
        help_text="Push mode per kind that can be pushed: `on` or `off`.",
    )
    kinds = KindSerializer(many=True, read_only=True)


class PreferencesUpdateSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    preferences = serializers.DictField(child=serializers.ChoiceField(choices=Mode.choices), required=False)
    push = serializers.DictField(child=serializers.ChoiceField(choices=PushMode.choices), required=False)


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=200, help_text="The browser's P-256 public key, base64url.")
    auth = serializers.CharField(max_length=100, help_text="The browser's authentication secret, base64url.")


class PushSubscriptionSerializer(serializers.Serializer):
    """A device to push to: a browser's `PushSubscription.toJSON()` as it is, or a native app's token."""

    platform = serializers.ChoiceField(
        choices=PushSubscription.Platform.choices,
        default=PushSubscription.Platform.WEB,
        help_text="`web` (a browser, Web Push), `fcm` (Android) or `apns` (iOS).",
    )
    endpoint = serializers.CharField(
        max_length=1000,
        help_text="The push service URL of a browser subscription, or the FCM registration token / APNs "
        "device token of a native app.",
    )
    keys = PushKeysSerializer(required=False, help_text="Required for `web`; not used by native apps.")
    expirationTime = serializers.IntegerField(  # noqa: N815 - the name PushSubscription.toJSON() gives it
        required=False, allow_null=True, write_only=True, help_text="Ignored; browsers send it."
    )

    def validate(self, attrs):
        if attrs.get(
            "platform", PushSubscription.Platform.WEB
        ) == PushSubscription.Platform.WEB and not attrs.get("keys"):
            raise serializers.ValidationError(
                {"keys": [_("A browser subscription needs its p256dh and auth keys.")]}, code="required"
            )
        return attrs


class PushSubscriptionOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.ChoiceField(choices=PushSubscription.Platform.choices)
    endpoint = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_pushed_at = serializers.DateTimeField(allow_null=True)


class PushSubscriptionListSerializer(serializers.Serializer):
    vapid_public_key = serializers.CharField(
        help_text="The application server key a browser subscribes with (base64url, uncompressed P-256)."
    )
    results = PushSubscriptionOutSerializer(many=True)


class PushUnsubscribeSerializer(serializers.Serializer):
    endpoint = serializers.CharField(max_length=1000)
