"""Every API endpoint × method × role, against an explicit allow/deny table.

Routes and methods come from the URL resolver, so a new endpoint that is missing from TABLE fails
`test_every_endpoint_is_in_the_table`. Each request runs in a savepoint that is rolled back, so an
allowed POST does not change what the next role sees.

To review a new endpoint: `MATRIX_DISCOVER=1 pytest tests/api/test_permission_matrix.py -s` prints
what every role gets, without asserting.

Outcomes: "ok" (allowed: 2xx, or 400/409/422 from the input or the state), 401 (not authenticated),
403 (authenticated, same tenant, not allowed), 404 (another tenant's object, or nothing there).
"""

import time
import uuid

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiKey
from brands.models import Membership
from campaigns.models import Campaign, InvitationBatch
from campaigns.services import drafts
from creators.models import RosterImportJob
from marketplace.models import Notification
from payments.models import Payout
from tests.api.conftest import bearer, make_key, make_token
from tests.brands.factories import OrganizationFactory
from tests.campaigns.factories import (
    DRAFT_LINK,
    ApplicationFactory,
    CampaignFactory,
    InvitationFactory,
    make_creator,
    start_collaboration,
)
from tests.marketplace.factories import PASSWORD, UserFactory
from webhooks.models import WebhookDelivery
from webhooks.services import subscription_create

ROLES = (
    "anonymous",
    "creator_a",
    "creator_b",
    "owner_x",
    "manager_x",
    "viewer_x",
    "member_y",
    "ngo_manager",
    "staff",
    "read_key_x",
    "key_y",
)
ORG_X_MEMBERS = {"owner_x", "manager_x", "viewer_x", "read_key_x"}
ORG_X_WRITERS = {"owner_x", "manager_x"}


def outcomes(ok=(), forbidden=(), default="404"):
    """Anonymous callers get 401; `ok` roles pass; `forbidden` get 403; everyone else `default`."""
    table = dict.fromkeys(ROLES, default)
    table["anonymous"] = "401"
    table.update(dict.fromkeys(forbidden, "403"))
    table.update(dict.fromkeys(ok, "ok"))
    return table


AUTHENTICATED = set(ROLES) - {"anonymous"}


def _pk(key):
    return lambda world: {"pk": world[key].pk}


def _slug(key):
    return lambda world: {"slug": world[key].slug}


# Which object of the world each route's path points at (all belong to organization X or its creators).
KWARGS = {
    "organization": _slug("org_x"),
    "organization_members": _slug("org_x"),
    "organization_campaigns": _slug("org_x"),
    "organization_roster_imports": _slug("org_x"),
    "campaign": _pk("campaign_x"),
    "campaign_publish": _pk("campaign_x"),
    "campaign_close": _pk("campaign_x"),
    "campaign_cancel": _pk("campaign_x"),
    "campaign_applications": _pk("campaign_x"),
    "campaign_invitations": _pk("campaign_x"),
    "campaign_invitations_bulk": _pk("campaign_x"),
    "campaign_collaborations": _pk("campaign_x"),
    "campaign_report": _pk("campaign_x"),
    "campaign_recommendations": _pk("campaign_x"),
    "campaign_recommendations_invite": _pk("campaign_x"),
    "campaign_balance": _pk("campaign_x"),
    "campaign_fundings": _pk("campaign_x"),
    "application": _pk("application"),
    "application_withdraw": _pk("application"),
    "application_accept": _pk("application"),
    "application_decline": _pk("application"),
    "invitation_batch": _pk("batch"),
    "invitation": _pk("invitation"),
    "invitation_accept": _pk("invitation"),
    "invitation_decline": _pk("invitation"),
    "invitation_counter": _pk("invitation"),
    "invitation_counter_accept": _pk("invitation"),
    "invitation_counter_decline": _pk("invitation"),
    "invitation_revoke": _pk("invitation"),
    "collaboration": _pk("collaboration"),
    "collaboration_submissions": _pk("collaboration"),
    "collaboration_cancel": _pk("collaboration"),
    "collaboration_dispute": _pk("collaboration"),
    "collaboration_messages": _pk("collaboration"),
    "collaboration_ratings": _pk("collaboration"),
    "deliverable_submissions": _pk("deliverable"),
    "deliverable_publish": _pk("deliverable"),
    "deliverable_confirm": _pk("deliverable"),
    "submission_approve": _pk("submission"),
    "submission_request_changes": _pk("submission"),
    "notification_read": _pk("notification"),
    "staff_payout_approve": _pk("payout"),
    "staff_payout_reject": _pk("payout"),
    "staff_payout_retry": _pk("payout"),
    "staff_payout_close": _pk("payout"),
    "roster_import": _pk("job"),
    "webhook_subscription": _pk("subscription"),
    "webhook_subscription_deactivate": _pk("subscription"),
    "webhook_subscription_deliveries": _pk("subscription"),
    "webhook_delivery": _pk("delivery"),
    "webhook_delivery_redeliver": _pk("delivery"),
}

# Valid-looking bodies, so that a refusal comes from the permission check and not from the input.
REASON = {"reason": "Plans changed."}
BODIES = {
    "collaboration_cancel": REASON,
    "collaboration_dispute": REASON,
    "application_decline": REASON,
    "invitation_decline": REASON,
    "invitation_revoke": REASON,
    "campaign_cancel": REASON,
    "staff_payout_reject": REASON,
    "staff_payout_close": REASON,
    "collaboration_messages": {"body": "Hello!"},
    "collaboration_ratings": {"score": 5},
    "submission_request_changes": {"feedback": "Brighter light, please."},
    "deliverable_publish": {"post_url": "https://www.instagram.com/p/kopi/"},
    "deliverable_submissions": {"link": "https://drive.example.com/draft-2"},
    "invitation_counter": {"fee": "1200000"},
    "campaign_applications": {"pitch": "I brew kopi every sahur."},
    "campaign_invitations": {"creator": "nobody-here"},
    "campaign_invitations_bulk": {"creators": ["nobody-here"]},
    "campaign_recommendations_invite": {"count": 1},
    "webhook_subscriptions": {"url": "https://crm.example/hooks", "event_types": ["payout.paid"]},
    "organization_campaigns": {"title": "Kopi"},
}
QUERIES = {"webhook_subscriptions": "?organization=org-x"}

# (route name, method) → expected outcome per role. Reading it: a creator acting on someone else's
# object gets 404; an organization's viewer or read-only key gets 403 for writes; organization
# keys never act as a creator (403); staff money actions need a staff session with MFA (403 else).
TABLE = {
    ("application", "GET"): outcomes(ok={"creator_b", "manager_x", "owner_x", "read_key_x", "viewer_x"}),
    ("application_accept", "POST"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x", "viewer_x"}),
    ("application_decline", "POST"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x", "viewer_x"}),
    ("application_withdraw", "POST"): outcomes(
        ok={"creator_b"}, forbidden={"key_y", "manager_x", "owner_x", "read_key_x", "viewer_x"}
    ),
    ("applications", "GET"): outcomes(
        ok={"creator_a", "creator_b", "manager_x", "member_y", "ngo_manager", "owner_x", "staff", "viewer_x"},
        forbidden={"key_y", "read_key_x"},
    ),
    # campaign_x is published: every person reads it, as on the web (campaigns.visibility); another
    # organization's key keeps to its own organization.
    ("campaign", "GET"): outcomes(ok=AUTHENTICATED - {"key_y"}),
    ("campaign", "PATCH"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x", "viewer_x"}),
    ("campaign_applications", "GET"): outcomes(ok=ORG_X_MEMBERS),
    ("campaign_applications", "POST"): outcomes(
        ok={"creator_a", "creator_b"},
        forbidden={
            "key_y",
            "manager_x",
            "member_y",
            "ngo_manager",
            "owner_x",
            "read_key_x",
            "staff",
            "viewer_x",
        },
    ),
    ("campaign_balance", "GET"): outcomes(ok=ORG_X_MEMBERS),
    # campaign_x is fully funded, so an allowed POST answers 400 without reaching Stripe.
    ("campaign_fundings", "POST"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x", "viewer_x"}),
    ("campaign_cancel", "POST"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x", "viewer_x"}),
    ("campaign_close", "POST"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x", "viewer_x"}),
    ("campaign_collaborations", "GET"): outcomes(ok=ORG_X_MEMBERS),
    ("campaign_report", "GET"): outcomes(ok=ORG_X_MEMBERS),
    ("campaign_invitations", "GET"): outcomes(ok=ORG_X_MEMBERS),
    ("campaign_invitations", "POST"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x", "viewer_x"}),
    ("campaign_invitations_bulk", "POST"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x", "viewer_x"}),
    ("campaign_publish", "POST"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x", "viewer_x"}),
    ("campaign_recommendations", "GET"): outcomes(ok=ORG_X_MEMBERS),
    ("campaign_recommendations_invite", "POST"): outcomes(
        ok=ORG_X_WRITERS, forbidden={"read_key_x", "viewer_x"}
    ),
    ("campaigns", "GET"): outcomes(ok=AUTHENTICATED),
    ("collaboration", "GET"): outcomes(ok={"creator_a", "manager_x", "owner_x", "read_key_x", "viewer_x"}),
    ("collaboration_cancel", "POST"): outcomes(
        ok={"creator_a", "manager_x", "owner_x"}, forbidden={"read_key_x", "viewer_x"}
    ),
    ("collaboration_dispute", "POST"): outcomes(
        ok={"creator_a", "manager_x", "owner_x"}, forbidden={"read_key_x", "viewer_x"}
    ),
    ("collaboration_messages", "GET"): outcomes(
        ok={"creator_a", "manager_x", "owner_x", "read_key_x", "viewer_x"}
    ),
    ("collaboration_messages", "POST"): outcomes(
        ok={"creator_a", "manager_x", "owner_x"}, forbidden={"read_key_x", "viewer_x"}
    ),
    ("collaboration_ratings", "GET"): outcomes(
        ok={"creator_a", "manager_x", "owner_x", "read_key_x", "viewer_x"}
    ),
    ("collaboration_ratings", "POST"): outcomes(
        ok={"creator_a", "manager_x", "owner_x"}, forbidden={"read_key_x", "viewer_x"}
    ),
    ("collaboration_submissions", "GET"): outcomes(
        ok={"creator_a", "manager_x", "owner_x", "read_key_x", "viewer_x"}
    ),
    ("collaborations", "GET"): outcomes(ok=AUTHENTICATED),
    ("creators", "GET"): outcomes(
        ok={"key_y", "manager_x", "member_y", "ngo_manager", "owner_x", "read_key_x", "viewer_x"}
    ),
    ("deliverable_confirm", "POST"): outcomes(
        ok=ORG_X_WRITERS, forbidden={"creator_a", "read_key_x", "viewer_x"}
    ),
    ("deliverable_publish", "POST"): outcomes(
        ok={"creator_a"}, forbidden={"key_y", "manager_x", "owner_x", "read_key_x", "viewer_x"}
    ),
    ("deliverable_submissions", "POST"): outcomes(
        ok={"creator_a"}, forbidden={"key_y", "manager_x", "owner_x", "read_key_x", "viewer_x"}
    ),
    ("earnings", "GET"): outcomes(ok={"creator_a", "creator_b"}, forbidden={"key_y", "read_key_x"}),
    ("invitation", "GET"): outcomes(ok=ORG_X_MEMBERS),
    ("invitation_accept", "POST"): outcomes(
        forbidden={"key_y", "manager_x", "owner_x", "read_key_x", "viewer_x"}
    ),
    ("invitation_batch", "GET"): outcomes(ok=ORG_X_MEMBERS),
    ("invitation_counter", "POST"): outcomes(
        forbidden={"key_y", "manager_x", "owner_x", "read_key_x", "viewer_x"}
    ),
    ("invitation_counter_accept", "POST"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x", "viewer_x"}),
    ("invitation_counter_decline", "POST"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x", "viewer_x"}),
    ("invitation_decline", "POST"): outcomes(
        forbidden={"key_y", "manager_x", "owner_x", "read_key_x", "viewer_x"}
    ),
    ("invitation_revoke", "POST"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x", "viewer_x"}),
    ("invitations", "GET"): outcomes(
        ok={"creator_a", "creator_b", "manager_x", "member_y", "ngo_manager", "owner_x", "staff", "viewer_x"},
        forbidden={"key_y", "read_key_x"},
    ),
    ("me", "GET"): outcomes(ok=AUTHENTICATED),
    # A person's own connections (none without a creator profile); organization keys never read them.
    ("me_connections", "GET"): outcomes(
        ok={"creator_a", "creator_b", "manager_x", "member_y", "ngo_manager", "owner_x", "staff", "viewer_x"},
        forbidden={"key_y", "read_key_x"},
    ),
    ("notification_read", "POST"): outcomes(ok={"creator_a"}, forbidden={"key_y", "read_key_x"}),
    ("notifications", "GET"): outcomes(
        ok={"creator_a", "creator_b", "manager_x", "member_y", "ngo_manager", "owner_x", "staff", "viewer_x"},
        forbidden={"key_y", "read_key_x"},
    ),
    ("organization", "GET"): outcomes(ok=ORG_X_MEMBERS),
    ("organization_campaigns", "POST"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x", "viewer_x"}),
    ("organization_members", "GET"): outcomes(ok=ORG_X_MEMBERS),
    ("organization_roster_imports", "POST"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x", "viewer_x"}),
    ("organizations", "GET"): outcomes(ok=AUTHENTICATED),
    ("payouts", "GET"): outcomes(ok={"creator_a", "creator_b"}, forbidden={"key_y", "read_key_x"}),
    ("roster_import", "GET"): outcomes(ok={"manager_x", "owner_x", "read_key_x"}),
    ("staff_payout_approve", "POST"): outcomes(
        ok={"staff"},
        forbidden={
            "creator_a",
            "creator_b",
            "key_y",
            "manager_x",
            "member_y",
            "ngo_manager",
            "owner_x",
            "read_key_x",
            "viewer_x",
        },
    ),
    ("staff_payout_reject", "POST"): outcomes(
        ok={"staff"},
        forbidden={
            "creator_a",
            "creator_b",
            "key_y",
            "manager_x",
            "member_y",
            "ngo_manager",
            "owner_x",
            "read_key_x",
            "viewer_x",
        },
    ),
    ("staff_payout_retry", "POST"): outcomes(
        ok={"staff"},
        forbidden={
            "creator_a",
            "creator_b",
            "key_y",
            "manager_x",
            "member_y",
            "ngo_manager",
            "owner_x",
            "read_key_x",
            "viewer_x",
        },
    ),
    ("staff_payout_close", "POST"): outcomes(
        ok={"staff"},
        forbidden={
            "creator_a",
            "creator_b",
            "key_y",
            "manager_x",
            "member_y",
            "ngo_manager",
            "owner_x",
            "read_key_x",
            "viewer_x",
        },
    ),
    ("staff_payouts", "GET"): outcomes(
        ok={"staff"},
        forbidden={
            "creator_a",
            "creator_b",
            "key_y",
            "manager_x",
            "member_y",
            "ngo_manager",
            "owner_x",
            "read_key_x",
            "viewer_x",
        },
    ),
    ("submission_approve", "POST"): outcomes(
        ok=ORG_X_WRITERS, forbidden={"creator_a", "read_key_x", "viewer_x"}
    ),
    ("submission_request_changes", "POST"): outcomes(
        ok=ORG_X_WRITERS, forbidden={"creator_a", "read_key_x", "viewer_x"}
    ),
    ("webhook_delivery", "GET"): outcomes(ok={"manager_x", "owner_x", "read_key_x"}),
    ("webhook_delivery_redeliver", "POST"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x"}),
    ("webhook_subscription", "DELETE"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x"}),
    ("webhook_subscription", "GET"): outcomes(ok={"manager_x", "owner_x", "read_key_x"}),
    ("webhook_subscription_deactivate", "POST"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x"}),
    ("webhook_subscription_deliveries", "GET"): outcomes(ok={"manager_x", "owner_x", "read_key_x"}),
    ("webhook_subscriptions", "GET"): outcomes(ok=AUTHENTICATED),
    ("webhook_subscriptions", "POST"): outcomes(ok=ORG_X_WRITERS, forbidden={"read_key_x"}),
}


def api_routes() -> set[tuple[str, str]]:
    resolver = get_resolver()
    api = next(p for p in resolver.url_patterns if str(p.pattern) == "api/")
    routes = set()
    for pattern in api.url_patterns:
        if not isinstance(pattern, URLPattern) or not str(pattern.pattern).startswith("v1/"):
            continue
        view = pattern.callback.cls
        for method in ("get", "post", "put", "patch", "delete"):
            if hasattr(view, method):
                routes.add((pattern.name, method.upper()))
    return routes


def test_every_endpoint_is_in_the_table():
    missing = sorted(api_routes() - set(TABLE))
    stale = sorted(set(TABLE) - api_routes())

    assert missing == [], "add these endpoints to TABLE"
    assert stale == []


def _member(organization, role, email):
    user = UserFactory(email=email)
    Membership.objects.create(organization=organization, user=user, role=role)
    return user


def _mfa_client(user) -> Client:
    client = Client()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(
        reverse("mfa_authenticate"), {"code": format_hotp_value(hotp_value(secret, int(time.time()) // 30))}
    )
    return client


@pytest.fixture
def world(db):
    owner_x = UserFactory(email="owner@x.example")
    org_x = OrganizationFactory(name="X", slug="org-x", created_by=owner_x)
    Membership.objects.create(organization=org_x, user=owner_x, role=Membership.Role.OWNER)
    owner_y = UserFactory(email="owner@y.example")
    org_y = OrganizationFactory(name="Y", slug="org-y", created_by=owner_y)
    Membership.objects.create(organization=org_y, user=owner_y, role=Membership.Role.OWNER)
    ngo = OrganizationFactory(name="NGO", slug="ngo", kind="ngo", created_by=owner_y)
    users = {
        "owner_x": owner_x,
        "manager_x": _member(org_x, Membership.Role.MANAGER, "manager@x.example"),
        "viewer_x": _member(org_x, Membership.Role.VIEWER, "viewer@x.example"),
        "member_y": _member(org_y, Membership.Role.MANAGER, "manager@y.example"),
        "ngo_manager": _member(ngo, Membership.Role.MANAGER, "manager@ngo.example"),
        "creator_a": make_creator().user,
        "creator_b": make_creator().user,
    }
    clients = {"anonymous": APIClient()}
    for role, user in users.items():
        clients[role] = bearer(make_token(user)) if role.startswith("creator") else _session(user)
    clients["staff"] = _mfa_client(UserFactory(is_staff=True, email="reviewer@kolabo.example"))
    clients["read_key_x"] = bearer(make_key(org_x, owner_x, scope=ApiKey.Scope.READ))
    clients["key_y"] = bearer(make_key(org_y, owner_y))
    campaign_x = CampaignFactory(organization=org_x, status=Campaign.Status.PUBLISHED, slots=3)
    creator_a, creator_b = users["creator_a"].creator_profile, users["creator_b"].creator_profile
    application = ApplicationFactory(campaign=campaign_x, creator=creator_b)
    invitation = InvitationFactory(campaign=campaign_x, creator=make_creator(), invited_by=owner_x)
    collaboration = start_collaboration(campaign_x, creator_a, by_user=owner_x)
    deliverable = collaboration.deliverables.first()
    submission = drafts.submission_create(deliverable=deliverable, by_user=creator_a.user, link=DRAFT_LINK)
    payout = Payout.objects.create(
        collaboration=collaboration,
        creator=creator_a,
        amount=collaboration.fee,
        reserved_amount=collaboration.fee,
        currency="IDR",
    )
    batch = InvitationBatch.objects.create(
        campaign=campaign_x,
        created_by=owner_x,
        offered_fee=collaboration.fee,
        creator_ids=[],
        idempotency_key="x",
    )
    job = RosterImportJob.objects.create(organization=org_x, created_by=owner_x)
    subscription = subscription_create(
        organization=org_x, by_user=owner_x, url="https://crm.example/hooks", event_types=["payout.paid"]
    )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event_id=uuid.uuid4(),
        event_type="payout.paid",
        payload={},
        created_at=timezone.now(),
    )
    notification = Notification.objects.filter(recipient=creator_a.user).first()
    return {
        "clients": clients,
        "org_x": org_x,
        "org_y": org_y,
        "campaign_x": campaign_x,
        "campaign_y": CampaignFactory(organization=org_y),
        "application": application,
        "invitation": invitation,
        "collaboration": collaboration,
        "deliverable": deliverable,
        "submission": submission,
        "payout": payout,
        "batch": batch,
        "job": job,
        "subscription": subscription,
        "delivery": delivery,
        "notification": notification,
    }


def _session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _outcome(status_code: int) -> str:
    return str(status_code) if status_code in (401, 403, 404) else "ok"


def test_the_permission_matrix(world):
    import os

    discover = os.environ.get("MATRIX_DISCOVER")
    failures = []
    routes = sorted(api_routes()) if discover else sorted(TABLE)
    for name, method in routes:
        expected = TABLE.get((name, method), {})
        kwargs = KWARGS.get(name)
        url = reverse(f"api:{name}", kwargs=kwargs(world) if kwargs else None)
        if method == "POST":
            url += QUERIES.get(name, "")
        for role in ROLES:
            client = world["clients"][role]
            with transaction.atomic():
                body = BODIES.get(name, {}) if method in ("POST", "PATCH") else {}
                response = getattr(client, method.lower())(url, body, format="json")
                transaction.set_rollback(True)
            got = _outcome(response.status_code)
            if discover:
                print("MATRIX", name, method, role, got)
                continue
            if got != expected.get(role):
                failures.append(
                    f"{method} {url} as {role}: {response.status_code}, expected {expected[role]}"
                )
    assert failures == []
