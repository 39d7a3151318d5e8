"""Staff roles are permissions (marketplace/permissions.py), not `is_staff`."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from brands import services as brand_services
from brands.models import VerificationRequest
from campaigns.models import Collaboration, Dispute
from campaigns.services import conversation
from marketplace import permissions
from marketplace.errors import PermissionDeniedError
from marketplace.models import Notification
from payments.models import Payout
from payments.services import payouts
from tests.brands.factories import VerificationRequestFactory
from tests.campaigns.factories import in_days, make_creator, start_collaboration
from tests.marketplace.factories import UserFactory
from tests.marketplace.mfa_helpers import login_with_mfa
from tests.payments.test_pages import completed_payout

pytestmark = pytest.mark.django_db

PAYOUT_QUEUE = "payments:payout_queue"
VERIFICATION_QUEUE = "brands:verification_queue"
DISPUTE_QUEUE = "campaigns:dispute_queue"


@pytest.fixture
def payout(campaign, brand_owner):
    return completed_payout(campaign, make_creator(), brand_owner)


def overdue_collaboration(campaign, by_user):
    collaboration = start_collaboration(campaign, make_creator(), by_user=by_user)
    Collaboration.objects.filter(pk=collaboration.pk).update(
        due_date=in_days(-1)
    )  # disputes open when overdue
    collaboration.refresh_from_db()
    return collaboration


@pytest.fixture
def dispute(campaign, brand_owner):
    collaboration = overdue_collaboration(campaign, brand_owner)
    return conversation.dispute_raise(collaboration=collaboration, by_user=brand_owner, reason="No post yet")


def test_the_migration_creates_one_group_per_role_with_its_permission():
    # Asked straight from the database: nothing in this test created the groups.
    for name, codename in permissions.ROLE_GROUPS.items():
        group = Group.objects.get(name=name)
        assert list(group.permissions.values_list("content_type__app_label", "codename")) == [
            ("marketplace", codename)
        ]


def test_each_role_allows_only_its_own_work(
    support_staff, payout_reviewer, verification_reviewer, dispute_handler
):
    checks = (
        permissions.can_review_payouts,
        permissions.can_review_verifications,
        permissions.can_handle_disputes,
    )
    assert [check(support_staff) for check in checks] == [False, False, False]
    assert [check(payout_reviewer) for check in checks] == [True, False, False]
    assert [check(verification_reviewer) for check in checks] == [False, True, False]
    assert [check(dispute_handler) for check in checks] == [False, False, True]
    assert all(permissions.is_staff_member(u) for u in (support_staff, payout_reviewer, dispute_handler))


def test_a_superuser_holds_every_role_and_an_inactive_or_ordinary_user_none(user):
    superuser = UserFactory(is_staff=True, is_superuser=True, staff_roles=[])
    gone = UserFactory(is_staff=True, is_active=False)
    checks = (
        permissions.can_review_payouts,
        permissions.can_review_verifications,
        permissions.can_handle_disputes,
    )
    assert [check(superuser) for check in checks] == [True, True, True]
    assert [check(gone) for check in checks] == [False, False, False]
    assert [check(user) for check in checks] == [False, False, False]
    with pytest.raises(PermissionDeniedError):
        permissions.require_payout_reviewer(user)
    permissions.require_payout_reviewer(superuser)


def test_being_staff_is_not_enough_to_approve_a_payout(payout, support_staff, payout_reviewer):
    with pytest.raises(PermissionDeniedError, match="payout reviewer role"):
        payouts.payout_reject(payout=payout, by_user=support_staff, reason="Not allowed")
    payout.refresh_from_db()
    assert payout.status == Payout.Status.REQUESTED

    payouts.payout_reject(payout=payout, by_user=payout_reviewer, reason="The post was deleted.")
    payout.refresh_from_db()
    assert payout.status == Payout.Status.REJECTED


def test_verification_needs_the_verification_reviewer_role(brand_org, payout_reviewer, verification_reviewer):
    request = VerificationRequestFactory(organization=brand_org)
    with pytest.raises(PermissionDeniedError):
        brand_services.verification_request_approve(request=request, by_user=payout_reviewer)
    brand_services.verification_request_approve(request=request, by_user=verification_reviewer)
    request.refresh_from_db()
    assert request.status == VerificationRequest.Status.APPROVED


def test_disputes_need_the_dispute_handler_role(dispute, payout_reviewer, dispute_handler):
    with pytest.raises(PermissionDeniedError):
        conversation.dispute_resolve(
            dispute=dispute, by_user=payout_reviewer, outcome="resume", resolution="Go on."
        )
    conversation.dispute_resolve(
        dispute=dispute, by_user=dispute_handler, outcome="resume", resolution="Go on."
    )
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.RESOLVED


def test_only_dispute_handlers_are_told_about_a_new_dispute(
    campaign, brand_owner, payout_reviewer, dispute_handler
):
    collaboration = overdue_collaboration(campaign, brand_owner)
    conversation.dispute_raise(collaboration=collaboration, by_user=brand_owner, reason="No post yet")

    told = set(Notification.objects.filter(kind="dispute.raised").values_list("recipient__email", flat=True))
    assert dispute_handler.email in told
    assert payout_reviewer.email not in told


@pytest.mark.parametrize(
    ("fixture", "allowed"),
    [
        ("support_staff", set()),
        ("payout_reviewer", {PAYOUT_QUEUE}),
        ("verification_reviewer", {VERIFICATION_QUEUE}),
        ("dispute_handler", {DISPUTE_QUEUE}),
        ("staff_user", {PAYOUT_QUEUE, VERIFICATION_QUEUE, DISPUTE_QUEUE}),
    ],
)
def test_each_queue_opens_only_for_its_role(request, fixture, allowed):
    client = login_with_mfa(Client(), request.getfixturevalue(fixture))
    for queue in (PAYOUT_QUEUE, VERIFICATION_QUEUE, DISPUTE_QUEUE):
        expected = 200 if queue in allowed else 404
        assert client.get(reverse(queue)).status_code == expected, queue


def test_the_staff_payout_api_needs_the_payout_reviewer_role(payout, support_staff, payout_reviewer):
    def api_as(user):
        api = APIClient()
        api.cookies = login_with_mfa(Client(), user).cookies
        return api

    assert api_as(support_staff).get(reverse("api:staff_payouts")).status_code == 403
    assert api_as(payout_reviewer).get(reverse("api:staff_payouts")).status_code == 200


def test_granting_roles_survives_a_missing_group(user):
    Group.objects.filter(name=permissions.PAYOUT_REVIEWERS).delete()  # as after a test database flush

    permissions.grant_staff_roles(user, permissions.PAYOUT_REVIEWERS)

    user.refresh_from_db()
    assert user.is_staff
    assert permissions.can_review_payouts(user)
    assert not permissions.can_handle_disputes(user)


def test_staff_open_a_disputed_collaboration_only_from_a_session_verified_with_mfa(
    client, dispute, dispute_handler
):
    url = reverse("campaigns:collaboration_detail", args=[dispute.collaboration_id])
    client.force_login(dispute_handler)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff_mfa_setup"))

    login_with_mfa(client, dispute_handler)
    assert client.get(url).status_code == 200
