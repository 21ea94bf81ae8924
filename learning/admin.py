"""Vendor staff manage sessions and the library here. Uploads go through the same checks as
everywhere (size, sniffed content, safe names); a library upload under an existing name becomes
its next version."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from organizations.admin import ListedInline

from .models import Download, LibraryFile, LibraryItem, Registration, Training
from .services import (
    library_file_add,
    library_item_index,
    training_recording_check,
    training_recording_send,
    training_waitlist_promote,
)
from .uploads import safe_file_name, upload_check


def _formfield(field, **kwargs):
    # Links typed without a scheme are taken as https, as Django 6 will do.
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class TrainingAdminForm(forms.ModelForm):
    class Meta:
        model = Training
        formfield_callback = _formfield
        fields = [
            "title",
            "product",
            "description",
            "language",
            "is_published",
            "starts_at",
            "ends_at",
            "capacity",
            "meeting_url",
            "recording_file",
            "recording_url",
        ]

    def clean_recording_file(self):
        upload = self.cleaned_data.get("recording_file")
        if isinstance(upload, UploadedFile):
            self.recording_content_type = training_recording_check(upload)
            upload.name = safe_file_name(upload.name)
        return upload

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The end must be after the start."))
        return cleaned


class RegistrationInline(ListedInline):
    model = Registration
    fields = [
        "person",
        "institution",
        "created_at",
        "attended_at",
        "reminder_24h_sent_at",
        "reminder_1h_sent_at",
    ]


URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    form = TrainingAdminForm
    formfield_overrides = URL_FIELDS
    list_display = [
        "title",
        "product",
        "starts_at",
        "language",
        "capacity",
        "is_published",
        "attendance_link",
    ]
    list_filter = ["is_published", "product", "language"]
    search_fields = ["title", "description"]
    date_hierarchy = "starts_at"
    inlines = [RegistrationInline]
    fieldsets = [
        (None, {"fields": ["title", "product", "description", "language", "is_published"]}),
        (_("When"), {"fields": ["starts_at", "ends_at", "capacity", "meeting_url"]}),
        (_("Recording"), {"fields": ["recording_file", "recording_url"]}),
    ]

    @admin.display(description=_("Attendance"))
    def attendance_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("learning-attendance", args=[obj.pk]), _("Attendance")
        )

    def save_model(self, request, obj, form, change):
        content_type = getattr(form, "recording_content_type", None)
        if content_type:
            obj.recording_content_type = content_type
        super().save_model(request, obj, form, change)
        if obj.is_published and obj.has_recording and obj.recording_sent_at is None:
            # Everyone registered or waiting gets the recording once it is published.
            transaction.on_commit(lambda pk=obj.pk: training_recording_send(training_id=pk))
        if "capacity" in form.changed_data:
            # More places: the waiting list moves up.
            training_waitlist_promote(training_id=obj.pk)


class LibraryFileInline(ListedInline):
    model = LibraryFile
    fields = ["name", "version", "content_type", "size", "uploaded_by", "created_at"]


class LibraryItemAdminForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("Upload a file"),
        required=False,
        help_text=_(
            "A file with the name of an existing one becomes its new version; the old one stays listed."
        ),
    )

    class Meta:
        model = LibraryItem
        formfield_callback = _formfield
        fields = [
            "kind",
            "title",
            "description",
            "product",
            "tags",
            "language",
            "external_url",
            "is_published",
        ]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            upload_check(upload)
        return upload


@admin.register(LibraryItem)
class LibraryItemAdmin(admin.ModelAdmin):
    form = LibraryItemAdminForm
    formfield_overrides = URL_FIELDS
    list_display = ["title", "kind", "product", "language", "is_published", "created_at"]
    list_filter = ["kind", "product", "language", "is_published"]
    search_fields = ["title", "description", "tags"]
    inlines = [LibraryFileInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        library_item_index(item=obj)
        upload = form.cleaned_data.get("upload")
        if upload:
            try:
                library_file_add(actor=request.user, item=obj, upload=upload)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), level="error")


@admin.register(Download)
class DownloadAdmin(admin.ModelAdmin):
    list_display = ["item", "person", "institution", "count", "last_at"]
    list_filter = ["institution"]
    readonly_fields = ["item", "person", "institution", "count", "last_at"]

    def has_add_permission(self, request):
        return False
