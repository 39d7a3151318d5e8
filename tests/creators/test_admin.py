import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from creators.models import SocialAccount
from marketplace.models import AuditEvent
from tests.creators.factories import RateCardItemFactory
from tests.marketplace.factories import UserFactory
from tests.marketplace.mfa_helpers import login_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:creators_creatorprofile_changelist",
        "admin:creators_socialaccount_changelist",
        "admin:creators_ratecarditem_changelist",
        "admin:creators_niche_changelist",
        "admin:creators_cause_changelist",
    ],
)
def test_staff_can_browse_and_search_creator_data(client, creator, admin_user, url_name):
    RateCardItemFactory(profile=creator.creator_profile)
    login_with_mfa(client, admin_user)
    response = client.get(reverse(url_name), {"q": "ayu"})
    assert response.status_code == 200


def test_profile_admin_shows_accounts_and_rate_card_inline(client, creator, admin_user):
    RateCardItemFactory(profile=creator.creator_profile)
    login_with_mfa(client, admin_user)
    response = client.get(reverse("admin:creators_creatorprofile_change", args=[creator.creator_profile.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "ayu.cooks" in page
    assert "1500000" in page or "1,500,000" in page or "1500000.00" in page


def test_staff_verifies_a_social_account_from_the_admin_and_it_is_audited(client, creator, admin_user):
    account = creator.creator_profile.social_accounts.get()
    login_with_mfa(client, admin_user)

    response = client.post(
        reverse("admin:creators_socialaccount_changelist"),
        {"action": "mark_verified", ACTION_CHECKBOX_NAME: [account.pk]},
    )

    assert response.status_code == 302
    assert SocialAccount.objects.get(pk=account.pk).verified is True
    event = AuditEvent.objects.get(action="social_account.verified")
    assert (event.actor, event.to_status) == (admin_user, "true")
