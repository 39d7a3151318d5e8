"""Access guards shared by every app."""

from functools import wraps
from urllib.parse import urlencode

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _


def session_used_mfa(request) -> bool:
    """Did this session prove a second factor: at login, by reauthenticating, or by turning one on?"""
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user))


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def mfa_redirect(request):
    """Where a logged-in user must go before a staff page opens, or None when the session may pass.

    Without MFA: the staff setup page (explains why, sets up TOTP in one step). With MFA set up in
    another session: allauth's MFA reauthentication, which records the code for this session.
    Never the login page: allauth sends an authenticated user straight back, which loops.
    """
    next_url = request.get_full_path()
    if not is_mfa_enabled(request.user):
        return HttpResponseRedirect(_with_next("staff_mfa_setup", next_url))
    if not session_used_mfa(request):
        messages.info(request, _("Enter the code from your authenticator app to open staff pages."))
        return HttpResponseRedirect(_with_next("mfa_reauthenticate", next_url))
    return None


def require_mfa(view_func):
    """Let the view run only for a user whose current session was verified with a second factor."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        response = mfa_redirect(request)
        if response is not None:
            return response
        return view_func(request, *args, **kwargs)

    return wrapper


class RequireMFAMixin:
    """Class-based twin of `require_mfa`."""

    @classmethod
    def as_view(cls, **initkwargs):
        return require_mfa(super().as_view(**initkwargs))


def staff_page(role_check):
    """A staff page: login, then the role (`marketplace.permissions.can_*`), then MFA.

    People without the role get a 404, as if the page did not exist; the MFA step comes after the
    role check so nobody else is ever sent to the staff two-factor setup.
    """

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not role_check(request.user):
                raise Http404
            response = mfa_redirect(request)
            if response is not None:
                return response
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator
