from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from learning.models import LibraryFile, LibraryItem, Registration, Training
from learning.selectors import library_file_versions, training_meeting_url_for, waiting_position_for
from slaportal.api.media import SIGNED_URL_HELP, signed_url


class LearningProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TrainingSerializer(serializers.ModelSerializer):
    product = LearningProductSerializer(allow_null=True, read_only=True)
    registered_count = serializers.IntegerField(read_only=True)
    places_left = serializers.SerializerMethodField(help_text="null when the session has no limit")
    is_registered = serializers.BooleanField(read_only=True, help_text="Has a seat.")
    waiting_count = serializers.IntegerField(read_only=True, help_text="People on the waiting list.")
    waiting_position = serializers.SerializerMethodField(
        help_text="The person's place on the waiting list (1 is next), or null when not waiting."
    )
    meeting_url = serializers.SerializerMethodField(
        help_text="Only for registered people from an hour before the start until the end; otherwise empty."
    )
    has_recording = serializers.BooleanField(read_only=True)
    recording_stream_url = serializers.SerializerMethodField(
        help_text="The uploaded recording (HTTP Range supported) once the session has ended; otherwise null."
    )
    recording_url = serializers.SerializerMethodField(help_text="An external recording link, or null.")
    ics_url = serializers.SerializerMethodField()

    class Meta:
        model = Training
        fields = [
            "id",
            "title",
            "product",
            "description",
            "starts_at",
            "ends_at",
            "language",
            "capacity",
            "registered_count",
            "places_left",
            "is_registered",
            "waiting_count",
            "waiting_position",
            "meeting_url",
            "has_recording",
            "recording_stream_url",
            "recording_url",
            "ics_url",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_places_left(self, training) -> int | None:
        if training.capacity is None:
            return None
        return max(training.capacity - training.registered_count, 0)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_waiting_position(self, training) -> int | None:
        # Read only for the rare person waiting, so a list costs no query per row.
        if not getattr(training, "is_waiting", False):
            return None
        return waiting_position_for(training=training, person=self.context["access"].person)

    def get_meeting_url(self, training) -> str:
        return training_meeting_url_for(access=self.context["access"], training=training)

    @extend_schema_field(serializers.URLField(allow_null=True, help_text=SIGNED_URL_HELP))
    def get_recording_stream_url(self, training) -> str | None:
        if not training.recording_file or training.ends_at > self.context["now"]:
            return None
        return signed_url(self.context["request"], reverse("api-training-recording", args=[training.pk]))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_recording_url(self, training) -> str | None:
        # Never "" for a URI: a generated client decodes `format: uri` strictly.
        return training.recording_url or None

    @extend_schema_field(serializers.URLField(help_text="The session as an .ics file. " + SIGNED_URL_HELP))
    def get_ics_url(self, training) -> str:
        return signed_url(self.context["request"], reverse("api-training-ics", args=[training.pk]))


class RegistrationSerializer(serializers.ModelSerializer):
    training = serializers.IntegerField(source="training_id")
    registered_at = serializers.DateTimeField(source="created_at")
    status = serializers.SerializerMethodField(help_text="`registered`: a seat; `waiting`: the waiting list.")

    class Meta:
        model = Registration
        fields = ["training", "registered_at", "status"]

    def get_status(self, registration) -> str:
        return "waiting" if registration.is_waiting else "registered"


class WaitingSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="`waiting`")
    position = serializers.IntegerField(help_text="Place on the waiting list; 1 is next.")


class LibraryFileSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = LibraryFile
        fields = ["id", "name", "version", "content_type", "size", "created_at", "download_url"]

    @extend_schema_field(serializers.URLField(help_text=SIGNED_URL_HELP))
    def get_download_url(self, library_file) -> str:
        url = signed_url(
            self.context["request"], reverse("api-library-download", args=[library_file.item_id])
        )
        return f"{url}&file={library_file.pk}"


class LibraryFileGroupSerializer(serializers.Serializer):
    name = serializers.CharField()
    current = LibraryFileSerializer()
    previous = LibraryFileSerializer(many=True, help_text="Earlier versions, newest first.")


class LibraryItemSerializer(serializers.ModelSerializer):
    product = LearningProductSerializer(allow_null=True, read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), source="tag_list")
    files = serializers.SerializerMethodField()

    class Meta:
        model = LibraryItem
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "product",
            "tags",
            "language",
            "external_url",
            "answer",
            "version",
            "created_at",
            "files",
        ]

    @extend_schema_field(LibraryFileGroupSerializer(many=True))
    def get_files(self, item) -> list:
        return LibraryFileGroupSerializer(
            library_file_versions(item=item), many=True, context=self.context
        ).data


class ArticleSerializer(serializers.ModelSerializer):
    product = LearningProductSerializer(allow_null=True, read_only=True)
    question = serializers.CharField(source="description")
    ticket = serializers.IntegerField(source="source_ticket_id", allow_null=True)

    class Meta:
        model = LibraryItem
        fields = [
            "id",
            "title",
            "question",
            "answer",
            "product",
            "ticket",
            "version",
            "is_published",
            "updated_at",
        ]
