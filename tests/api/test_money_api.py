"""Money over the API: a creator's payouts and earnings, a campaign's balance, staff payout review.

Staff review moves money: only a staff browser session verified with MFA may do it. API keys and
personal tokens are refused there, even a staff member's own token.
"""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from payments.models import Payout
from payments.services import payouts
from tests.api.conftest import bearer, make_key, make_token
from tests.campaigns.factories import CampaignFactory
from tests.marketplace.factories import UserFactory
from tests.payments.test_pages import completed_payout, login_with_mfa, payouts_enabled

pytestmark = pytest.mark.django_db

FEE = Decimal("1000000.00")
S = Payout.Status


@pytest.fixture
def payout(campaign, brand_owner, creator):
    return completed_payout(campaign, creator.creator_profile, brand_owner)


@pytest.fixture
def creator_api(creator):
    return bearer(make_token(creator))


@pytest.fixture
def staff_api(staff_user):
    """A staff browser session that logged in with a second factor (the login form is not JSON)."""
    browser = login_with_mfa(Client(), staff_user)
    api = APIClient()
    api.cookies = browser.cookies
    return api


# The creator's view


def test_a_creator_lists_their_payouts_with_the_review_note(payout, creator_api, brand_org, brand_owner):
    other = completed_payout(CampaignFactory(organization=brand_org), make_other_creator(), brand_owner)
    payouts.payout_reject(payout=payout, by_user=UserFactory(is_staff=True), reason="The post was deleted.")

    response = creator_api.get(reverse("api:payouts"))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [payout.pk]  # not the other creator's
    assert rows[0]["status"] == S.REJECTED
    assert rows[0]["review_note"] == "The post was deleted."
    assert (rows[0]["amount"], rows[0]["currency"]) == ("1000000.00", "IDR")
    assert rows[0]["organization"] == brand_org.slug
    assert other.pk not in [row["id"] for row in rows]


def make_other_creator():
    from tests.campaigns.factories import make_creator

    return make_creator()


def test_earnings_are_per_currency_from_the_ledger_and_payouts(payout, creator_api):
    response = creator_api.get(reverse("api:earnings"))

    assert response.status_code == 200
    assert response.json() == [
        {
            "currency": "IDR",
            "owed": "1000000.00",
            "pending": "1000000.00",
            "sending": "0.00",
            "paid": "0.00",
            "failed": "0.00",
            "commissions": {
                "owed": "0.00",
                "waiting": "0.00",
                "pending": "0.00",
                "sending": "0.00",
                "paid": "0.00",
                "failed": "0.00",
            },
        }
    ]


def test_creator_money_is_not_for_organizations_or_people_without_a_profile(payout, write_key, brand_owner):
    for url in (reverse("api:payouts"), reverse("api:earnings")):
        assert write_key.get(url).status_code == 403  # an organization key is not a creator
        assert bearer(make_token(brand_owner)).get(url).status_code == 404


@pytest.mark.parametrize("size", [1, 100])
def test_the_payout_list_runs_a_constant_number_of_queries(
    creator, brand_org, brand_owner, creator_api, size, django_assert_max_num_queries
):
    for _ in range(size):
        completed_payout(CampaignFactory(organization=brand_org), creator.creator_profile, brand_owner)

    with django_assert_max_num_queries(8):
        response = creator_api.get(reverse("api:payouts"), {"page_size": 100})

    assert len(response.json()["results"]) == size


# Campaign balance


def test_the_campaign_balance_comes_from_the_ledger(payout, campaign, read_key):
    response = read_key.get(reverse("api:campaign_balance", args=[campaign.pk]))

    assert response.status_code == 200
    body = response.json()
    assert body["campaign"] == campaign.pk and body["currency"] == campaign.currency
    assert body["owed"] == "1000000.00"  # the completed collaboration, not paid out yet
    assert Decimal(body["funded"]) >= Decimal(body["owed"])
    assert {"available", "reserved", "paid", "refunded", "fees", "funding_needed", "checkout_total"} <= set(
        body
    )


def test_another_organizations_balance_is_404(campaign, ngo_org):
    other = bearer(make_key(ngo_org, ngo_org.memberships.get().user))

    assert other.get(reverse("api:campaign_balance", args=[campaign.pk])).status_code == 404


# Staff review


def test_staff_approve_with_an_mfa_session(payout, creator, staff_api, django_capture_on_commit_callbacks):
    payouts_enabled(creator.creator_profile)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff_api.post(reverse("api:staff_payout_approve", args=[payout.pk]))

    assert response.status_code == 200
    assert response.json()["status"] == S.APPROVED
    assert len(callbacks) == 1  # the transfer is queued after commit
    payout.refresh_from_db()
    assert payout.status == S.APPROVED


def test_approving_twice_is_a_409(payout, creator, staff_api, django_capture_on_commit_callbacks):
    payouts_enabled(creator.creator_profile)
    with django_capture_on_commit_callbacks(execute=False):
        staff_api.post(reverse("api:staff_payout_approve", args=[payout.pk]))

    response = staff_api.post(reverse("api:staff_payout_approve", args=[payout.pk]))

    assert response.status_code == 409
    assert response.json()["type"] == "conflict"


def test_staff_reject_needs_a_reason_the_creator_then_reads(payout, staff_api, creator_api):
    url = reverse("api:staff_payout_reject", args=[payout.pk])

    blank = staff_api.post(url, {"reason": "   "}, format="json")
    assert blank.status_code == 400
    assert list(blank.json()["fields"]) == ["reason"]

    response = staff_api.post(url, {"reason": "The post was deleted after a day."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == S.REJECTED
    mine = creator_api.get(reverse("api:payouts")).json()["results"][0]
    assert mine["review_note"] == "The post was deleted after a day."


def test_the_staff_queue_filters_by_status(payout, staff_api):
    review = staff_api.get(reverse("api:staff_payouts"))
    paid = staff_api.get(reverse("api:staff_payouts"), {"status": "paid"})
    bad = staff_api.get(reverse("api:staff_payouts"), {"status": "nonsense"})

    assert [row["id"] for row in review.json()["results"]] == [payout.pk]
    assert review.json()["results"][0]["payouts_enabled"] is False
    assert paid.json()["results"] == []
    assert bad.status_code == 400


def test_staff_actions_refuse_tokens_keys_and_sessions_without_mfa(
    payout, creator, staff_user, brand_org, brand_owner
):
    payouts_enabled(creator.creator_profile)
    staff_token = bearer(make_token(staff_user))
    org_key = bearer(make_key(brand_org, brand_owner))
    no_mfa = APIClient()
    no_mfa.force_login(staff_user)
    not_staff = APIClient()
    not_staff.force_login(brand_owner)

    for caller in (staff_token, org_key, no_mfa, not_staff):
        assert caller.get(reverse("api:staff_payouts")).status_code == 403
        assert caller.post(reverse("api:staff_payout_approve", args=[payout.pk])).status_code == 403
        response = caller.post(reverse("api:staff_payout_reject", args=[payout.pk]), {"reason": "x"})
        assert response.status_code == 403
    assert APIClient().get(reverse("api:staff_payouts")).status_code in (401, 403)
    payout.refresh_from_db()
    assert payout.status == S.REQUESTED


def test_an_unknown_payout_is_404(staff_api, db):
    assert staff_api.post(reverse("api:staff_payout_approve", args=[999999])).status_code == 404


def test_payout_actions_are_rate_limited(payout, staff_api, settings):
    settings.API_SENSITIVE_LIMITS = {**settings.API_SENSITIVE_LIMITS, "payouts": (1, 3600)}

    first = staff_api.post(reverse("api:staff_payout_approve", args=[payout.pk]))
    second = staff_api.post(reverse("api:staff_payout_approve", args=[payout.pk]))

    assert first.status_code == 409  # no Stripe account yet: refused by the service, still counted
    assert second.status_code == 429


@pytest.mark.parametrize("size", [1, 100])
def test_the_staff_queue_runs_a_constant_number_of_queries(
    creator, brand_org, brand_owner, staff_api, size, django_assert_max_num_queries
):
    for _ in range(size):
        completed_payout(CampaignFactory(organization=brand_org), creator.creator_profile, brand_owner)

    with django_assert_max_num_queries(14):
        response = staff_api.get(reverse("api:staff_payouts"), {"page_size": 100})

    assert len(response.json()["results"]) == size
