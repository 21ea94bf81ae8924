from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError

from . import selectors, services
from .audit import audit_action_choices
from .audit_display import audit_rows
from .contracts import contract_in_force, region_management_lock, require_region_management
from .decorators import own_institution_row, role_required
from .forms import (
    AuditFilterForm,
    GrantForm,
    NameForm,
    PersonAddForm,
    PersonInviteForm,
    PersonMoveForm,
    UnitCreateForm,
    form_errors_add,
)
from .permissions import (
    FeatureLocked,
    audit_log_scope,
    require_institution_admin,
    require_own_institution_admin,
)
from .roles import VENDOR_SIDE, Role


def _people_context(request, **forms):
    institution = request.user.institution
    subscription = contract_in_force(institution)
    people = selectors.person_list_for_institution(institution=institution).order_by("-is_active", "username")
    return {
        "institution": institution,
        "subscription": subscription,
        "seats": selectors.seat_count(institution=institution),
        "people": people,
        "add_form": forms.get("add_form") or PersonAddForm(prefix="add"),
        "invite_form": forms.get("invite_form") or PersonInviteForm(prefix="invite"),
    }


@role_required(Role.INSTITUTION_ADMIN)
def people(request):
    institution = request.user.institution
    require_institution_admin(request.user, institution)
    if request.method != "POST":
        return render(request, "organizations/person_list.html", _people_context(request))
    action = request.POST.get("action")
    form = (
        PersonInviteForm(request.POST, prefix="invite")
        if action == "invite"
        else PersonAddForm(request.POST, prefix="add")
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "invite":
                person = services.person_invite(
                    actor=request.user,
                    institution=institution,
                    email=data["email"],
                    role=Role(data["role"]),
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    base_url=request.build_absolute_uri("/").rstrip("/"),
                )
                messages.success(request, _("An invitation was sent to %(email)s.") % {"email": person.email})
            else:
                person = services.person_add(
                    actor=request.user,
                    institution=institution,
                    username=data["username"],
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    role=Role(data["role"]),
                    password=data["password"],
                )
                messages.success(request, _("%(name)s was added.") % {"name": person.username})
            return redirect("people")
        except FeatureLocked:
            raise
        except (DomainError, ValidationError) as error:
            form_errors_add(form, error)
    key = "invite_form" if action == "invite" else "add_form"
    return render(
        request, "organizations/person_list.html", _people_context(request, **{key: form}), status=400
    )


@require_POST
@role_required(Role.INSTITUTION_ADMIN)
def person_active(request, pk):
    person = own_institution_row(request, selectors.person_get, pk, check=require_institution_admin)
    try:
        if request.POST.get("active") == "1":
            services.person_reactivate(actor=request.user, person=person)
            messages.success(request, _("%(name)s can log in again.") % {"name": person.username})
        else:
            services.person_deactivate(actor=request.user, person=person)
            messages.success(request, _("%(name)s was deactivated.") % {"name": person.username})
    except FeatureLocked:
        raise
    except DomainError as error:
        messages.error(request, error.message())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("people")


def _tree_context(institution, **forms):
    regions = selectors.region_list(institution=institution)
    units = selectors.unit_list(institution=institution)
    people = selectors.person_list_for_institution(institution=institution, active_only=True).order_by(
        "username"
    )
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


def _tree_page(view):
    """The institution admin's tree pages: on a package without region management every one of
    them shows the feature locked, naming the packages that include it."""

    @role_required(Role.INSTITUTION_ADMIN)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        institution = request.user.institution
        require_institution_admin(request.user, institution)
        try:
            require_region_management(institution)
        except FeatureLocked as locked:
            return render(request, "organizations/tree_locked.html", {"locked": locked}, status=200)
        return view(request, institution, *args, **kwargs)

    return wrapper


def _tree_refused(request, institution, **forms):
    return render(request, "organizations/tree.html", _tree_context(institution, **forms), status=400)


@_tree_page
def org_tree(request, institution):
    return render(request, "organizations/tree.html", _tree_context(institution))


def _tree_submit(request, institution, *, key: str, form, perform, done: str):
    """Run one tree change from its form: back to the tree with `done` said, or the tree again
    with the form showing why the service refused."""
    if form.is_valid():
        try:
            perform(form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, done)
            return redirect("org-tree")
    return _tree_refused(request, institution, **{key: form})


@require_POST
@_tree_page
def tree_region_create(request, institution):
    return _tree_submit(
        request,
        institution,
        key="region_form",
        form=NameForm(request.POST, prefix="region"),
        perform=lambda data: services.region_create(
            actor=request.user, institution=institution, name=data["name"]
        ),
        done=_("The region was created."),
    )


@require_POST
@_tree_page
def tree_unit_create(request, institution):
    return _tree_submit(
        request,
        institution,
        key="unit_form",
        form=UnitCreateForm(
            request.POST, prefix="unit", regions=selectors.region_list(institution=institution)
        ),
        perform=lambda data: services.unit_create(
            actor=request.user, institution=institution, region=data["region"], name=data["name"]
        ),
        done=_("The unit was created."),
    )


@require_POST
@_tree_page
def tree_person_move(request, institution):
    form = PersonMoveForm(
        request.POST,
        prefix="move",
        people=selectors.person_list_for_institution(institution=institution, active_only=True),
        units=selectors.unit_list(institution=institution),
    )
    return _tree_submit(
        request,
        institution,
        key="move_form",
        form=form,
        perform=lambda data: services.person_move(
            actor=request.user, person=data["person"], unit=data["unit"]
        ),
        done=_("The person was moved."),
    )


def _tree_rename_view(getter, rename):
    """The view renaming one region or unit of the institution (404 for another institution's)."""

    @require_POST
    @_tree_page
    def view(request, institution, pk):
        target = getter(institution=institution, pk=pk)
        if target is None:
            raise Http404
        form = NameForm(request.POST, prefix="rename")
        if not form.is_valid():
            errors = "; ".join(e for field_errors in form.errors.values() for e in field_errors)
            return _tree_refused(request, institution, tree_error=errors)
        try:
            rename(request.user, target, form.cleaned_data["name"])
        except ValidationError as error:
            return _tree_refused(request, institution, tree_error="; ".join(error.messages))
        messages.success(request, _("The name was changed."))
        return redirect("org-tree")

    return view


tree_region_rename = _tree_rename_view(
    selectors.region_get,
    lambda actor, region, name: services.region_rename(actor=actor, region=region, name=name),
)
tree_unit_rename = _tree_rename_view(
    selectors.unit_get, lambda actor, unit, name: services.unit_rename(actor=actor, unit=unit, name=name)
)


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
        "grant_form": None
        if lock
        else form or GrantForm(managers=selectors.person_list_managers(institution=institution)),
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
            form_errors_add(form, error)
        else:
            name = person.get_full_name() or person.username
            messages.success(
                request, _("%(name)s can now monitor their part of the institution.") % {"name": name}
            )
            return redirect("monitoring")
    return render(
        request, "organizations/monitoring.html", _monitoring_context(institution, form), status=400
    )


@require_POST
@role_required(Role.INSTITUTION_ADMIN)
def monitoring_revoke(request, pk):
    grant = own_institution_row(request, selectors.monitoring_grant_get, pk)
    services.monitoring_grant_revoke(actor=request.user, grant=grant)
    name = grant.person.get_full_name() or grant.person.username
    messages.success(request, _("The monitoring grant of %(name)s was revoked.") % {"name": name})
    return redirect("monitoring")


@role_required(Role.INSTITUTION_ADMIN, *VENDOR_SIDE)
def audit_log(request):
    """Who changed what in the institution, newest first: an institution admin reads their own
    institution's log; vendor staff read every institution's and may narrow it to one."""
    scope = audit_log_scope(request.user)
    form = AuditFilterForm(
        request.GET,
        action_choices=audit_action_choices(),
        institutions=selectors.institution_list_all_institutions() if scope is None else None,
    )
    filters = form.cleaned_data if form.is_valid() else {}
    chosen = filters.get("institution")
    events = selectors.audit_event_list_for(
        scope=scope, institution_id=chosen.pk if chosen else None, action=filters.get("action", "")
    )
    page = Paginator(events, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "organizations/audit_log.html",
        {
            "page": page,
            "rows": audit_rows(page.object_list, reader=request.user),
            "form": form,
            "all_institutions": scope is None,
        },
    )
