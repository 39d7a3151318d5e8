"""Reads for organization pages and dashboards. Each function runs a fixed number of queries."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from marketplace import permissions as staff_permissions
from marketplace.callers import Caller, key_organization_id, person_of

from .models import Membership, Organization, OrgInvitation, VerificationDocument, VerificationRequest
from .permissions import managed_organization_ids

STAFF_RECENT_LIMIT = 5


# Visibility: what the caller (a user, or an API principal) may see of organizations


def member_organization_ids(caller: Caller | None) -> QuerySet:
    """The ids of the organizations the caller belongs to, as a subquery.

    An organization API key: its own organization, and only while its creator is still a member of
    it (the membership is part of the query, not only of authentication). Anonymous: none.
    """
    user = person_of(caller)
    if user is None:
        return Membership.objects.none().values("organization_id")
    memberships = Membership.objects.filter(user=user)
    key_org = key_organization_id(caller)
    if key_org is not None:
        memberships = memberships.filter(organization_id=key_org)
    return memberships.values("organization_id")


def organizations_visible_to(caller: Caller | None) -> QuerySet[Organization]:
    """Organizations whose private pages the caller sees: the ones they belong to (a key: its own)."""
    return Organization.objects.filter(pk__in=member_organization_ids(caller))


def memberships_visible_to(caller: Caller | None) -> QuerySet[Membership]:
    """Members of the organizations the caller belongs to (members see each other)."""
    return Membership.objects.filter(organization_id__in=member_organization_ids(caller))


def _count_subquery(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("organization").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _open_invitations() -> QuerySet[OrgInvitation]:
    return OrgInvitation.objects.filter(status=OrgInvitation.Status.PENDING, expires_at__gt=timezone.now())


def public_stats() -> dict[str, int]:
    return Organization.objects.aggregate(
        brands=Count("pk", filter=Q(kind=Organization.Kind.BRAND)),
        ngos=Count("pk", filter=Q(kind=Organization.Kind.NGO)),
    )


def memberships_for_user(*, user) -> list[Membership]:
    """The user's memberships with organization, member count and open invitation count."""
    return list(
        Membership.objects.filter(user=user)
        .select_related("organization")
        .annotate(
            member_count=_count_subquery(Membership.objects.filter(organization=OuterRef("organization"))),
            pending_invitation_count=_count_subquery(
                _open_invitations().filter(organization=OuterRef("organization"))
            ),
        )
        .order_by("organization__name", "organization_id")
    )


def invitations_for_user(*, user) -> list[OrgInvitation]:
    """Open invitations sent to the user's email, for organizations they have not joined yet."""
    return list(
        _open_invitations()
        .filter(email=user.email.strip().lower())
        .exclude(organization__memberships__user=user)
        .select_related("organization", "invited_by")
        .order_by("expires_at", "pk")
    )


def org_dashboard(*, user) -> dict[str, Any]:
    return {
        "memberships": memberships_for_user(user=user),
        "pending_invitations": invitations_for_user(user=user),
    }


def org_work_waiting(*, user) -> list[Any]:
    """Campaigns of the organizations the user runs (owner or manager) with work waiting for them:
    applicants to review, counter-offers to answer, drafts to review, posts to confirm.

    One query, whatever the number of organizations and campaigns.
    """
    from campaigns.models import Application, Campaign, Collaboration, CollaborationDeliverable, Invitation

    if user is None or not user.is_authenticated:
        return []
    D = CollaborationDeliverable.Status
    live = CollaborationDeliverable.objects.filter(
        collaboration__campaign=OuterRef("pk"), collaboration__status__in=Collaboration.LIVE
    )

    def counted(queryset: QuerySet, group: str = "campaign") -> Coalesce:
        rows = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    return list(
        Campaign.objects.filter(organization_id__in=managed_organization_ids(user))
        .annotate(
            applicants_waiting=counted(
                Application.objects.filter(campaign=OuterRef("pk"), status__in=Application.OPEN)
            ),
            counters_waiting=counted(
                Invitation.objects.filter(
                    campaign=OuterRef("pk"),
                    status=Invitation.Status.COUNTERED,
                    expires_at__gt=timezone.now(),
                )
            ),
            drafts_waiting=counted(live.filter(status=D.SUBMITTED), "collaboration__campaign"),
            posts_waiting=counted(live.filter(status=D.PUBLISHED), "collaboration__campaign"),
        )
        .filter(
            Q(applicants_waiting__gt=0)
            | Q(counters_waiting__gt=0)
            | Q(drafts_waiting__gt=0)
            | Q(posts_waiting__gt=0)
        )
        .select_related("organization")
        .order_by("organization__name", "organization_id", "-created_at", "-pk")
    )


def staff_dashboard() -> dict[str, Any]:
    """What waits for Kolabo staff: payouts to review or resolve, open disputes, verification
    requests; with the platform's size. A fixed number of queries."""
    from campaigns.models import Dispute
    from payments.models import Payout

    payouts = Payout.objects.aggregate(
        to_review=Count("pk", filter=Q(status__in=Payout.REVIEWABLE)),
        failed=Count("pk", filter=Q(status=Payout.Status.FAILED)),
    )
    return {
        "pending_verifications": VerificationRequest.objects.filter(
            status=VerificationRequest.Status.PENDING
        ).count(),
        "payouts_to_review": payouts["to_review"],
        "payouts_failed": payouts["failed"],
        "open_disputes": Dispute.objects.filter(status=Dispute.Status.OPEN).count(),
        "organizations": Organization.objects.count(),
        "users": get_user_model().objects.count(),
        "recent_verifications": list(verification_queue()[:STAFF_RECENT_LIMIT]),
    }


def organization_for_member(*, user, slug: str) -> tuple[Organization, Membership]:
    """The organization and the user's membership in it. Outsiders get a 404, never a 403."""
    if user is None or not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("organization", "user")
        .filter(user=user, organization__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404
    return membership.organization, membership


def organization_members(*, organization: Organization) -> list[Membership]:
    role_order = {Membership.Role.OWNER: 0, Membership.Role.MANAGER: 1, Membership.Role.VIEWER: 2}
    members = list(organization.memberships.select_related("user").order_by("created_at", "pk"))
    return sorted(members, key=lambda m: role_order.get(m.role, 9))


def organization_pending_invitations(*, organization: Organization) -> list[OrgInvitation]:
    """Pending invitations, expired ones included so members can see they need to resend."""
    return list(
        organization.invitations.filter(status=OrgInvitation.Status.PENDING)
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def verification_latest(*, organization: Organization) -> VerificationRequest | None:
    return (
        organization.verification_requests.select_related("reviewed_by")
        .order_by("-submitted_at", "-pk")
        .first()
    )


def verification_history(*, organization: Organization) -> list[VerificationRequest]:
    """The organization's requests, newest first, with their documents (members see names and dates)."""
    return list(
        organization.verification_requests.select_related("submitted_by", "reviewed_by")
        .prefetch_related("documents")
        .order_by("-submitted_at", "-pk")
    )


def organization_overview(*, organization: Organization) -> dict[str, Any]:
    members = organization_members(organization=organization)
    return {
        "members": members,
        "owner_count": sum(1 for m in members if m.is_owner),
        "pending_invitations": organization_pending_invitations(organization=organization),
        "latest_verification": verification_latest(organization=organization),
        "causes": list(organization.causes.all()),
    }


def verification_queue() -> QuerySet[VerificationRequest]:
    """Pending requests, oldest first, with what a reviewer needs on one screen."""
    return (
        VerificationRequest.objects.filter(status=VerificationRequest.Status.PENDING)
        .select_related("organization", "submitted_by")
        .prefetch_related(
            Prefetch(
                "organization__memberships",
                queryset=Membership.objects.filter(role=Membership.Role.OWNER).select_related("user"),
                to_attr="owner_memberships",
            )
        )
        .order_by("submitted_at", "pk")
    )


def verification_queue_with_documents() -> QuerySet[VerificationRequest]:
    """The queue as the reviewers' page shows it: with each request's documents (names, sizes, links)."""
    return verification_queue().prefetch_related("documents")


def verification_recent_decisions(*, limit: int = 20) -> list[VerificationRequest]:
    return list(
        VerificationRequest.objects.exclude(status=VerificationRequest.Status.PENDING)
        .select_related("organization", "reviewed_by")
        .order_by("-reviewed_at", "-pk")[:limit]
    )


def verification_request_for_staff(*, user, pk: int) -> VerificationRequest:
    """Staff only; anyone else gets a 404 so the queue's existence is not revealed."""
    if not staff_permissions.can_review_verifications(user):
        raise Http404
    return get_object_or_404(VerificationRequest.objects.select_related("organization"), pk=pk)


def verification_document_for_staff(*, user, pk: int) -> VerificationDocument:
    """Verification reviewers only; anyone else, members of the organization included, gets a 404."""
    if not staff_permissions.can_review_verifications(user):
        raise Http404
    return get_object_or_404(VerificationDocument.objects.select_related("organization"), pk=pk)


def invitation_by_token(*, token: str) -> OrgInvitation:
    return get_object_or_404(OrgInvitation.objects.select_related("organization", "invited_by"), token=token)
