"""An organization API key acts with its creator's *current* role, checked on every request.

Each change is checked on the very next request, with the credential cache warm (on the default
local-memory cache, and on Redis when one is configured): a removed or deactivated creator's key
answers 401, a creator demoted to viewer leaves the key read-only.
"""

import pytest
from django.urls import reverse

from api.authentication import cache_key
from api.models import ApiKey
from brands.models import Membership
from brands.services import membership_change_role, membership_remove
from campaigns.services import conversation
from tests.api.conftest import bearer, make_key
from tests.campaigns.factories import make_creator, start_collaboration


@pytest.fixture
def org_world(brand_org, brand_owner, brand_manager, campaign):
    """A manager's read-write key, and a collaboration with a private message thread."""
    collaboration = start_collaboration(campaign, make_creator(), by_user=brand_owner)
    conversation.message_create(collaboration=collaboration, by_user=brand_owner, body="Our launch date.")
    client = bearer(make_key(brand_org, brand_manager, scope=ApiKey.Scope.READ_WRITE))
    return {
        "client": client,
        "reads": [
            reverse("api:campaigns"),
            reverse("api:campaign", args=[campaign.pk]),
            reverse("api:campaign_balance", args=[campaign.pk]),
            reverse("api:collaboration_messages", args=[collaboration.pk]),
            reverse("api:organization_members", args=[brand_org.slug]),
            reverse("api:organization", args=[brand_org.slug]),
        ],
        "write": reverse("api:campaign_close", args=[campaign.pk]),
        "membership": Membership.objects.get(organization=brand_org, user=brand_manager),
    }


def _warm(client, urls):
    """Every read works before the change, and the key now sits in the credential cache."""
    from django.core.cache import cache

    for url in urls:
        assert client.get(url).status_code == 200, url
    assert cache.get(cache_key(ApiKey, ApiKey.objects.get().prefix)) is not None


def _assert_error(response, status_code, error_type):
    assert response.status_code == status_code
    body = response.json()
    assert body["type"] == error_type
    assert set(body) == {"type", "code", "detail"}
    return body


def test_a_removed_members_key_reads_nothing_at_once(org_world, brand_owner, any_cache):
    client = org_world["client"]
    _warm(client, org_world["reads"])

    membership_remove(membership=org_world["membership"], by_user=brand_owner)

    for url in org_world["reads"]:
        body = _assert_error(client.get(url), 401, "authentication_error")
        assert "no longer a member" in body["detail"]
    _assert_error(client.post(org_world["write"], {}, format="json"), 401, "authentication_error")


def test_a_member_who_leaves_takes_their_keys_with_them(org_world, brand_manager, any_cache):
    client = org_world["client"]
    _warm(client, org_world["reads"])

    membership_remove(membership=org_world["membership"], by_user=brand_manager)

    _assert_error(client.get(reverse("api:me")), 401, "authentication_error")


def test_a_demoted_members_read_write_key_only_reads(org_world, brand_owner, campaign, any_cache):
    client = org_world["client"]
    _warm(client, org_world["reads"])

    membership_change_role(
        membership=org_world["membership"], by_user=brand_owner, role=Membership.Role.VIEWER
    )

    for url in org_world["reads"]:
        assert client.get(url).status_code == 200, url
    _assert_error(client.post(org_world["write"], {}, format="json"), 403, "permission_error")
    _assert_error(
        client.post(
            reverse("api:collaboration_messages", args=[campaign.collaborations.get().pk]), {"body": "x"}
        ),
        403,
        "permission_error",
    )
    campaign.refresh_from_db()
    assert campaign.status == campaign.Status.PUBLISHED


def test_a_promoted_viewers_key_writes_again(org_world, brand_owner, campaign, any_cache):
    client = org_world["client"]
    membership_change_role(
        membership=org_world["membership"], by_user=brand_owner, role=Membership.Role.VIEWER
    )
    _assert_error(client.post(org_world["write"], {}, format="json"), 403, "permission_error")

    membership_change_role(
        membership=org_world["membership"], by_user=brand_owner, role=Membership.Role.MANAGER
    )

    assert client.post(org_world["write"], {}, format="json").status_code == 200
    campaign.refresh_from_db()
    assert campaign.status == campaign.Status.CLOSED


def test_a_deactivated_creators_key_is_refused_at_once(org_world, brand_manager, any_cache):
    client = org_world["client"]
    _warm(client, org_world["reads"])

    brand_manager.is_active = False
    brand_manager.save(update_fields=["is_active"])

    for url in org_world["reads"]:
        body = _assert_error(client.get(url), 401, "authentication_error")
        assert "disabled" in body["detail"]


def test_a_deactivated_users_personal_token_is_refused_at_once(creator, any_cache):
    from tests.api.conftest import make_token

    client = bearer(make_token(creator))
    assert client.get(reverse("api:me")).status_code == 200

    creator.is_active = False
    creator.save(update_fields=["is_active"])

    _assert_error(client.get(reverse("api:me")), 401, "authentication_error")
