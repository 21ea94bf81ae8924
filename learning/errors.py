"""Refusals of the learning services. Each renders itself as a translated sentence; the web shows
it as a message and the API as a 409 in the one error shape."""

from django.utils.translation import gettext as _


class TrainingError(Exception):
    code = "training_error"

    def message(self) -> str:
        raise NotImplementedError

    def __str__(self):
        return self.message()


class RegistrationClosed(TrainingError):
    code = "registration_closed"

    def message(self) -> str:
        return _("This session has already started; registration is closed.")
