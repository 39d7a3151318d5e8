"""Notification kinds for the campaign lifecycle, and who receives them."""

from django.utils.translation import gettext_lazy as _

from brands.models import Membership, Organization
from marketplace.models import User
from marketplace.notifications import register
from marketplace.services import notify

KINDS = {
    "application.created": (
        _("%(creator)s applied to “%(campaign)s”."),
        _("New application for %(campaign)s"),
    ),
    "application.accepted": (
        _("%(organization)s accepted your application to “%(campaign)s”. The collaboration has started."),
        _("You're in: %(campaign)s"),
    ),
    "application.declined": (
        _("%(organization)s declined your application to “%(campaign)s”. %(reason)s"),
        _("Application update for %(campaign)s"),
    ),
    "application.closed": (
        _("“%(campaign)s” is no longer taking applications, so your application was closed."),
        _("%(campaign)s has closed"),
    ),
    "invitation.created": (
        _("%(organization)s invited you to “%(campaign)s” for %(fee)s. Answer before %(expires)s."),
        _("Invitation: %(campaign)s"),
    ),
    "invitation.countered": (
        _("%(creator)s answered your invitation to “%(campaign)s” with a counter-offer of %(fee)s."),
        _("Counter-offer on %(campaign)s"),
    ),
    "invitation.counter_declined": (
        _(
            "%(organization)s declined your counter-offer on “%(campaign)s”. The original offer of %(fee)s still stands."
        ),
        _("Counter-offer declined: %(campaign)s"),
    ),
    "invitation.counter_accepted": (
        _(
            "%(organization)s accepted your counter-offer of %(fee)s on “%(campaign)s”. The collaboration has started."
        ),
        _("Counter-offer accepted: %(campaign)s"),
    ),
    "invitation.revoked": (
        _("%(organization)s withdrew its invitation to “%(campaign)s”. %(reason)s"),
        _("Invitation withdrawn: %(campaign)s"),
    ),
    "invitation.accepted": (
        _("%(creator)s accepted your invitation to “%(campaign)s”."),
        _("Invitation accepted: %(campaign)s"),
    ),
    "invitation.declined": (
        _("%(creator)s declined your invitation to “%(campaign)s”."),
        _("Invitation declined: %(campaign)s"),
    ),
    "invitation.expired": (
        _("The invitation to “%(campaign)s” for %(creator)s expired without an answer."),
        _("Invitation expired: %(campaign)s"),
    ),
    "invitation.expiring": (
        _("Your invitation to “%(campaign)s” expires in less than 48 hours, on %(expires)s."),
        _("Reminder: invitation to %(campaign)s expires soon"),
    ),
    "invitation.closed": (
        _("The invitation to “%(campaign)s” was withdrawn: %(reason)s"),
        _("Invitation withdrawn: %(campaign)s"),
    ),
    "collaboration.started": (
        _("Your collaboration on “%(campaign)s” with %(creator)s has started. Content is due %(due)s."),
        _("Collaboration started: %(campaign)s"),
    ),
    "submission.created": (
        _("%(creator)s submitted a draft of %(deliverable)s for “%(campaign)s” (round %(round)s)."),
        _("Draft to review: %(campaign)s"),
    ),
    "submission.changes_requested": (
        _("%(organization)s asked for changes to %(deliverable)s on “%(campaign)s”: %(feedback)s"),
        _("Changes requested: %(campaign)s"),
    ),
    "submission.approved": (
        _("%(organization)s approved %(deliverable)s on “%(campaign)s”. You can publish it now."),
        _("Draft approved: %(campaign)s"),
    ),
    "deliverable.published": (
        _("%(creator)s published %(deliverable)s for “%(campaign)s”. Please confirm it within 5 days."),
        _("Please confirm the published post: %(campaign)s"),
    ),
    "deliverable.confirmed": (
        _("%(organization)s confirmed your published %(deliverable)s on “%(campaign)s”."),
        _("Post confirmed: %(campaign)s"),
    ),
    "deliverable.auto_confirmed": (
        _(
            "%(creator)s's published %(deliverable)s for “%(campaign)s” was confirmed automatically after %(days)s days without an answer."
        ),
        _("Post confirmed automatically: %(campaign)s"),
    ),
    "collaboration.completed": (
        _("The collaboration on “%(campaign)s” with %(creator)s is complete. You can now rate each other."),
        _("Collaboration complete: %(campaign)s"),
    ),
    "collaboration.cancelled": (
        _("The collaboration on “%(campaign)s” with %(creator)s was cancelled: %(reason)s"),
        _("Collaboration cancelled: %(campaign)s"),
    ),
    "campaign.cancelled": (
        _("%(organization)s cancelled “%(campaign)s”: %(reason)s"),
        _("Campaign cancelled: %(campaign)s"),
    ),
    "dispute.raised": (
        _("A dispute was raised on the collaboration “%(campaign)s” with %(creator)s: %(reason)s"),
        _("Dispute raised: %(campaign)s"),
    ),
    "dispute.resolved": (
        _("Kolabo staff resolved the dispute on “%(campaign)s”: %(outcome)s. %(resolution)s"),
        _("Dispute resolved: %(campaign)s"),
    ),
    "message.created": (
        _("%(author)s wrote on “%(campaign)s”: %(excerpt)s"),
        _("New message: %(campaign)s"),
    ),
    "deadline.content_due": (
        _("Content for “%(campaign)s” is due in less than 48 hours, on %(due)s."),
        _("Reminder: content due for %(campaign)s"),
    ),
    "rating.received": (
        _("You received a %(score)s-star rating for “%(campaign)s”."),
        _("New rating: %(campaign)s"),
    ),
}

for _kind, (_text, _subject) in KINDS.items():
    register(_kind, text=_text, subject=_subject)


def org_recipients(organization: Organization | int) -> list[User]:
    """The people who act on campaign events: owners and managers."""
    org_id = organization if isinstance(organization, int) else organization.pk
    return list(
        User.objects.filter(
            memberships__organization_id=org_id,
            memberships__role__in=[Membership.Role.OWNER, Membership.Role.MANAGER],
            is_active=True,
        ).order_by("pk")
    )


def notify_org(*, organization, kind: str, key: str, params: dict, url: str = "") -> None:
    """Notify every owner and manager once; `key` identifies the event, the recipient is appended."""
    for user in org_recipients(organization):
        notify(recipient=user, kind=kind, dedupe_key=f"{key}:u{user.pk}", params=params, url=url)


def notify_user(*, user: User, kind: str, key: str, params: dict, url: str = "") -> None:
    notify(recipient=user, kind=kind, dedupe_key=f"{key}:u{user.pk}", params=params, url=url)
