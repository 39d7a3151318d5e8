"""Two-factor setup for staff: one page that says why, and turns TOTP on in one step."""

from allauth.account.forms import ReauthenticateForm
from allauth.account.internal.flows.reauthentication import (
    is_reauthentication_required,
    reauthenticate_by_password,
)
from allauth.core import ratelimit
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal.flows import activate_totp
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from .decorators import session_used_mfa
from .permissions import is_staff_member


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("dashboard")


@never_cache
@login_required
def staff_mfa_setup(request):
    """Staff without MFA land here from any staff page.

    allauth's own activation asks for the password on a separate page first; here the password
    (when allauth wants it again) and the authenticator code go in the same form.
    """
    if not is_staff_member(request.user):
        raise Http404
    next_url = _next_url(request)
    if is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
        if session_used_mfa(request):
            return HttpResponseRedirect(next_url)
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{request.GET.urlencode()}")

    needs_password = is_reauthentication_required(request, app="allauth.mfa")
    if request.method == "POST":
        # The same limit as allauth's own reauthentication page: no password guessing from here.
        limited = ratelimit.consume_or_429(request, action="reauthenticate", user=request.user)
        if limited:
            return limited
        form = ActivateTOTPForm(request.POST, user=request.user)
        password_form = ReauthenticateForm(request.POST, user=request.user) if needs_password else None
        password_ok = password_form is None or password_form.is_valid()
        if password_ok and form.is_valid():
            if password_form is not None:
                reauthenticate_by_password(request)
            _totp, recovery = activate_totp(request, form)
            codes = RecoveryCodes(recovery).get_unused_codes() if recovery else []
            return render(request, "marketplace/staff_mfa_done.html", {"codes": codes, "next_url": next_url})
        status = 400
    else:
        form = ActivateTOTPForm(user=request.user)
        password_form = ReauthenticateForm(user=request.user) if needs_password else None
        status = 200

    adapter = get_mfa_adapter()
    totp_url = adapter.build_totp_url(request.user, form.secret)
    svg = adapter.build_totp_svg(totp_url)
    svg = svg[svg.find("<svg") :]  # drop the XML declaration: the SVG goes inline in HTML
    return render(
        request,
        "marketplace/staff_mfa_setup.html",
        {
            "form": form,
            "password_form": password_form,
            "secret": form.secret,
            "totp_url": totp_url,
            # Inline SVG (made by allauth's QR code library from the secret), no data: URL needed.
            "totp_svg": svg,
            "next_url": next_url,
        },
        status=status,
    )
