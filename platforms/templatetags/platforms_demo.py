"""The demo's link to the local platform emulator, where whoever walks the demo can post."""

from urllib.parse import quote

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def emulator_account_url(platform: str, username: str) -> str:
    """The emulator's page of this account, or "" unless Kolabo talks to the emulator: production
    defines no PLATFORM_EMULATOR_URL, and a development setup may point at the real platforms."""
    base = (getattr(settings, "PLATFORM_EMULATOR_URL", "") or "").rstrip("/")
    if not base or not username or not getattr(settings, "INSTAGRAM_API_BASE", "").startswith(f"{base}/"):
        return ""
    return f"{base}/{quote(platform)}/@{quote(username)}"
