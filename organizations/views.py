from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from packages.errors import QuotaError
from packages.permissions import region_management_lock, require_region_management
from packages.selectors import subscription_get_active

from . import selectors, services
from .decorators import role_required
from .forms import GrantForm, NameForm, PersonAddForm, PersonInviteForm, PersonMoveForm, UnitCreateForm
from .permissions import (
    FeatureLocked,
    require_institution_admin,
    require_own_institution_admin,
)
from .roles import Role


def _people_context(request, **forms):
    institution = request.user.institution
    subscription = subscription_get_active(institution=institution)
    people = list(selectors.person_list_for_institution(institution=institution).order_by("-is_active", "username"))
    for person in people:
        # The role from the prefetched groups, so the list costs no query per person.
        person._role_names = {group.name for group in person.groups.all()}
    return {
        "institution": institution,
        "subscription": subscription,
        "seats": selectors.seat_count(institution=institution),
        "people": people,
        "add_form": forms.get("add_form") or PersonAddForm(prefix="add"),
        "invite_form": forms.get("invite_form") or PersonInviteForm(prefix="invite"),
    }


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@role_required(Role.INSTITUTION_ADMIN)
def people(request):
    institution = request.user.institution
    require_institution_admin(request.user, institution)
    if request.method != "POST":
        return render(request, "organizations/person_list.html", _people_context(request))
    action = request.POST.get("action")
    form = PersonInviteForm(request.POST, prefix="invite") if action == "invite" else PersonAddForm(request.POST, prefix="add")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "invite":
                person = services.person_invite(
                    actor=request.user, institution=institution, email=data["email"], role=Role(data["role"]),
                    first_name=data["first_name"], last_name=data["last_name"],
                    base_url=request.build_absolute_uri("/").rstrip("/"),
                )
                messages.success(request, _("An invitation was sent to %(email)s.") % {"email": person.email})
            else:
                person = services.person_add(
                    actor=request.user, institution=institution, username=data["username"], email=data["email"],
                    first_name=data["first_name"], last_name=data["last_name"], role=Role(data["role"]),
                    password=data["password"],
                )
                messages.success(request, _("%(name)s was added.") % {"name": person.username})
            return redirect("people")
        except QuotaError as error:
            form.add_error(None, error.message())
        except ValidationError as error:
            _apply_errors(form, error)
    key = "invite_form" if action == "invite" else "add_form"
    return render(request, "organizations/person_list.html", _people_context(request, **{key: form}), status=400)


@require_POST
@role_required(Role.INSTITUTION_ADMIN)
def person_active(request, pk):
    institution = request.user.institution
    require_institution_admin(request.user, institution)
    person = selectors.person_get(institution=institution, pk=pk)
    if person is None:
        raise Http404
    if person.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate yourself."))
        return redirect("people")
    try:
        if request.POST.get("active") == "1":
            services.person_reactivate(actor=request.user, person=person)
            messages.success(request, _("%(name)s can log in again.") % {"name": person.username})
        else:
            services.person_deactivate(actor=request.user, person=person)
            messages.success(request, _("%(name)s was deactivated.") % {"name": person.username})
    except QuotaError as error:
        messages.error(request, error.message())
    return redirect("people")


def _tree_context(institution, **forms):
    regions = selectors.region_list(institution=institution)
    units = selectors.unit_list(institution=institution)
    people = selectors.person_list_for_institution(institution=institution, active_only=True).order_by("username")
    return {
        "institution": institution,
        "regions": regions,
        "units": units,
        "people": people,
        "region_form": forms.get("region_form") or NameForm(prefix="region"),
        "unit_form": forms.get("unit_form") or UnitCreateForm(prefix="unit", regions=regions),
        "move_form": forms.get("move_form") or PersonMoveForm(prefix="move", people=people, units=units),
        "tree_error": forms.get("tree_error"),
    }


@role_required(Role.INSTITUTION_ADMIN)
def org_tree(request):
    institution = request.user.institution
    require_institution_admin(request.user, institution)
    try:
        require_region_management(institution)
    except FeatureLocked as locked:
        return render(request, "organizations/tree_locked.html", {"locked": locked}, status=200)
    if request.method != "POST":
        return render(request, "organizations/tree.html", _tree_context(institution))
    action = request.POST.get("action")
    regions = selectors.region_list(institution=institution)
    units = selectors.unit_list(institution=institution)
    people = selectors.person_list_for_institution(institution=institution, active_only=True)
    forms = {}
    form = None
    try:
        if action == "region":
            form = forms["region_form"] = NameForm(request.POST, prefix="region")
            if form.is_valid():
                services.region_create(actor=request.user, institution=institution, name=form.cleaned_data["name"])
                messages.success(request, _("The region was created."))
                return redirect("org-tree")
        elif action == "unit":
            form = forms["unit_form"] = UnitCreateForm(request.POST, prefix="unit", regions=regions)
            if form.is_valid():
                services.unit_create(
                    actor=request.user, institution=institution, region=form.cleaned_data["region"],
                    name=form.cleaned_data["name"],
                )
                messages.success(request, _("The unit was created."))
                return redirect("org-tree")
        elif action == "move":
            form = forms["move_form"] = PersonMoveForm(request.POST, prefix="move", people=people, units=units)
            if form.is_valid():
                services.person_move(
                    actor=request.user, person=form.cleaned_data["person"], unit=form.cleaned_data["unit"]
                )
                messages.success(request, _("The person was moved."))
                return redirect("org-tree")
        elif action in ("rename-region", "rename-unit"):
            form = NameForm(request.POST, prefix="rename")
            getter = selectors.region_get if action == "rename-region" else selectors.unit_get
            pk = request.POST.get("pk", "")
            target = getter(institution=institution, pk=int(pk)) if pk.isdigit() else None
            if target is None:
                raise Http404
            if form.is_valid():
                rename = services.region_rename if action == "rename-region" else services.unit_rename
                rename(actor=request.user, **{action.removeprefix("rename-"): target}, name=form.cleaned_data["name"])
                messages.success(request, _("The name was changed."))
                return redirect("org-tree")
            forms["tree_error"] = "; ".join(e for errors in form.errors.values() for e in errors)
        else:
            raise Http404
    except ValidationError as error:
        if form is not None and action not in ("rename-region", "rename-unit"):
            _apply_errors(form, error)
        else:
            forms["tree_error"] = "; ".join(error.messages)
    return render(request, "organizations/tree.html", _tree_context(institution, **forms), status=400)



def _monitoring_context(institution, form: GrantForm | None = None) -> dict:
    lock = region_management_lock(institution)
    grants = (
        selectors.monitoring_grant_list(institution=institution, active_only=False)
        .select_related("granted_by", "revoked_by", "unit__region")
        .order_by("-granted_at", "-id")
    )
    return {
        "institution": institution,
        "lock": lock,
        "grants": grants,
        "grant_form": None if lock else form or GrantForm(managers=selectors.person_list_managers(institution=institution)),
    }


@role_required(Role.INSTITUTION_ADMIN)
def monitoring(request):
    """The institution admin gives unit and region managers their monitoring grants and takes them
    back; every grant stays listed with who gave and revoked it and when. Without region
    management (Standard, Professional) giving is shown locked; revoking stays open."""
    institution = request.user.institution
    require_own_institution_admin(request.user, institution)
    if request.method != "POST":
        return render(request, "organizations/monitoring.html", _monitoring_context(institution))
    require_region_management(institution)
    form = GrantForm(request.POST, managers=selectors.person_list_managers(institution=institution))
    if form.is_valid():
        person = form.cleaned_data["person"]
        try:
            services.monitoring_grant_give(actor=request.user, person=person)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            name = person.get_full_name() or person.username
            messages.success(request, _("%(name)s can now monitor their part of the institution.") % {"name": name})
            return redirect("monitoring")
    return render(request, "organizations/monitoring.html", _monitoring_context(institution, form), status=400)


@require_POST
@role_required(Role.INSTITUTION_ADMIN)
def monitoring_revoke(request, pk):
    institution = request.user.institution
    require_own_institution_admin(request.user, institution)
    grant = selectors.monitoring_grant_get(institution=institution, pk=pk)
    if grant is None:
        raise Http404
    services.monitoring_grant_revoke(actor=request.user, grant=grant)
    name = grant.person.get_full_name() or grant.person.username
    messages.success(request, _("The monitoring grant of %(name)s was revoked.") % {"name": name})
    return redirect("monitoring")
