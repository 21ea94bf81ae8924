"""Passwords changed and reset, on the web and in the apps: the same rules as Django's own
views — the password validators, the reset e-mail and its one-use link — with an audit row for
every change. The reset e-mail leaves through the one outbox, in its recipient's language."""

from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import loader
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _

from core.languages import email_language
from core.outbox import outbox_enqueue

from .audit import audit_record
from .models import User


def _set_password(*, actor: User, person: User, new_password: str, action: str) -> User:
    form = SetPasswordForm(person, {"new_password1": new_password, "new_password2": new_password})
    if not form.is_valid():
        raise ValidationError({"new_password": form.errors["new_password2"]})
    with transaction.atomic():
        form.save()
        audit_record(actor=actor, action=action, target=person)
    return person


def password_change(*, actor: User, old_password: str, new_password: str) -> User:
    """The signed-in person's own password. The old one must match (ValidationError on
    `old_password`), the new one pass the validators (on `new_password`). Records
    `person.password_change`; the session hash changes, so every signed URL made before stops."""
    if not actor.check_password(old_password):
        raise ValidationError(
            {"old_password": [_("Your old password was entered incorrectly. Please enter it again.")]}
        )
    return _set_password(
        actor=actor, person=actor, new_password=new_password, action="person.password_change"
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, its e-mail queued in the outbox (one per person and link) instead of
    sent on the request, rendered in the person's e-mail language."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        person = context["user"]
        language = email_language(person.pk)
        with translation.override(language):
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
            html = (
                loader.render_to_string(html_email_template_name, context) if html_email_template_name else ""
            )
        outbox_enqueue(
            cause=f"organizations.password_reset:{person.pk}:{context['token']}",
            recipient=to_email,
            subject=subject,
            body=body,
            html=html,
            language=language,
        )


def password_reset_request(*, email: str, request) -> None:
    """Send the reset e-mail the web's "Forgot your password?" sends, to the active people with
    this address and a usable password. Says nothing of whether anyone has it."""
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(request=request, use_https=request.is_secure())


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password with the link of the reset e-mail (its `uid` and `token`): one use, good
    for PASSWORD_RESET_TIMEOUT. Records `person.password_reset`."""
    try:
        person = User.objects.get(pk=force_str(urlsafe_base64_decode(uid)), is_active=True)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        person = None
    if person is None or not default_token_generator.check_token(person, token):
        raise ValidationError(
            {"token": [_("The password reset link was invalid, possibly because it has already been used.")]}
        )
    return _set_password(
        actor=person, person=person, new_password=new_password, action="person.password_reset"
    )
