"""Notification kinds for the campaign lifecycle, and who receives them."""

from django.utils.translation import gettext_lazy as _

from brands.models import Organization
from brands.permissions import MANAGER_ROLES
from marketplace.models import User
from marketplace.notifications import CREATOR, ORGANIZATION, STAFF, for_audience, register
from marketplace.services import notify

# Who a notification is written for (marketplace.notifications). Each kind has one wording per
# audience that receives it, so the reader sees the other side's name, never their own; the first
# wording is also the one shown for rows written before audiences existed.

KINDS = {
    "application.created": {
        ORGANIZATION: (
            _("%(creator)s applied to “%(campaign)s”."),
            _("New application for %(campaign)s"),
        ),
    },
    "application.accepted": {
        CREATOR: (
            _("%(organization)s accepted your application to “%(campaign)s”. The collaboration has started."),
            _("You're in: %(campaign)s"),
        ),
    },
    "application.declined": {
        CREATOR: (
            _("%(organization)s declined your application to “%(campaign)s”. %(reason)s"),
            _("Application update for %(campaign)s"),
        ),
    },
    "application.closed": {
        CREATOR: (
            _("“%(campaign)s” is no longer taking applications, so your application was closed."),
            _("%(campaign)s has closed"),
        ),
    },
    "invitation.created": {
        CREATOR: (
            _("%(organization)s invited you to “%(campaign)s” for %(fee)s. Answer before %(expires)s."),
            _("Invitation: %(campaign)s"),
        ),
    },
    "invitation.countered": {
        ORGANIZATION: (
            _("%(creator)s answered your invitation to “%(campaign)s” with a counter-offer of %(fee)s."),
            _("Counter-offer on %(campaign)s"),
        ),
    },
    "invitation.counter_declined": {
        CREATOR: (
            _(
                "%(organization)s declined your counter-offer on “%(campaign)s”. "
                "The original offer of %(fee)s still stands."
            ),
            _("Counter-offer declined: %(campaign)s"),
        ),
    },
    "invitation.counter_accepted": {
        CREATOR: (
            _(
                "%(organization)s accepted your counter-offer of %(fee)s on “%(campaign)s”. "
                "The collaboration has started."
            ),
            _("Counter-offer accepted: %(campaign)s"),
        ),
    },
    "invitation.revoked": {
        CREATOR: (
            _("%(organization)s withdrew its invitation to “%(campaign)s”. %(reason)s"),
            _("Invitation withdrawn: %(campaign)s"),
        ),
    },
    "invitation.accepted": {
        ORGANIZATION: (
            _("%(creator)s accepted your invitation to “%(campaign)s”."),
            _("Invitation accepted: %(campaign)s"),
        ),
    },
    "invitation.declined": {
        ORGANIZATION: (
            _("%(creator)s declined your invitation to “%(campaign)s”."),
            _("Invitation declined: %(campaign)s"),
        ),
    },
    "invitation.expired": {
        ORGANIZATION: (
            _("Your invitation to %(creator)s for “%(campaign)s” expired without an answer."),
            _("Invitation expired: %(campaign)s"),
        ),
        CREATOR: (
            _("The invitation from %(organization)s to “%(campaign)s” expired without an answer."),
            _("Invitation expired: %(campaign)s"),
        ),
    },
    "invitation.expiring": {
        CREATOR: (
            _(
                "The invitation from %(organization)s to “%(campaign)s” expires in less than 48 hours, "
                "on %(expires)s."
            ),
            _("Reminder: invitation to %(campaign)s expires soon"),
        ),
    },
    "invitation.closed": {
        CREATOR: (
            _("%(organization)s withdrew its invitation to “%(campaign)s”: %(reason)s"),
            _("Invitation withdrawn: %(campaign)s"),
        ),
    },
    "collaboration.started": {
        CREATOR: (
            _(
                "Your collaboration with %(organization)s on “%(campaign)s” has started. Content is due %(due)s."
            ),
            _("Collaboration started: %(campaign)s"),
        ),
        ORGANIZATION: (
            _("Your collaboration with %(creator)s on “%(campaign)s” has started. Content is due %(due)s."),
            _("Collaboration started: %(campaign)s"),
        ),
    },
    "submission.created": {
        ORGANIZATION: (
            _("%(creator)s submitted a draft of %(deliverable)s for “%(campaign)s” (round %(round)s)."),
            _("Draft to review: %(campaign)s"),
        ),
    },
    "submission.changes_requested": {
        CREATOR: (
            _("%(organization)s asked for changes to %(deliverable)s on “%(campaign)s”: %(feedback)s"),
            _("Changes requested: %(campaign)s"),
        ),
    },
    "submission.approved": {
        CREATOR: (
            _("%(organization)s approved %(deliverable)s on “%(campaign)s”. You can publish it now."),
            _("Draft approved: %(campaign)s"),
        ),
    },
    "deliverable.published": {
        ORGANIZATION: (
            _("%(creator)s published %(deliverable)s for “%(campaign)s”. Please confirm it within 5 days."),
            _("Please confirm the published post: %(campaign)s"),
        ),
    },
    # Kolabo read the verified post's caption; `missing` is hashtags only, the same in every language.
    "deliverable.caption_problems": {
        CREATOR: (
            _(
                "The caption of your published %(deliverable)s for “%(campaign)s” lacks: %(missing)s. "
                "Add it to the post's caption before %(organization)s confirms it."
            ),
            _("Caption check: %(campaign)s"),
        ),
        ORGANIZATION: (
            _(
                "%(creator)s published %(deliverable)s for “%(campaign)s”, but its caption lacks: "
                "%(missing)s. Check the post before you confirm it."
            ),
            _("Caption check: %(campaign)s"),
        ),
    },
    "deliverable.confirmed": {
        CREATOR: (
            _("%(organization)s confirmed your published %(deliverable)s on “%(campaign)s”."),
            _("Post confirmed: %(campaign)s"),
        ),
    },
    "deliverable.auto_confirmed": {
        ORGANIZATION: (
            _(
                "%(creator)s's published %(deliverable)s for “%(campaign)s” was confirmed automatically "
                "after %(days)s days without an answer."
            ),
            _("Post confirmed automatically: %(campaign)s"),
        ),
        CREATOR: (
            _(
                "Your published %(deliverable)s for “%(campaign)s” was confirmed automatically: "
                "%(organization)s did not answer within %(days)s days."
            ),
            _("Post confirmed automatically: %(campaign)s"),
        ),
    },
    "collaboration.completed": {
        ORGANIZATION: (
            _(
                "Your collaboration with %(creator)s on “%(campaign)s” is complete. You can now rate each other."
            ),
            _("Collaboration complete: %(campaign)s"),
        ),
        CREATOR: (
            _(
                "Your collaboration with %(organization)s on “%(campaign)s” is complete. "
                "You can now rate each other."
            ),
            _("Collaboration complete: %(campaign)s"),
        ),
    },
    # Sent to the side that did not cancel: the creator hears it from the organization, and back.
    "collaboration.cancelled": {
        ORGANIZATION: (
            _("%(creator)s cancelled the collaboration on “%(campaign)s”: %(reason)s"),
            _("Collaboration cancelled: %(campaign)s"),
        ),
        CREATOR: (
            _("%(organization)s cancelled the collaboration on “%(campaign)s”: %(reason)s"),
            _("Collaboration cancelled: %(campaign)s"),
        ),
    },
    "campaign.cancelled": {
        CREATOR: (
            _("%(organization)s cancelled “%(campaign)s”: %(reason)s"),
            _("Campaign cancelled: %(campaign)s"),
        ),
        ORGANIZATION: (
            _("“%(campaign)s” was cancelled, and its collaborations with it: %(reason)s"),
            _("Campaign cancelled: %(campaign)s"),
        ),
    },
    # The other side of the collaboration hears it from the side that raised it; staff hear both names.
    "dispute.raised": {
        ORGANIZATION: (
            _("%(creator)s raised a dispute on your collaboration on “%(campaign)s”: %(reason)s"),
            _("Dispute raised: %(campaign)s"),
        ),
        CREATOR: (
            _("%(organization)s raised a dispute on your collaboration on “%(campaign)s”: %(reason)s"),
            _("Dispute raised: %(campaign)s"),
        ),
        STAFF: (
            _(
                "A dispute was raised on the collaboration between %(organization)s and %(creator)s "
                "on “%(campaign)s”: %(reason)s"
            ),
            _("Dispute raised: %(campaign)s"),
        ),
    },
    "dispute.resolved": {
        ORGANIZATION: (
            _(
                "Kolabo staff resolved the dispute with %(creator)s on “%(campaign)s”: "
                "%(outcome)s. %(resolution)s"
            ),
            _("Dispute resolved: %(campaign)s"),
        ),
        CREATOR: (
            _(
                "Kolabo staff resolved the dispute with %(organization)s on “%(campaign)s”: "
                "%(outcome)s. %(resolution)s"
            ),
            _("Dispute resolved: %(campaign)s"),
        ),
    },
    "message.created": {
        ORGANIZATION: (
            _("%(creator)s wrote on “%(campaign)s”: %(excerpt)s"),
            _("New message from %(creator)s: %(campaign)s"),
        ),
        CREATOR: (
            _("%(author)s of %(organization)s wrote on “%(campaign)s”: %(excerpt)s"),
            _("New message from %(organization)s: %(campaign)s"),
        ),
    },
    "deadline.content_due": {
        CREATOR: (
            _("Content for “%(campaign)s” is due in less than 48 hours, on %(due)s."),
            _("Reminder: content due for %(campaign)s"),
        ),
    },
    # Sent to the side that was rated, naming the side that rated.
    "rating.received": {
        ORGANIZATION: (
            _("%(creator)s rated your organization %(score)s out of 5 for “%(campaign)s”."),
            _("New rating: %(campaign)s"),
        ),
        CREATOR: (
            _("%(organization)s rated your work on “%(campaign)s” %(score)s out of 5."),
            _("New rating: %(campaign)s"),
        ),
    },
}

for _kind, _wordings in KINDS.items():
    _text, _subject = next(iter(_wordings.values()))
    register(_kind, text=_text, subject=_subject, audiences=_wordings)


def org_recipients(organization: Organization | int) -> list[User]:
    """The people who act on campaign events: owners and managers."""
    org_id = organization if isinstance(organization, int) else organization.pk
    return list(
        User.objects.filter(
            memberships__organization_id=org_id,
            memberships__role__in=MANAGER_ROLES,
            is_active=True,
        ).order_by("pk")
    )


def notify_org(*, organization, kind: str, key: str, params: dict, url: str = "") -> None:
    """Notify every owner and manager once; `key` identifies the event, the recipient is appended."""
    params = for_audience(params, ORGANIZATION)
    for user in org_recipients(organization):
        notify(recipient=user, kind=kind, dedupe_key=f"{key}:u{user.pk}", params=params, url=url)
