"""Who may see which briefs, offers and collaborations: the one place these rules live.

Every selector takes the caller (a `User`, or an API principal, `marketplace.callers.ApiCaller`)
and returns a queryset. Web views, API views and services all start from these querysets, then
filter, sort and paginate; a single object is `get_object_or_404` over them, so another tenant's
object answers 404. Anonymous callers see nothing.

Organization API keys see their own organization's side only (`brands.selectors`): never the
creator side of the person who made the key, and never another organization's published briefs.

Deliberate rules, the same on the web and through the API (tests/campaigns/test_visibility.py):

- Published briefs are readable by every signed-in person, member or creator, because creators
  read a brief before they apply. Drafts are for the organization's members. Closed, completed and
  cancelled briefs stay readable by members and by the creators who applied, were invited or worked
  on them (their own history). Lists of an organization's campaigns, its applicants, its money and
  its collaborations are for members only.
- A dispute handler (staff role) reads every collaboration that went to a dispute, read-only, to
  settle it: on the web once the session passed MFA (the page asks for it), and through the API only
  in a staff browser session verified with MFA. A personal token carries no MFA proof, so it gets
  the person's own collaborations only. Staff acting on the work are refused by the services (403).
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from brands.selectors import member_organization_ids
from marketplace import permissions as staff_permissions
from marketplace.callers import Caller, acts_as_creator, key_organization_id, may_use_staff_role, person_of

from .models import (
    Application,
    Campaign,
    Collaboration,
    CollaborationDeliverable,
    Dispute,
    Invitation,
    InvitationBatch,
    Sponsorship,
    Submission,
)

NOTHING = Q(pk__in=[])


def as_creator(caller: Caller | None, field: str = "creator__user") -> Q:
    """Rows of the caller's own creator profile; nothing for an organization API key."""
    if not acts_as_creator(caller):
        return NOTHING
    return Q(**{field: person_of(caller)})


def as_organization(caller: Caller | None, field: str = "campaign__organization_id") -> Q:
    """Rows of the organizations the caller belongs to (an API key: its own organization)."""
    if person_of(caller) is None:
        return NOTHING
    return Q(**{f"{field}__in": member_organization_ids(caller)})


# Briefs


def organization_campaigns_visible_to(caller: Caller | None) -> QuerySet[Campaign]:
    """Campaigns of the caller's organizations, drafts included: what members manage."""
    campaigns = Campaign.objects.filter(as_organization(caller, "organization_id"))
    key_org = key_organization_id(caller)
    if key_org is not None:
        # The key's organization id lets the database use the index directly; the membership
        # condition above still holds, so a key whose creator left sees nothing.
        campaigns = campaigns.filter(organization_id=key_org)
    return campaigns


def campaigns_reported_to(caller: Caller | None) -> QuerySet[Campaign]:
    """Campaigns whose results and spend the caller reads: their organizations' own, and the cause
    campaigns one of their organizations sponsors (an accepted sponsorship), read-only."""
    if person_of(caller) is None:
        return Campaign.objects.none()
    organizations = member_organization_ids(caller)  # an API key: its own organization only
    sponsored = Exists(
        Sponsorship.objects.filter(
            campaign=OuterRef("pk"), status=Sponsorship.Status.ACCEPTED, sponsor_id__in=organizations
        )
    )
    return Campaign.objects.filter(Q(organization_id__in=organizations) | sponsored)


def campaigns_visible_to(caller: Caller | None) -> QuerySet[Campaign]:
    """Briefs the caller may read: published ones, their organizations' own, and the closed or
    finished ones they applied to, were invited to or worked on. See the module's rules."""
    user = person_of(caller)
    if user is None:
        return Campaign.objects.none()
    if key_organization_id(caller) is not None:
        return organization_campaigns_visible_to(caller)
    involved = (
        Exists(Application.objects.filter(campaign=OuterRef("pk"), creator__user=user))
        | Exists(Invitation.objects.filter(campaign=OuterRef("pk"), creator__user=user))
        | Exists(Collaboration.objects.filter(campaign=OuterRef("pk"), creator__user=user))
    )
    return Campaign.objects.filter(
        Q(status=Campaign.Status.PUBLISHED)
        | as_organization(caller, "organization_id")
        | (~Q(status=Campaign.Status.DRAFT) & involved)
    )


# Offers


def applications_visible_to(caller: Caller | None) -> QuerySet[Application]:
    """The caller's own applications, and those to their organizations' campaigns."""
    return Application.objects.filter(as_creator(caller) | as_organization(caller))


def invitations_visible_to(caller: Caller | None) -> QuerySet[Invitation]:
    """Invitations the caller received, and those their organizations sent."""
    return Invitation.objects.filter(as_creator(caller) | as_organization(caller))


def invitation_batches_visible_to(caller: Caller | None) -> QuerySet[InvitationBatch]:
    """Bulk invitations of the caller's organizations (members only)."""
    return InvitationBatch.objects.filter(as_organization(caller))


# Collaborations


def collaborations_of(caller: Caller | None) -> QuerySet[Collaboration]:
    """The caller's own collaborations: as the creator, and across their organizations. Lists."""
    return Collaboration.objects.filter(as_creator(caller) | as_organization(caller))


def _dispute_handler(caller: Caller | None) -> bool:
    user = person_of(caller)
    # is_staff_member first: it reads no permissions, so non-staff cost no query.
    return (
        staff_permissions.is_staff_member(user)
        and may_use_staff_role(caller)
        and staff_permissions.can_handle_disputes(user)
    )


def collaborations_visible_to(caller: Caller | None) -> QuerySet[Collaboration]:
    """One collaboration's page: the caller's own, and for a dispute handler every collaboration
    that went to a dispute (read-only; see the module's rules)."""
    visible = as_creator(caller) | as_organization(caller)
    if _dispute_handler(caller):
        visible |= Exists(Dispute.objects.filter(collaboration=OuterRef("pk")))
    return Collaboration.objects.filter(visible)


def disputes_visible_to(caller: Caller | None) -> QuerySet[Dispute]:
    """Disputes on the collaborations the caller sees: both sides', and all of them for a dispute
    handler (who settles them from the staff queue)."""
    return Dispute.objects.filter(collaboration__in=collaborations_visible_to(caller).values("pk"))


def deliverables_visible_to(caller: Caller | None) -> QuerySet[CollaborationDeliverable]:
    return CollaborationDeliverable.objects.filter(
        collaboration__in=collaborations_visible_to(caller).values("pk")
    )


def submissions_visible_to(caller: Caller | None) -> QuerySet[Submission]:
    return Submission.objects.filter(
        deliverable__collaboration__in=collaborations_visible_to(caller).values("pk")
    )
