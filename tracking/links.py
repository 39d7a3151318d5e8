"""Tracked links: one short link /r/<code> and one promo code per collaboration.

The link is created when the collaboration starts (campaigns.services.collaborations), and lazily
for collaborations that started before tracking existed (the collaboration page, or
`links_ensure_for_campaign`). The destination is the campaign's TrackingSettings.target_url with
UTM parameters and the click id appended; see `destination_url`.
"""

import secrets
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from campaigns.models import Campaign, Collaboration

from .models import TrackedLink

# No 0/o, 1/l/i: a code read off a poster or typed from a story is typed right.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 8
PROMO_BASE_LENGTH = 10
PROMO_FALLBACK = "KOLABO"
ATTEMPTS = 8

# The click id a conversion names to be attributed (H2's postback and pixel read it back).
CLICK_PARAMETER = "kclid"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def promo_base(name: str) -> str:
    """ "Ayu Lestari" → "AYU", "Dé Wi" → "DEWI": ASCII letters and digits of the first word, or of
    the whole name when the first word is shorter than three characters."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = ["".join(ch for ch in word if ch.isalnum()) for word in ascii_name.split()]
    words = [word for word in words if word]
    if not words:
        return PROMO_FALLBACK
    base = words[0] if len(words[0]) >= 3 else "".join(words)
    base = base[:PROMO_BASE_LENGTH].upper()
    return base if len(base) >= 3 else PROMO_FALLBACK


def _promo_code(campaign_id: int, base: str, attempt: int) -> str:
    """`base` + two random digits not taken in the campaign (four after a few collisions)."""
    taken = set(
        TrackedLink.objects.filter(campaign_id=campaign_id, promo_code__startswith=base).values_list(
            "promo_code", flat=True
        )
    )
    digits = 2 if attempt < 3 and len(taken) < 60 else 4
    low, high = 10 ** (digits - 1), 10**digits
    for _ in range(50):
        code = f"{base}{secrets.randbelow(high - low) + low}"
        if code not in taken:
            return code
    return f"{base}{secrets.randbelow(900_000) + 100_000}"


def link_for_collaboration(collaboration: Collaboration) -> TrackedLink:
    """The collaboration's tracked link, created (with a fresh code and promo code) if missing.

    Safe to call inside a caller's transaction: the insert runs in a savepoint, and a concurrent
    creation for the same collaboration returns the row that won.
    """
    link = TrackedLink.objects.filter(collaboration_id=collaboration.pk).first()
    if link is not None:
        return link
    base = promo_base(collaboration.creator.display_name)
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return TrackedLink.objects.create(
                    collaboration=collaboration,
                    campaign_id=collaboration.campaign_id,
                    code=new_code(),
                    promo_code=_promo_code(collaboration.campaign_id, base, attempt),
                )
        except IntegrityError:
            # Either another request created this collaboration's link, or the code/promo code
            # collided: take the winner's row, or try fresh codes.
            link = TrackedLink.objects.filter(collaboration_id=collaboration.pk).first()
            if link is not None:
                return link
    raise RuntimeError(f"No free tracked link code after {ATTEMPTS} attempts")


def links_ensure_for_campaign(campaign: Campaign) -> int:
    """Create the missing links of a campaign's collaborations (those started before tracking
    existed); returns how many were created. Idempotent."""
    missing = (
        Collaboration.objects.filter(campaign=campaign, tracked_link__isnull=True)
        .select_related("creator")
        .order_by("pk")
    )
    created = 0
    for collaboration in missing:
        link_for_collaboration(collaboration)
        created += 1
    return created


def normalise_promo_code(code: str) -> str:
    return (code or "").strip().upper()


def link_by_promo_code(campaign_id: int, promo_code: str) -> TrackedLink | None:
    """The campaign's link with this promo code, whatever its case, or None."""
    code = normalise_promo_code(promo_code)
    if not code:
        return None
    return TrackedLink.objects.filter(campaign_id=campaign_id, promo_code=code).first()


# Destination


@dataclass(frozen=True)
class LinkTarget:
    """What the redirect needs about one link, read in one query."""

    link_id: int
    code: str
    collaboration_id: int
    campaign_id: int
    target_url: str  # "" until the organization sets one
    utm: dict[str, str]


def default_utm_campaign(campaign_id: int, title: str) -> str:
    return slugify(title)[:80].strip("-") or f"campaign-{campaign_id}"


def _target(row: dict) -> LinkTarget:
    utm = {
        "utm_source": row["campaign__tracking__utm_source"] or "",
        "utm_medium": row["campaign__tracking__utm_medium"] or "",
        "utm_campaign": row["campaign__tracking__utm_campaign"]
        or default_utm_campaign(row["campaign_id"], row["campaign__title"]),
        "utm_content": row["code"],
    }
    return LinkTarget(
        link_id=row["pk"],
        code=row["code"],
        collaboration_id=row["collaboration_id"],
        campaign_id=row["campaign_id"],
        target_url=row["campaign__tracking__target_url"] or "",
        utm={key: value for key, value in utm.items() if value},
    )


TARGET_FIELDS = (
    "pk",
    "code",
    "collaboration_id",
    "campaign_id",
    "campaign__title",
    "campaign__tracking__target_url",
    "campaign__tracking__utm_source",
    "campaign__tracking__utm_medium",
    "campaign__tracking__utm_campaign",
)


def link_target(code: str) -> LinkTarget | None:
    """The link behind /r/<code> and its campaign's destination, or None for an unknown code."""
    if not code or len(code) > TrackedLink._meta.get_field("code").max_length:
        return None
    row = TrackedLink.objects.filter(code=code.lower()).values(*TARGET_FIELDS).first()
    return _target(row) if row else None


def link_target_for(link: TrackedLink) -> LinkTarget:
    row = TrackedLink.objects.filter(pk=link.pk).values(*TARGET_FIELDS).get()
    return _target(row)


def destination_url(target: LinkTarget, *, click_token: str | None) -> str:
    """The target URL with UTM parameters and the click id added.

    The target's own query string and fragment are kept; a UTM parameter the organization already
    wrote into the target URL wins over ours. `kclid` is always ours (and left out for bots).
    """
    parts = urlsplit(target.target_url)
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key != CLICK_PARAMETER
    ]
    present = {key for key, _ in query}
    query += [(key, value) for key, value in target.utm.items() if key not in present]
    if click_token:
        query.append((CLICK_PARAMETER, click_token))
    return urlunsplit(parts._replace(query=urlencode(query)))
