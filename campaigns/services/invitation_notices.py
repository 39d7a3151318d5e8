"""Notifications about an invitation, shared by creating, answering and expiring one."""

from datetime import datetime

from django.urls import reverse
from django.utils import formats, timezone

from campaigns.models import Invitation
from campaigns.notifications import notify_org
from marketplace.money import format_money
from marketplace.services import notify_user


def format_date(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value))


def _params(invitation: Invitation, **extra) -> dict:
    campaign = invitation.campaign
    return {
        "organization": campaign.organization.name,
        "campaign": campaign.title,
        "creator": invitation.creator.display_name,
        "fee": format_money(invitation.offered_fee, campaign.currency),
        "expires": format_date(invitation.expires_at),
        **extra,
    }


def _url(invitation: Invitation) -> str:
    return reverse("campaigns:invitation_detail", args=[invitation.pk])


def notice_for(invitation: Invitation, kind: str, key: str, url: str, extra: dict) -> dict:
    """A notification about `invitation`: the key defaults to `<kind>:<pk>`, the link to the invitation page."""
    return {
        "kind": kind,
        "key": key or f"{kind}:{invitation.pk}",
        "params": _params(invitation, **extra),
        "url": url or _url(invitation),
    }


def tell_creator(invitation: Invitation, kind: str, *, key: str = "", url: str = "", **extra) -> None:
    notify_user(user=invitation.creator.user, **notice_for(invitation, kind, key, url, extra))


def tell_org(invitation: Invitation, kind: str, *, key: str = "", url: str = "", **extra) -> None:
    notify_org(
        organization=invitation.campaign.organization_id, **notice_for(invitation, kind, key, url, extra)
    )
