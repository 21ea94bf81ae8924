from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from organizations.admin import InstitutionAdmin, ListedInline, ReadOnlyAdmin
from organizations.forms import form_errors_add
from organizations.models import Institution
from organizations.selectors import institution_list_all_institutions

from .forms import SubscriptionAdjustForm, SubscriptionRenewForm, SubscriptionSellForm
from .models import Allotment, Package, PackageChannel, Product, QuotaEntry, QuotaNotice, Subscription
from .selectors import allotment_list, package_list, subscription_get_all_institutions
from .services import subscription_adjust, subscription_renew, subscription_sell


class PackageChannelInline(admin.TabularInline):
    model = PackageChannel
    extra = 0


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "family",
        "priority",
        "first_response_minutes",
        "users_min",
        "users_max",
        "is_active",
    ]
    list_filter = ["family", "is_active"]
    search_fields = ["name", "code"]
    inlines = [PackageChannelInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "family", "is_active"]}),
        (_("Terms"), {"fields": ["users_min", "users_max", "priority", "first_response_minutes"]}),
        (_("Service window"), {"fields": ["service_window_start", "service_window_end", "service_timezone"]}),
        (_("Features"), {"fields": list(Package.FEATURE_FIELDS)}),
    ]


class AllotmentInline(ListedInline):
    model = Allotment
    fields = ["channel", "allotment", "used", "is_unlimited", "is_included"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """A contract changes only through the sale services: selling, renewing and adjusting figures
    are forms of their own that check the package's ranges; the change page itself is read-only."""

    list_display = [
        "institution",
        "package",
        "starts_on",
        "ends_on",
        "user_cap",
        "priority",
        "contract_actions",
    ]
    list_filter = ["package", "starts_on", "ends_on"]
    search_fields = ["institution__name", "institution__slug"]
    list_select_related = ["institution", "package"]
    date_hierarchy = "starts_on"
    inlines = [AllotmentInline]
    fields = [
        "institution",
        "package",
        "starts_on",
        "ends_on",
        "user_cap",
        "priority",
        "first_response_minutes",
        "service_window_start",
        "service_window_end",
        "service_timezone",
        "sold_by",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("Contract"))
    def contract_actions(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:packages_subscription_adjust", args=[obj.pk]),
            _("Adjust figures"),
            reverse("admin:packages_subscription_renew", args=[obj.pk]),
            _("Renew"),
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/renew/",
                self.admin_site.admin_view(self.renew_view),
                name="packages_subscription_renew",
            ),
            path(
                "<int:pk>/adjust/",
                self.admin_site.admin_view(self.adjust_view),
                name="packages_subscription_adjust",
            ),
            *super().get_urls(),
        ]

    def _form_page(self, request, form, title, subscription=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "subscription": subscription,
            "allotments": allotment_list(subscription=subscription) if subscription else [],
        }
        return TemplateResponse(request, "admin/packages/subscription/contract_form.html", context)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        kwargs = {
            "institutions": institution_list_all_institutions(),
            "packages": package_list(on_sale_only=True),
        }
        form = SubscriptionSellForm(request.POST or None, initial=request.GET.dict() or None, **kwargs)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                subscription = subscription_sell(
                    actor=request.user,
                    institution=data["institution"],
                    package=data["package"],
                    starts_on=data["starts_on"],
                    user_cap=data["user_cap"],
                    figures=form.figures(),
                )
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                self.log_addition(request, subscription, [{"added": {}}])
                messages.success(
                    request, _("The contract was sold: %(contract)s") % {"contract": subscription}
                )
                return redirect("admin:packages_subscription_change", subscription.pk)
        return self._form_page(request, form, _("Sell a subscription"))

    def renew_view(self, request, pk):
        subscription = subscription_get_all_institutions(pk=pk)
        if subscription is None:
            raise Http404
        form = SubscriptionRenewForm(
            request.POST or None,
            packages=package_list(on_sale_only=True),
            initial={"package": subscription.package_id, "user_cap": subscription.user_cap},
        )
        if request.method == "POST" and form.is_valid():
            try:
                renewed = subscription_renew(
                    actor=request.user,
                    subscription=subscription,
                    package=form.cleaned_data["package"],
                    user_cap=form.cleaned_data["user_cap"],
                    figures=form.figures(),
                )
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                self.log_addition(request, renewed, [{"added": {}}])
                messages.success(request, _("The contract was renewed: %(contract)s") % {"contract": renewed})
                return redirect("admin:packages_subscription_change", renewed.pk)
        return self._form_page(
            request, form, _("Renew %(contract)s") % {"contract": subscription}, subscription
        )

    def adjust_view(self, request, pk):
        subscription = subscription_get_all_institutions(pk=pk)
        if subscription is None:
            raise Http404
        initial = {"user_cap": subscription.user_cap}
        initial.update({a.channel: a.allotment for a in allotment_list(subscription=subscription)})
        form = SubscriptionAdjustForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                subscription_adjust(
                    actor=request.user,
                    subscription=subscription,
                    user_cap=form.cleaned_data["user_cap"],
                    figures=form.figures(),
                )
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                self.log_change(request, subscription, [{"changed": {"fields": list(form.changed_data)}}])
                messages.success(request, _("The contract's figures were changed."))
                return redirect("admin:packages_subscription_change", subscription.pk)
        return self._form_page(
            request, form, _("Adjust %(contract)s") % {"contract": subscription}, subscription
        )


@admin.register(QuotaEntry)
class QuotaEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "consumed_at",
        "institution",
        "channel",
        "units",
        "consumed_by",
        "reference_type",
        "reference_id",
    ]
    list_filter = ["channel", "institution"]
    search_fields = ["institution__name", "reference_id"]
    list_select_related = ["institution", "consumed_by"]
    date_hierarchy = "consumed_at"


@admin.register(QuotaNotice)
class QuotaNoticeAdmin(admin.ModelAdmin):
    list_display = ["subscription", "channel", "level", "created_at", "sent_at"]
    list_filter = ["level", "channel"]


admin.site.site_header = _("SLA Portal administration")
admin.site.site_title = _("SLA Portal administration")


class SubscriptionInline(ListedInline):
    """The institution's contracts; they change only through the sale forms of the subscription admin."""

    model = Subscription
    fields = ["package", "starts_on", "ends_on", "user_cap", "sold_by"]
    show_change_link = True


class InstitutionWithContractsAdmin(InstitutionAdmin):
    """The institution admin page with the institution's contracts and a link to sell one. It is
    registered here because contracts belong to packages, which sits above organizations."""

    list_display = [*InstitutionAdmin.list_display, "sell_link"]
    list_filter = [*InstitutionAdmin.list_filter, "subscriptions__package"]
    inlines = [SubscriptionInline, *InstitutionAdmin.inlines]

    @admin.display(description=_("Contract"))
    def sell_link(self, obj):
        return format_html(
            '<a href="{}?institution={}">{}</a>',
            reverse("admin:packages_subscription_add"),
            obj.pk,
            _("Sell"),
        )


admin.site.unregister(Institution)
admin.site.register(Institution, InstitutionWithContractsAdmin)
admin.site.register(Product)
