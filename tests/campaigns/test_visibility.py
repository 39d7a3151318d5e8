"""The web and the API see the same things, because both read through campaigns.visibility.

For each role, one object of organization X is opened on its web page and through the API, and
both answers are compared with one table. The two deliberate rules (campaigns.visibility):
published briefs are readable by every signed-in person on both; a dispute handler reads a
disputed collaboration on the web after MFA, and through the API only in a staff session verified
with MFA (a personal token carries no MFA proof).
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiKey
from brands.models import Membership
from campaigns import visibility
from campaigns.models import Campaign, Collaboration
from campaigns.services import conversation
from marketplace.callers import ApiCaller
from tests.api.conftest import bearer, make_key, make_token
from tests.brands.factories import OrganizationFactory
from tests.campaigns.factories import (
    ApplicationFactory,
    CampaignFactory,
    InvitationFactory,
    in_days,
    make_creator,
    start_collaboration,
)
from tests.marketplace.factories import UserFactory
from tests.marketplace.mfa_helpers import login_with_mfa

PEOPLE = (
    "creator_a",
    "creator_b",
    "owner_x",
    "manager_x",
    "viewer_x",
    "member_y",
    "dispute_handler",
    "support_staff",
)
MEMBERS_X = {"owner_x", "manager_x", "viewer_x"}

# object → who sees it (everyone else: 404), on the web and through the API alike.
SEES = {
    "published_brief": set(PEOPLE),
    "draft_brief": MEMBERS_X,
    "closed_brief_b_applied_to": MEMBERS_X | {"creator_b"},
    "applicants": MEMBERS_X,
    "invitation_to_b": MEMBERS_X | {"creator_b"},
    "disputed_collaboration": MEMBERS_X | {"creator_a", "dispute_handler"},
}
# (web route, API route) for each object.
ROUTES = {
    "published_brief": ("campaigns:brief_detail", "api:campaign"),
    "draft_brief": ("campaigns:brief_detail", "api:campaign"),
    "closed_brief_b_applied_to": ("campaigns:brief_detail", "api:campaign"),
    "applicants": ("campaigns:applicants", "api:campaign_applications"),
    "invitation_to_b": ("campaigns:invitation_detail", "api:invitation"),
    "disputed_collaboration": ("campaigns:collaboration_detail", "api:collaboration"),
}


@pytest.fixture
def world(brand_org, brand_owner, brand_manager, brand_viewer, dispute_handler, support_staff):
    creator_a, creator_b = make_creator(), make_creator()
    owner_y = UserFactory(email="owner@y.example")
    org_y = OrganizationFactory(name="Y", slug="org-y", created_by=owner_y)
    Membership.objects.create(organization=org_y, user=owner_y, role=Membership.Role.OWNER)
    member_y = UserFactory(email="manager@y.example")
    Membership.objects.create(organization=org_y, user=member_y, role=Membership.Role.MANAGER)

    published = CampaignFactory(organization=brand_org, slots=3)
    draft = CampaignFactory(organization=brand_org, status=Campaign.Status.DRAFT)
    closed = CampaignFactory(organization=brand_org)
    ApplicationFactory(campaign=closed, creator=creator_b)
    Campaign.objects.filter(pk=closed.pk).update(status=Campaign.Status.CLOSED)
    invitation = InvitationFactory(campaign=published, creator=creator_b, invited_by=brand_owner)
    collaboration = start_collaboration(published, creator_a, by_user=brand_owner)
    Collaboration.objects.filter(pk=collaboration.pk).update(due_date=in_days(-1))  # overdue: disputable
    collaboration.refresh_from_db()
    conversation.dispute_raise(collaboration=collaboration, by_user=creator_a.user, reason="Stuck.")

    users = {
        "creator_a": creator_a.user,
        "creator_b": creator_b.user,
        "owner_x": brand_owner,
        "manager_x": brand_manager,
        "viewer_x": brand_viewer,
        "member_y": member_y,
        "dispute_handler": dispute_handler,
        "support_staff": support_staff,
    }
    return {
        "users": users,
        "org_y": org_y,
        "owner_y": owner_y,
        "pks": {
            "published_brief": published.pk,
            "draft_brief": draft.pk,
            "closed_brief_b_applied_to": closed.pk,
            "applicants": published.pk,
            "invitation_to_b": invitation.pk,
            "disputed_collaboration": collaboration.pk,
        },
    }


def _web_client(client_class, user):
    """How each person really signs in: staff with a second factor, everyone else with a session."""
    client = client_class()
    if user.is_staff:
        return login_with_mfa(client, user)
    client.force_login(user)
    return client


def _status(code: int) -> str:
    return "sees" if code == 200 else str(code)


@pytest.mark.parametrize("role", PEOPLE)
def test_web_pages_and_api_sessions_agree_for_every_role(world, role, client):
    user = world["users"][role]
    web = _web_client(lambda: client, user)
    api = APIClient()
    api.cookies = web.cookies  # the same browser session, on the API
    mismatches = []
    for name, (web_route, api_route) in ROUTES.items():
        pk = world["pks"][name]
        expected = "sees" if role in SEES[name] else "404"
        got_web = _status(web.get(reverse(web_route, args=[pk])).status_code)
        got_api = _status(api.get(reverse(api_route, args=[pk])).status_code)
        if (got_web, got_api) != (expected, expected):
            mismatches.append(f"{name}: web {got_web}, api {got_api}, expected {expected}")
    assert mismatches == []


@pytest.mark.parametrize("role", sorted(set(PEOPLE) - {"dispute_handler", "support_staff"}))
def test_personal_tokens_see_what_the_person_sees(world, role):
    api = bearer(make_token(world["users"][role]))
    got = {
        name: _status(api.get(reverse(api_route, args=[world["pks"][name]])).status_code)
        for name, (_web, api_route) in ROUTES.items()
    }

    assert got == {name: "sees" if role in SEES[name] else "404" for name in ROUTES}


def test_a_dispute_handlers_personal_token_does_not_open_disputed_work(world):
    # A token carries no MFA proof: the staff role needs a browser session verified with MFA.
    token = bearer(make_token(world["users"]["dispute_handler"]))
    pk = world["pks"]["disputed_collaboration"]

    assert token.get(reverse("api:collaboration", args=[pk])).status_code == 404
    assert token.get(reverse("api:campaign", args=[world["pks"]["published_brief"]])).status_code == 200


def test_a_dispute_handler_reads_but_cannot_act_on_disputed_work(world, client):
    web = login_with_mfa(client, world["users"]["dispute_handler"])
    api = APIClient()
    api.cookies = web.cookies
    pk = world["pks"]["disputed_collaboration"]

    assert api.get(reverse("api:collaboration_messages", args=[pk])).status_code == 200
    answer = api.post(reverse("api:collaboration_messages", args=[pk]), {"body": "Hi"}, format="json")
    assert answer.status_code == 403
    assert "owners and managers" in answer.json()["detail"]  # the service refused, not CSRF


def test_the_dispute_handlers_collaboration_list_stays_their_own(world, client):
    web = login_with_mfa(client, world["users"]["dispute_handler"])
    api = APIClient()
    api.cookies = web.cookies

    assert api.get(reverse("api:collaborations")).json()["results"] == []


def test_organization_keys_keep_to_their_own_organization(world, brand_org, brand_owner):
    read_key_x = bearer(make_key(brand_org, brand_owner, scope=ApiKey.Scope.READ))
    key_y = bearer(make_key(world["org_y"], world["owner_y"]))
    pks = world["pks"]

    assert read_key_x.get(reverse("api:campaign", args=[pks["draft_brief"]])).status_code == 200
    # Another organization's published brief: a key acts for its organization, not as a reader.
    assert key_y.get(reverse("api:campaign", args=[pks["published_brief"]])).status_code == 404
    assert key_y.get(reverse("api:collaboration", args=[pks["disputed_collaboration"]])).status_code == 404


def test_a_key_whose_creator_left_sees_nothing(world, brand_org, brand_manager):
    client = bearer(make_key(brand_org, brand_manager, scope=ApiKey.Scope.READ))
    assert client.get(reverse("api:campaign", args=[world["pks"]["draft_brief"]])).status_code == 200
    Membership.objects.filter(organization=brand_org, user=brand_manager).delete()

    assert client.get(reverse("api:campaign", args=[world["pks"]["draft_brief"]])).status_code == 401
    # The selectors check the membership too, not only authentication.
    stale = ApiCaller(user=brand_manager, organization_id=brand_org.pk, role=Membership.Role.MANAGER)
    assert not visibility.organization_campaigns_visible_to(stale).exists()
    assert not visibility.applications_visible_to(stale).exists()
    assert not visibility.collaborations_visible_to(stale).exists()


def test_anonymous_visitors_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    nobody = AnonymousUser()
    assert not visibility.campaigns_visible_to(nobody).exists()
    assert not visibility.invitations_visible_to(nobody).exists()
    assert not visibility.collaborations_visible_to(None).exists()
    assert APIClient().get(reverse("api:campaign", args=[world["pks"]["published_brief"]])).status_code == 401
