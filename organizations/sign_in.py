"""The sign-in page and the way through an institution's OpenID Connect provider. The page takes a
username and password (local accounts, and LDAP directories: `name@domain`), and offers a second
form that starts the institution's OpenID Connect sign-in from the person's e-mail address."""

from django import forms
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .backends import OIDC_SESSION_KEY, oidc_directory_settings
from .directories import DirectoryUnavailable, directory_for_username, oidc_sign_in_offered
from .models import Directory


class SignInForm(AuthenticationForm):
    """Django's sign-in form, which shows the directory's own refusal (down, no group, the user cap)
    instead of "wrong password" when the directory gave one."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            error = getattr(self.request, "directory_error", None)
            if error:
                raise ValidationError(str(error), code="directory") from None
            raise


class DirectorySignInForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your institution e-mail address"), max_length=254)


class SignInView(LoginView):
    authentication_form = SignInForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Offered once some institution signs in through OpenID Connect.
        if oidc_sign_in_offered():
            context["directory_form"] = DirectorySignInForm(prefix="directory")
        return context


class DirectoryOIDCStart(OIDCAuthenticationRequestView):
    """Sends the person to the OpenID Connect provider of the institution their e-mail address's
    domain picks; back on the sign-in page with a message when there is none or it does not answer."""

    def __init__(self, **kwargs):
        # mozilla-django-oidc reads one provider from the settings here; ours is chosen per request.
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def get(self, request):
        form = DirectorySignInForm(request.GET, prefix="directory")
        directory = directory_for_username(form.data.get("directory-email"), kind=Directory.Kind.OIDC)
        if not form.is_valid() or directory is None:
            messages.error(request, _("No institution signs in with this address's directory."))
            return redirect("login")
        try:
            settings_ = oidc_directory_settings(directory)
        except DirectoryUnavailable as error:
            messages.error(request, str(error))
            return redirect("login")
        self.OIDC_OP_AUTH_ENDPOINT = settings_["OIDC_OP_AUTHORIZATION_ENDPOINT"]
        self.OIDC_RP_CLIENT_ID = settings_["OIDC_RP_CLIENT_ID"]
        request.session[OIDC_SESSION_KEY] = directory.pk
        return super().get(request)


class DirectoryOIDCCallback(OIDCAuthenticationCallbackView):
    def login_failure(self):
        error = getattr(self.request, "directory_error", None)
        messages.error(
            self.request,
            str(error) if error else _("Your institution's directory did not sign you in. Please try again."),
        )
        return redirect("login")
