"""The base class of every domain error. A service refuses an action by raising a subclass; the
web shows its translated message, the API answers with its `code`, its `status_code` and the
facts of `as_dict()` in the one error shape (slaportal/api/errors.py), so adding an error never
means teaching the API a new class."""


class DomainError(Exception):
    """A refusal by a business rule, with what the person needs to act on it.

    `code` is stable and meant for programs; `status_code` is the HTTP status the API answers
    with (403 the package does not allow it, 409 the current state refuses it, 422 the action's
    own rule refuses it); `message()` is the translated sentence for people."""

    code = "domain_error"
    status_code = 409

    def message(self) -> str:
        raise NotImplementedError

    def as_dict(self) -> dict:
        """The error's facts for programs (JSON values), next to `code` and `message`."""
        return {}

    def __str__(self):
        return self.message()
