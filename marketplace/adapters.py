from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from marketplace.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        # The dashboard routes people who have not onboarded yet to the right form.
        return reverse("dashboard")

    def get_signup_redirect_url(self, request):
        return reverse("dashboard")

    def get_client_ip(self, request):
        # Login and signup limits count per client, with the deployment's proxy settings.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def send_mail(self, template_prefix, email, context):
        """allauth's emails greet with the site's name and link to SITE_URL.

        Without django.contrib.sites allauth takes both from the request's host ("Hello from
        127.0.0.1:8101!"), and the links follow whatever Host header the request carried.
        """
        context = {
            **context,
            "current_site": SimpleNamespace(
                name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc
            ),
        }
        for key, value in context.items():
            if key.endswith("_url") and isinstance(value, str):
                context[key] = on_site(value)
        super().send_mail(template_prefix, email, context)


def on_site(url: str) -> str:
    """`url` (absolute or a path) moved onto SITE_URL: same path, query and fragment."""
    site = urlsplit(settings.SITE_URL.rstrip("/"))
    parts = urlsplit(url)
    return urlunsplit((site.scheme, site.netloc, site.path + parts.path, parts.query, parts.fragment))


def record_mfa_activation(sender, request, user, authenticator, **kwargs):
    """allauth's `authenticator_added` hook: turning TOTP on proves the factor in this session.

    The user just typed a valid code from the new authenticator, after reauthenticating with their
    password, which is as strong as logging in with both. Without this record a staff page sees a
    session that never used MFA right after MFA was switched on.
    """
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator

    if authenticator.type == Authenticator.Type.RECOVERY_CODES or request is None:
        return
    if getattr(request, "user", None) is None or request.user.pk != user.pk:
        return
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, activated=True)
