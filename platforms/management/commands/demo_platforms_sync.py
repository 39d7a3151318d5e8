"""Demo only: connect some demo creators' Instagram and TikTok accounts on the local platform emulator.

The emulator keeps nothing across restarts, so `make run` runs this each time it starts it. For each
chosen demo creator it makes the emulator account (same handle, about the same followers and
engagement, an audience mostly in the creator's country), presses "Allow" through the emulator's
control API, and connects through the code the OAuth callback uses, then refreshes. Running it
again reconnects the same accounts. It refuses to run unless the app points at the emulator.
"""

import json
import urllib.request
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from campaigns.models import Collaboration
from creators.models import CreatorProfile, Platform
from marketplace.demo import DOMAIN
from marketplace.errors import DomainError
from platforms import oauth
from platforms.models import CONNECTABLE
from platforms.services import connections
from platforms.services.refresh import connection_refresh

# The first demo creators get connected accounts (enough to see verified and self-reported side by
# side in discovery, recommendations and media kits), and so does everyone with live work.
DEMO_CONNECTED = 12
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _control(path: str, payload: dict) -> dict:
    request = urllib.request.Request(  # noqa: S310 - the emulator on loopback
        f"{settings.PLATFORM_EMULATOR_URL}/_emulator/{path}",
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with _opener.open(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read().decode()
        if error.code == 400 and "already has an account" in body:
            return {}
        raise CommandError(f"The platform emulator refused {path}: {body}") from None


class Command(BaseCommand):
    help = "Demo only: connect demo creators' accounts on the local Instagram/TikTok emulator."

    def handle(self, *args, **options):
        emulator = getattr(settings, "PLATFORM_EMULATOR_URL", "")
        if not emulator or not settings.INSTAGRAM_API_BASE.startswith(emulator):
            raise CommandError("demo_platforms_sync only talks to the local platform emulator.")
        demo = CreatorProfile.objects.filter(user__email__endswith=f"@{DOMAIN}")
        first = list(demo.order_by("pk").values_list("pk", flat=True)[:DEMO_CONNECTED])
        # Creators with work in progress too, so publishing a verified post can be walked.
        working = demo.filter(collaborations__status__in=Collaboration.LIVE).values_list("pk", flat=True)
        profiles = list(
            demo.filter(pk__in={*first, *working})
            .select_related("user")
            .prefetch_related("social_accounts")
            .order_by("pk")
        )
        connected = 0
        for profile in profiles:
            for account in profile.social_accounts.all():
                if account.platform not in CONNECTABLE:
                    continue
                try:
                    connected += self._connect(profile, account)
                    self.stdout.write(
                        f"  {profile.user.email}: {account.get_platform_display()} @{account.handle}"
                    )
                except DomainError as error:
                    self.stderr.write(f"@{account.handle} ({account.platform}): {error.message}")
        self.stdout.write(f"Connected {connected} demo accounts on the platform emulator at {emulator}.")

    def _connect(self, profile, account) -> int:
        platform = account.platform
        audience = {"country": {profile.country.code or "ID": 70, "SG": 8, "MY": 8, "US": 4}}
        engagement = float(account.engagement_rate) / 100 if platform == Platform.INSTAGRAM else None
        _control(
            "accounts",
            {
                "platform": platform,
                "username": account.handle,
                "followers": account.followers,
                "following": account.following or 300,
                "posts": 24,
                **({"engagement": engagement} if engagement else {}),
                **({"audience": audience} if platform == Platform.INSTAGRAM else {}),
            },
        )
        redirect_uri = settings.SITE_URL.rstrip("/") + reverse("platforms:callback", args=[platform])
        location = _control(
            "authorize",
            {"platform": platform, "username": account.handle, "redirect_uri": redirect_uri, "state": "demo"},
        )["location"]
        code = parse_qs(urlsplit(location).query)["code"][0]
        bundle = oauth.code_exchange(platform, code=code, redirect_uri=redirect_uri)
        platform_profile = oauth.profile_fetch(platform, bundle)
        connection = connections.connection_create(
            profile=profile,
            by_user=profile.user,
            platform=platform,
            token_bundle=bundle,
            platform_profile=platform_profile,
        )
        connection_refresh(connection.pk)
        return 1
