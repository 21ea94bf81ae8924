"""Signing in with a username and password, as Django's ModelBackend does it."""

from django.contrib.auth.backends import ModelBackend

from .models import User


class PersonBackend(ModelBackend):
    """ModelBackend that reads the signed-in person with their institution: every page names the
    institution in its header, and the customer's pages read it again for the contract and the
    tickets. One query per request instead of two; read afresh on every request, so a move or a
    deactivation shows at once."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("institution").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
