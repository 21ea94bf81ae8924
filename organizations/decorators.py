"""View guards by role. The rules themselves live in organizations.permissions and the services;
these only turn a person without the role away before a page is built."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .permissions import require_own_institution_admin


def role_required(*roles):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not request.user.is_active or request.user.role not in roles:
                raise PermissionDenied(_("Your role does not give access to this page."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def own_institution_row(request, get, pk, *, check=require_own_institution_admin):
    """The row `pk` of the requesting admin's own institution, read through its tenant-scoped
    selector `get(institution=…, pk=…)` after `check(actor, institution)`; another institution's
    id is a 404, as a missing one."""
    institution = request.user.institution
    check(request.user, institution)
    row = get(institution=institution, pk=pk)
    if row is None:
        raise Http404
    return row
