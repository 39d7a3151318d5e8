"""Domain errors raised by services. Views show them as plain messages; the API maps them to 4xx."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule refused the action. The message is safe to show to the user."""

    code = "domain_error"
    default_message = _("This action is not allowed.")

    def __init__(self, message=None, *, field=None):
        self.message = message or self.default_message
        self.field = field
        super().__init__(str(self.message))


class InvalidTransition(DomainError):
    """The object is not in a state that allows this move (HTTP 409 in the API)."""

    code = "invalid_transition"
    default_message = _("This action is not possible in the current state.")


class PermissionDeniedError(DomainError):
    code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class ValidationFailed(DomainError):
    code = "validation_failed"
    default_message = _("The data is not valid.")
