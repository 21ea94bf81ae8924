"""Vendor staff issue and revoke installation keys in the Django admin; both go through the
services (audited, package-checked), and a new key is shown on the page that answers the form."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import APIKey

from packages.permissions import performance_tracking_lock

from .models import UsageKey
from .services import usage_key_issue, usage_key_revoke

# The library's own key model is not used: the product's keys are UsageKey.
admin.site.unregister(APIKey)


class UsageKeyIssueForm(forms.ModelForm):
    class Meta:
        model = UsageKey
        fields = ["institution", "name"]

    def clean_institution(self):
        institution = self.cleaned_data["institution"]
        lock = performance_tracking_lock(institution)
        if lock is not None:
            raise forms.ValidationError(lock.message())
        return institution


@admin.register(UsageKey)
class UsageKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "prefix", "created", "created_by", "revoked", "revoked_at"]
    list_filter = ["revoked"]
    search_fields = ["name", "prefix", "institution__name"]
    list_select_related = ["institution", "created_by"]
    readonly_fields = [
        "institution",
        "name",
        "prefix",
        "created",
        "created_by",
        "revoked",
        "revoked_at",
        "revoked_by",
    ]
    actions = ["revoke"]
    form = UsageKeyIssueForm

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["fields"] = ["institution", "name"]
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def has_change_permission(self, request, obj=None):
        # Shown, never edited: a key changes only by being revoked (the action).
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        key, raw = usage_key_issue(
            actor=request.user, institution=form.cleaned_data["institution"], name=form.cleaned_data["name"]
        )
        obj.pk = key.pk
        request.usage_key_issued = (key, raw)

    def response_add(self, request, obj, post_url_continue=None):
        key, raw = request.usage_key_issued
        response = TemplateResponse(
            request,
            "admin/performance/usagekey/issued.html",
            {**self.admin_site.each_context(request), "key": key, "raw": raw, "opts": self.model._meta},
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        revoked = sum(
            usage_key_revoke(actor=request.user, key=key) for key in queryset.select_related("institution")
        )
        self.message_user(request, _("%(count)s keys revoked.") % {"count": revoked}, messages.SUCCESS)
