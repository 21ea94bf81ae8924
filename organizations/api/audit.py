"""The audit log over the API: institution admins read their institution's, vendor staff every
institution's (narrowed with `institution`). Scoped through organizations.permissions and
organizations.selectors, as the web page is."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from organizations.audit import audit_action_label
from organizations.audit_display import audit_rows
from organizations.models import AuditEvent, User
from organizations.permissions import audit_log_scope
from organizations.selectors import audit_event_list_for
from slaportal.api.errors import error_responses
from slaportal.api.pagination import AuditCursorPagination

from .serializers import InstitutionRefSerializer


class ActorRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


class AuditEventSerializer(serializers.ModelSerializer):
    actor = ActorRefSerializer(
        read_only=True, allow_null=True, help_text="Who made the change; null for the system."
    )
    institution = InstitutionRefSerializer(
        read_only=True,
        allow_null=True,
        help_text="The tenant the change belongs to; null outside every institution.",
    )
    action_label = serializers.SerializerMethodField(help_text="The action in the request's language.")
    sentence = serializers.SerializerMethodField(
        help_text="The change as one sentence in the request's language, people and objects by their names "
        "(as the web's audit log shows it)."
    )
    before = serializers.DictField(
        read_only=True, help_text="The changed fields before the change (empty on a create)."
    )
    after = serializers.DictField(read_only=True, help_text="The changed fields after it.")

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "institution",
            "action",
            "action_label",
            "sentence",
            "target_type",
            "target_id",
            "target_label",
            "before",
            "after",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "action": {
                "help_text": "A stable code, e.g. `person.deactivate`, `region.rename`, `ticket.share`."
            },
            "target_type": {"help_text": "The changed object's model, e.g. `organizations.user`."},
        }

    def get_action_label(self, event) -> str:
        return audit_action_label(event.action)

    def get_sentence(self, event) -> str:
        return self.context.get("sentences", {}).get(event.pk, "")


class AuditQuerySerializer(serializers.Serializer):
    action = serializers.CharField(required=False, max_length=64, help_text="Only this action code.")
    institution = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Vendor staff: only this institution's log. Ignored for institution admins, who read their own.",
    )


class AuditLogView(ListAPIView):
    serializer_class = AuditEventSerializer
    pagination_class = AuditCursorPagination
    filter_backends = []

    def get_queryset(self):
        scope = audit_log_scope(self.request.user)
        query = AuditQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return audit_event_list_for(
            scope=scope,
            institution_id=query.validated_data.get("institution"),
            action=query.validated_data.get("action", ""),
        )

    @extend_schema(
        operation_id="audit_log_list",
        summary="Audit log",
        description=(
            "Who changed what, when, with the changed fields before and after: people added, invited, "
            "deactivated, reactivated, moved or given another role; regions and units created and renamed; "
            "monitoring grants given and revoked; tickets shared and unshared. Institution admins read their "
            "institution's log, vendor staff every institution's. Newest first, cursor-paginated (an unreadable "
            "`cursor` answers 404)."
        ),
        parameters=[AuditQuerySerializer],
        responses={200: AuditEventSerializer(many=True), **error_responses(400, 403, 404)},
    )
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        # The page's sentences together, so the names they mention are read once per page.
        sentences = {row.event.pk: row.sentence for row in audit_rows(page, reader=request.user)}
        context = {**self.get_serializer_context(), "sentences": sentences}
        return self.get_paginated_response(AuditEventSerializer(page, many=True, context=context).data)
