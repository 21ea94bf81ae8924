"""The development queue (/development/): the development unit's and vendor staff's pages for items,
the item's life and merging. Reads go through tickets.development, writes through tickets.services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from organizations.decorators import role_required
from organizations.forms import form_errors_add
from organizations.roles import DEVELOPMENT_QUEUE_ROLES, VENDOR_SIDE
from packages.selectors import package_choices

from . import selectors, services
from .development import (
    development_item_get_all_institutions,
    development_item_list_all_institutions,
    development_item_packages,
    development_item_tickets_all_institutions,
)
from .forms import DevelopmentFilterForm, DevelopmentForm, MergeForm

QUEUE_LIMIT = 100


@role_required(*DEVELOPMENT_QUEUE_ROLES)
def development_queue(request):
    form = DevelopmentFilterForm(
        request.GET or None, packages=package_choices(), products=selectors.product_choices()
    )
    items = development_item_list_all_institutions(person=request.user, **form.filters())
    return render(
        request,
        "tickets/development_queue.html",
        {"filter_form": form, "items": items[:QUEUE_LIMIT], "limit": QUEUE_LIMIT},
    )


def _item_or_404(request, pk):
    item = development_item_get_all_institutions(person=request.user, pk=pk)
    if item is None:
        raise Http404
    return item


@role_required(*DEVELOPMENT_QUEUE_ROLES)
def development_item(request, pk):
    item = _item_or_404(request, pk)
    update_form = DevelopmentForm.for_item(item, prefix="item")
    merge_form = MergeForm(prefix="merge")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "update":
                update_form = DevelopmentForm(request.POST, prefix="item")
                if update_form.is_valid():
                    services.development_item_update(
                        actor=request.user, item=item, **update_form.cleaned_data
                    )
                    messages.success(request, _("The development item was updated."))
                    return redirect("development-item", pk=item.pk)
            elif action == "merge":
                merge_form = MergeForm(request.POST, prefix="merge")
                if merge_form.is_valid():
                    into = development_item_get_all_institutions(
                        person=request.user, pk=merge_form.cleaned_data["into"]
                    )
                    if into is None:
                        raise ValidationError({"into": _("No such development item.")})
                    services.development_item_merge(actor=request.user, item=item, into=into)
                    messages.success(request, _("The items were merged."))
                    return redirect("development-item", pk=into.pk)
        except ValidationError as exc:
            form_errors_add(update_form if action == "update" else merge_form, exc)
        status = 400
    return render(
        request,
        "tickets/development_item.html",
        {
            "item": item,
            "update_form": update_form,
            "merge_form": merge_form,
            "packages": development_item_packages(item=item),
            "tickets": development_item_tickets_all_institutions(person=request.user, item=item),
            # Vendor staff open the linked tickets; the development unit reads what is shown here.
            "opens_tickets": request.user.role in VENDOR_SIDE,
        },
        status=status,
    )
