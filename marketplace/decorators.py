"""Access guards shared by every app."""

from functools import wraps

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def session_used_mfa(request) -> bool:
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user))


def require_mfa(view_func):
    """Let the view run only for a user whose current session was verified with a second factor.

    Without MFA set up the user is sent to set it up; with MFA set up but a session that never
    used it (it was turned on after login), the user is asked to log in again.
    """

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_mfa_enabled(request.user):
            messages.warning(request, _("This page needs two-factor authentication. Set it up to continue."))
            return redirect("mfa_activate_totp")
        if not session_used_mfa(request):
            messages.warning(request, _("Log in again with your authenticator code to continue."))
            return redirect_to_login(request.get_full_path())
        return view_func(request, *args, **kwargs)

    return wrapper


class RequireMFAMixin:
    """Class-based twin of `require_mfa`."""

    @classmethod
    def as_view(cls, **initkwargs):
        return require_mfa(super().as_view(**initkwargs))
