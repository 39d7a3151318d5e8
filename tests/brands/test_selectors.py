from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from brands import selectors
from brands.models import Membership
from tests.marketplace.factories import UserFactory

from .factories import OrganizationFactory, OrgInvitationFactory, VerificationRequestFactory

pytestmark = pytest.mark.django_db


def test_public_stats_count_brands_and_ngos(brand_org, ngo_org):
    OrganizationFactory(kind="ngo")

    assert selectors.public_stats() == {"brands": 1, "ngos": 2}


def test_org_dashboard_lists_memberships_with_counts_and_open_invitations_for_me(
    brand_org, brand_manager, brand_viewer, ngo_org, django_assert_num_queries
):
    OrgInvitationFactory(organization=brand_org, email="someone@example.com")
    OrgInvitationFactory(
        organization=brand_org, email="late@example.com", expires_at=timezone.now() - timedelta(1)
    )
    OrgInvitationFactory(organization=brand_org, email="gone@example.com", status="revoked")
    for_me = OrgInvitationFactory(organization=ngo_org, email=brand_manager.email, role="viewer")
    OrgInvitationFactory(
        organization=OrganizationFactory(),
        email=brand_manager.email,
        expires_at=timezone.now() - timedelta(1),
    )

    with django_assert_num_queries(2):
        dashboard = selectors.org_dashboard(user=brand_manager)

    [membership] = dashboard["memberships"]
    assert membership.organization == brand_org
    assert membership.role == Membership.Role.MANAGER
    assert membership.member_count == 3
    assert membership.pending_invitation_count == 1
    assert membership.organization.verification_status == "unverified"
    assert dashboard["pending_invitations"] == [for_me]


def test_org_dashboard_is_empty_for_a_newcomer(user):
    assert selectors.org_dashboard(user=user) == {"memberships": [], "pending_invitations": []}


def test_staff_dashboard_counts(brand_org, ngo_org, staff_user):
    pending = VerificationRequestFactory(organization=brand_org)
    VerificationRequestFactory(organization=ngo_org, status="approved")

    stats = selectors.staff_dashboard()

    assert stats["pending_verifications"] == 1
    assert stats["organizations"] == 2
    assert stats["users"] >= 4
    assert stats["recent_verifications"] == [pending]


def test_organization_for_member_returns_org_and_membership(brand_org, brand_viewer):
    org, membership = selectors.organization_for_member(user=brand_viewer, slug=brand_org.slug)

    assert org == brand_org
    assert membership.role == Membership.Role.VIEWER


def test_organization_for_member_hides_other_orgs(brand_org, outsider):
    with pytest.raises(Http404):
        selectors.organization_for_member(user=outsider, slug=brand_org.slug)
    with pytest.raises(Http404):
        selectors.organization_for_member(user=outsider, slug="does-not-exist")


def test_verification_queue_is_oldest_first_with_owners(brand_org, ngo_org, django_assert_num_queries):
    first = VerificationRequestFactory(organization=brand_org)
    second = VerificationRequestFactory(organization=ngo_org)
    for _ in range(3):
        Membership.objects.create(organization=ngo_org, user=UserFactory(), role=Membership.Role.OWNER)

    with django_assert_num_queries(2):
        queue = list(selectors.verification_queue())
        owners = [len(r.organization.owner_memberships) for r in queue]

    assert queue == [first, second]
    assert owners == [1, 4]
