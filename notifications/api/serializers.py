from django.conf import settings
from rest_framework import serializers

from ..models import Kind, Mode


class KindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    label = serializers.CharField(help_text="Translated name of the kind.")
    mode = serializers.ChoiceField(choices=Mode.choices)
    mandatory = serializers.BooleanField(
        help_text="Cannot be turned off (deadline breach to the desk, quota exhausted to admins)."
    )
    modes = serializers.ListField(
        child=serializers.ChoiceField(choices=Mode.choices), help_text="The modes this kind offers."
    )


class PreferencesSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, help_text="The language of the person's e-mails."
    )
    preferences = serializers.DictField(
        child=serializers.ChoiceField(choices=Mode.choices),
        help_text="Mode per kind: `on` (e-mail at once), `digest` (in the daily digest only) or `off`.",
    )
    kinds = KindSerializer(many=True, read_only=True)


class PreferencesUpdateSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    preferences = serializers.DictField(child=serializers.ChoiceField(choices=Mode.choices), required=False)
