"""KVKK in the API: a person's data export (their own, or one of the institution's people for
its admin) and the anonymisation of a person by the institution's admin."""

from django.http import FileResponse, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations import selectors
from organizations.api.tenancy import InstitutionAdminMixin
from organizations.permissions import vendor_report_reader
from portal.privacy.anonymise import person_anonymise
from portal.privacy.export import export_filename, person_export_archive
from portal.privacy.records import destruction_record_get, destruction_record_list, destruction_record_pdf
from slaportal.api.errors import error_responses
from slaportal.api.tenancy import object_id

PERSON_ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
RECORD_ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
ZIP_RESPONSE = OpenApiResponse(
    OpenApiTypes.BINARY,
    description=(
        "A ZIP: person.json (profile and counts), tickets.json, messages.json, surveys.json, "
        "training_registrations.json, usage_events.json, audit_entries.json, files.json and the "
        "uploaded files under files/."
    ),
)


class ZipRenderer(BaseRenderer):
    """Lets a client ask with Accept: application/zip; errors stay JSON."""

    media_type = "application/zip"
    format = "zip"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


def _zip_response(*, actor, person) -> FileResponse:
    archive = person_export_archive(actor=actor, person=person)
    return FileResponse(
        archive, as_attachment=True, filename=export_filename(person), content_type="application/zip"
    )


class MeExportView(APIView):
    renderer_classes = [JSONRenderer, ZipRenderer]

    @extend_schema(
        operation_id="me_export",
        summary="My data, as a ZIP (KVKK)",
        description=(
            "Everything the portal keeps about the caller, as JSON files and their uploaded files. "
            "An unknown `format` is 404."
        ),
        responses={(200, "application/zip"): ZIP_RESPONSE, **error_responses(404)},
    )
    def get(self, request):
        return _zip_response(actor=request.user, person=request.user)


class PersonExportView(InstitutionAdminMixin, APIView):
    renderer_classes = [JSONRenderer, ZipRenderer]

    @extend_schema(
        operation_id="people_export",
        summary="A person's data, as a ZIP (KVKK)",
        description="For the institution's admin: one of its people's data. Another institution's person is 404.",
        parameters=[PERSON_ID],
        responses={(200, "application/zip"): ZIP_RESPONSE, **error_responses(403, 404)},
    )
    def get(self, request, pk):
        person = self.lookup(selectors.person_get, pk)
        return _zip_response(actor=request.user, person=person)


class AnonymiseSerializer(serializers.Serializer):
    confirm = serializers.CharField(help_text="The person's username, typed again.")


class AnonymiseResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    files_deleted = serializers.IntegerField()
    rows_redacted = serializers.IntegerField()


class PersonAnonymiseView(InstitutionAdminMixin, APIView):
    @extend_schema(
        operation_id="people_anonymise",
        summary="Anonymise a person (KVKK)",
        description=(
            "Replaces the person's name, e-mail and username, redacts their e-mail, phone and name "
            "wherever stored, deletes the files they uploaded and ends their access; tickets and "
            "every figure stay. `confirm` must be the person's username (400 otherwise). Not on "
            "oneself (422)."
        ),
        parameters=[PERSON_ID],
        request=AnonymiseSerializer,
        responses={200: AnonymiseResultSerializer, **error_responses(400, 403, 404, 422)},
    )
    def post(self, request, pk):
        person = self.lookup(selectors.person_get, pk)
        serializer = AnonymiseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data["confirm"] != person.username:
            raise ValidationError({"confirm": [_("Type the person's username exactly to confirm.")]})
        summary = person_anonymise(actor=request.user, person=person)
        person.refresh_from_db()
        return Response({"id": person.pk, "username": person.username, **summary})


class PdfRenderer(BaseRenderer):
    """Lets a client ask with Accept: application/pdf; errors stay JSON."""

    media_type = "application/pdf"
    format = "pdf"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


def _require_record_reader(actor) -> None:
    if not vendor_report_reader(actor):
        raise PermissionDenied(_("Only package managers and desk leads can do this."))


class DestructionLineSerializer(serializers.Serializer):
    category = serializers.CharField()
    category_label = serializers.CharField(source="get_category_display")
    keep_days = serializers.IntegerField()
    cutoff_at = serializers.DateTimeField()
    destroyed = serializers.IntegerField()
    batches = serializers.IntegerField()


class DestructionRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField()
    run_by = serializers.CharField(source="run_by.username", allow_null=True, default=None)
    lines = DestructionLineSerializer(many=True)


class DestructionRecordListView(APIView):
    @extend_schema(
        operation_id="destruction_records_list",
        summary="Destruction records (imha tutanağı)",
        description=(
            "The latest 100 runs of the retention rules, newest first, each with what was destroyed per "
            "category, how many, under which rule. Package managers and desk leads."
        ),
        responses={200: DestructionRecordSerializer(many=True), **error_responses(403)},
    )
    def get(self, request):
        _require_record_reader(request.user)
        return Response(DestructionRecordSerializer(destruction_record_list(limit=100), many=True).data)


class DestructionRecordPdfView(APIView):
    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        operation_id="destruction_records_pdf",
        summary="A destruction record as PDF",
        description="The record as the admin's download gives it, in the request's language.",
        parameters=[RECORD_ID],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The record."),
            **error_responses(403, 404),
        },
    )
    def get(self, request, pk):
        _require_record_reader(request.user)
        record = destruction_record_get(pk=object_id(pk))
        if record is None:
            raise NotFound(_("Not found."))
        response = HttpResponse(
            destruction_record_pdf(record=record, language=get_language()), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="imha-tutanagi-{record.pk}.pdf"'
        return response
