"""What an organization that Kolabo staff have not verified may do: the one home of these limits.

Kolabo's choice is "publish under stated limits". An organization that is not verified (never
asked, waiting for review, rejected, or verified once and then rejected) may:

- have at most UNVERIFIED_MAX_PUBLISHED_BRIEFS published briefs at a time;
- send at most UNVERIFIED_MAX_INVITATIONS_PER_BRIEF invitations per brief, counting every
  invitation ever sent on it whatever its status (single, bulk, background batch or API);
- not take part in sponsorships.

A verified organization has no limits. The status is read when the action happens, so an
organization whose verification is later withdrawn falls back to the limits for new actions;
what it already published or sent stays as it is.

Services call `unverified_limits_refusal` under their own lock; pages call `unverified_limits_notice`
to state the limits before anyone runs into them.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketplace.errors import DomainError, InvalidTransition, ValidationFailed

PUBLISH = "publish"
INVITE = "invite"
SPONSORSHIP = "sponsorship"
ACTIONS = (PUBLISH, INVITE, SPONSORSHIP)


def max_published_briefs() -> int:
    return settings.UNVERIFIED_MAX_PUBLISHED_BRIEFS


def max_invitations_per_brief() -> int:
    return settings.UNVERIFIED_MAX_INVITATIONS_PER_BRIEF


def is_limited(organization) -> bool:
    return not organization.is_verified


def published_brief_count(organization, *, exclude_campaign_id: int | None = None) -> int:
    from campaigns.models import Campaign

    briefs = Campaign.objects.filter(organization_id=organization.pk, status=Campaign.Status.PUBLISHED)
    if exclude_campaign_id is not None:
        briefs = briefs.exclude(pk=exclude_campaign_id)
    return briefs.count()


def invitations_sent(campaign) -> int:
    """Every invitation the brief ever sent, whatever became of it: declining does not give one back."""
    from campaigns.models import Invitation

    return Invitation.objects.filter(campaign_id=campaign.pk).count()


def invitations_remaining(campaign) -> int | None:
    """How many more invitations the brief may send; None when its organization is verified."""
    if not is_limited(campaign.organization):
        return None
    return max(max_invitations_per_brief() - invitations_sent(campaign), 0)


def _verify_hint() -> str:
    return _("Verify your organization to lift the limit.")


def unverified_limits_refusal(
    organization, *, action: str, campaign=None, count: int = 1
) -> DomainError | None:
    """Why an organization that is not verified may not do `action` now, or None when it may.

    - "publish": publish `campaign` (a draft) while other briefs are published;
    - "invite": send `count` new invitations on `campaign` (the refusal names how many remain,
      and nothing is sent: a bulk invite never goes out half);
    - "sponsorship": offer, accept or take a brand sponsorship.

    Call it under the lock the action takes (the campaign row for invitations, the organization
    row for publishing), with the organization read under that lock.
    """
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}; expected one of {', '.join(ACTIONS)}.")
    if not is_limited(organization):
        return None
    if action == PUBLISH:
        limit = max_published_briefs()
        published = published_brief_count(
            organization, exclude_campaign_id=campaign.pk if campaign is not None else None
        )
        if published < limit:
            return None
        return InvalidTransition(
            ngettext(
                "%(org)s is not verified yet, so it can have %(limit)s published brief at a time, and it "
                "already has %(published)s. Close that brief first, or verify your organization to "
                "lift the limit.",
                "%(org)s is not verified yet, so it can have %(limit)s published briefs at a time, and it "
                "already has %(published)s. Close one of them first, or verify your organization to "
                "lift the limit.",
                limit,
            )
            % {"org": organization.name, "limit": limit, "published": published}
        )
    if action == INVITE:
        if campaign is None:
            raise ValueError("The invite limit is per brief: pass the campaign.")
        limit = max_invitations_per_brief()
        remaining = max(limit - invitations_sent(campaign), 0)
        if count <= remaining:
            return None
        if remaining == 0:
            message = ngettext(
                "This brief has sent its %(limit)s invitation, the most an organization that is not "
                "verified can send per brief. %(hint)s",
                "This brief has sent its %(limit)s invitations, the most an organization that is not "
                "verified can send per brief. %(hint)s",
                limit,
            ) % {"limit": limit, "hint": _verify_hint()}
        else:
            message = ngettext(
                "Your organization is not verified yet, so this brief can send %(remaining)s more "
                "invitation (at most %(limit)s per brief); these would be %(count)s. Nothing was sent: "
                "choose at most %(remaining)s creator, or verify your organization to lift the limit.",
                "Your organization is not verified yet, so this brief can send %(remaining)s more "
                "invitations (at most %(limit)s per brief); these would be %(count)s. Nothing was sent: "
                "choose at most %(remaining)s creators, or verify your organization to lift the limit.",
                remaining,
            ) % {"remaining": remaining, "limit": limit, "count": count}
        return ValidationFailed(message, field="creators")
    return InvalidTransition(
        _(
            "%(org)s is not verified yet: sponsorships are open to verified organizations only. "
            "Request verification from the organization's page."
        )
        % {"org": organization.name}
    )


@dataclass(frozen=True)
class LimitsNotice:
    """What a page of an organization that is not verified says about its limits."""

    text: str
    verification_url: str
    max_published_briefs: int
    max_invitations_per_brief: int
    # For a brief's pages: invitations it may still send.
    invitations_remaining: int | None = None


def limits_text() -> str:
    briefs = max_published_briefs()
    invitations = max_invitations_per_brief()
    return _(
        "Your organization is not verified yet: you can publish %(briefs)s and invite up to "
        "%(creators)s per brief. Verify to lift the limits."
    ) % {
        "briefs": ngettext("%(count)s brief", "%(count)s briefs", briefs) % {"count": briefs},
        "creators": ngettext("%(count)s creator", "%(count)s creators", invitations) % {"count": invitations},
    }


def unverified_limits_notice(organization, *, campaign=None) -> LimitsNotice | None:
    """The limits to show on the organization's pages, or None when it is verified (no limits)."""
    if not is_limited(organization):
        return None
    return LimitsNotice(
        text=limits_text(),
        verification_url=reverse("brands:verification_request", args=[organization.slug]),
        max_published_briefs=max_published_briefs(),
        max_invitations_per_brief=max_invitations_per_brief(),
        invitations_remaining=invitations_remaining(campaign) if campaign is not None else None,
    )
