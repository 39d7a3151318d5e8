"""Every web page × role × method, against an explicit allow/deny table (the API has its own).

Routes come from the URL resolver: a page of one of our apps that is missing from TABLE fails
`test_every_web_route_is_in_the_table`. Every request is sent as someone who does not own the object
(organization X's campaign, creator A's collaboration...), with a valid CSRF token on POST, and runs
in a savepoint that is rolled back, so an allowed POST does not change what the next cell sees. The
world is built once for the module.

To review a new route: `MATRIX_DISCOVER=1 pytest tests/marketplace/test_web_permission_matrix.py -s -k
test_discover` prints what every role gets, without asserting.

Outcome classes (`outcome()`):
- ALLOW: let past the gate: 2xx, a redirect elsewhere that carries no error message, or 400 (the
  form re-rendered with its errors; the bodies here are empty or minimal on purpose).
- REFUSED: a redirect back carrying an error message: the service refused, for the role or for
  the object's state; the comments in TABLE say which, and the API matrix tells the two apart.
- LOGIN: a redirect to the login page.  ONBOARD: a redirect to creator onboarding (no profile yet).
- MFA: a redirect to the staff two-factor setup or to MFA reauthentication.
- DENY403: same organization, role not allowed.  DENY404: not yours, or not there.  405: wrong method.
"""

import os
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api.models import ApiKey, PersonalToken
from brands.models import Membership, VerificationDocument
from brands.shortlists import shortlist_create
from campaigns.models import Campaign, Collaboration, Dispute, InvitationBatch, Recommendation, Sponsorship
from campaigns.services import drafts
from campaigns.services.invitations import invitation_counter
from creators.models import CreatorProfile, RosterImportJob
from marketplace.models import Notification
from marketplace.permissions import DISPUTE_HANDLERS, PAYOUT_REVIEWERS, VERIFICATION_REVIEWERS
from payments.models import CampaignFunding, Payout
from platforms.models import PlatformConnection
from platforms.services.connections import DELETION_SALT
from tests.api.conftest import make_key, make_token
from tests.brands.factories import OrganizationFactory, OrgInvitationFactory, VerificationRequestFactory
from tests.campaigns.factories import (
    ApplicationFactory,
    CampaignFactory,
    InvitationFactory,
    make_creator,
    start_collaboration,
)
from tests.creators.factories import RateCardItemFactory
from tests.marketplace.factories import UserFactory
from tests.marketplace.mfa_helpers import login_with_mfa
from tracking.conversion_import import conversion_import_run, sample_csv
from tracking.links import link_for_collaboration
from tracking.settings_services import tracking_settings_update
from webhooks.models import WebhookDelivery
from webhooks.services import subscription_create

ALLOW, REFUSED, LOGIN, ONBOARD, MFA, DENY403, DENY404, NOT_ALLOWED = (
    "ALLOW",
    "REFUSED",
    "LOGIN",
    "ONBOARD",
    "MFA",
    "DENY403",
    "DENY404",
    "405",
)

ROLES = (
    "anonymous",
    "creator_a",
    "creator_b",
    "owner_x",
    "manager_x",
    "viewer_x",
    "member_y",
    "ngo_manager",
    "staff_without_mfa",
    "payout_reviewer",
    "verification_reviewer",
    "dispute_handler",
    "superuser",
)
METHODS = ("GET", "POST")

# Routes of our own apps that the matrix leaves out, and why. Whole families are left out by
# `_is_ours`: the REST API (tests/api/test_permission_matrix.py), the admin (every page needs staff
# with MFA: tests/marketplace/test_admin.py), allauth's account pages, and static/media serving.
EXCLUDED = {
    "payments:stripe_webhook": "authenticated by Stripe's signature, not by a session "
    "(tests/payments/test_stripe_webhook_edges.py)",
    "tracking:postback": "a partner's server, authenticated by the campaign's HMAC signature, not by a "
    "session (tests/tracking/test_postback.py)",
}


def _is_ours(namespace: str, pattern: URLPattern) -> bool:
    module = getattr(pattern.callback, "__module__", "")
    if namespace.split(":")[0] in ("api", "admin"):
        return False
    return not module.startswith(("allauth.", "django.contrib.", "django.views.static", "drf_spectacular."))


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            yield from _walk(pattern.url_patterns, f"{namespace}:{inner}".strip(":") if inner else namespace)
        else:
            yield namespace, pattern


def _name(namespace: str, pattern: URLPattern) -> str:
    # An unnamed page cannot be reversed, so it gets a name that no table row can match.
    name = pattern.name or f"<unnamed {pattern.pattern}>"
    return f"{namespace}:{name}" if namespace else name


def all_routes() -> set[str]:
    return {_name(ns, p) for ns, p in _walk(get_resolver().url_patterns) if _is_ours(ns, p)}


def web_routes() -> set[str]:
    return all_routes() - set(EXCLUDED)


# The world


def _pk(key: str) -> Callable[[dict], dict]:
    return lambda world: {"pk": world[key].pk}


def _slug(key: str) -> Callable[[dict], dict]:
    return lambda world: {"slug": world[key].slug}


def _slug_pk(slug_key: str, pk_key: str) -> Callable[[dict], dict]:
    return lambda world: {"slug": world[slug_key].slug, "pk": world[pk_key].pk}


def _code(key: str) -> Callable[[dict], dict]:
    return lambda world: {"code": world[key].code}


def _none(world):
    return {}


# Which object each route points at: all belong to organization X, or to creator A / B.
KWARGS: dict[str, Callable[[dict], dict]] = {
    "notification_open": _pk("notification"),
    "brands:invitation_accept": lambda world: {"token": world["org_invitation"].token},
    "brands:verification_decide": _pk("verification"),
    "brands:verification_document": _pk("verification_document"),
    "brands:org_detail": _slug("org_x"),
    "brands:org_edit": _slug("org_x"),
    "brands:members": _slug("org_x"),
    "brands:member_remove": _slug_pk("org_x", "target_membership"),
    "brands:member_role": _slug_pk("org_x", "target_membership"),
    "brands:invitation_revoke": _slug_pk("org_x", "org_invitation"),
    "brands:verification_request": _slug("org_x"),
    "creators:social_account_edit": _pk("social_account_a"),
    "creators:social_account_delete": _pk("social_account_a"),
    "creators:rate_card_delete": _pk("rate_card_item_a"),
    "creators:profile_public": _slug("creator_a_profile"),
    "campaigns:brief_detail": _pk("campaign_x"),
    "campaigns:campaign_manage": _pk("campaign_x"),
    "campaigns:campaign_edit": _pk("campaign_x"),
    "campaigns:campaign_publish": _pk("campaign_x"),
    "campaigns:campaign_close": _pk("campaign_x"),
    "campaigns:campaign_cancel": _pk("campaign_x"),
    "campaigns:campaign_duplicate": _pk("campaign_x"),
    "campaigns:recommendations": _pk("campaign_x"),
    "campaigns:recommendations_invite": _pk("campaign_x"),
    "campaigns:recommendations_refresh": _pk("campaign_x"),
    "campaigns:recommendations_minimum": _pk("campaign_x"),
    "campaigns:org_campaigns": _slug("org_x"),
    "campaigns:campaign_create": _slug("org_x"),
    "campaigns:apply": _pk("campaign_x"),
    "campaigns:applicants": _pk("campaign_x"),
    "campaigns:invite": _pk("campaign_x"),
    "campaigns:application_withdraw": _pk("application"),
    "campaigns:application_shortlist": _pk("application"),
    "campaigns:application_accept": _pk("application"),
    "campaigns:application_decline": _pk("application"),
    "campaigns:invitation_detail": _pk("invitation"),
    "campaigns:invitation_accept": _pk("invitation"),
    "campaigns:invitation_decline": _pk("invitation"),
    "campaigns:invitation_counter": _pk("invitation"),
    "campaigns:invitation_counter_accept": _pk("invitation"),
    "campaigns:invitation_counter_decline": _pk("invitation"),
    "campaigns:invitation_revoke": _pk("invitation"),
    "campaigns:invitation_batch_status": _pk("batch"),
    "campaigns:collaboration_detail": _pk("collaboration"),
    "campaigns:message_create": _pk("collaboration"),
    "campaigns:collaboration_cancel": _pk("collaboration"),
    "campaigns:dispute_raise": _pk("collaboration"),
    "campaigns:rate": _pk("collaboration"),
    "campaigns:submission_create": _pk("deliverable"),
    "campaigns:deliverable_publish": _pk("deliverable"),
    "campaigns:deliverable_confirm": _pk("deliverable"),
    "campaigns:submission_review": _pk("submission"),
    "campaigns:submission_file": _pk("submission"),
    "campaigns:dispute_resolve": _pk("dispute"),
    "discovery:shortlist_detail": _pk("shortlist"),
    "discovery:shortlist_add": _pk("shortlist"),
    "discovery:shortlist_remove": _pk("shortlist"),
    "discovery:shortlist_delete": _pk("shortlist"),
    "discovery:shortlist_invite": _pk("shortlist"),
    # Sponsorship: X (a brand) is invited by the NGO to sponsor its cause campaign.
    "campaigns:sponsorship_invite": _pk("campaign_x"),
    "campaigns:sponsorship_offer": _pk("ngo_cause"),
    "campaigns:sponsorship_detail": _pk("sponsorship"),
    "campaigns:sponsorship_accept": _pk("sponsorship"),
    "campaigns:sponsorship_decline": _pk("sponsorship"),
    "campaigns:sponsorship_withdraw": _pk("sponsorship"),
    "campaigns:sponsorship_fund": _pk("sponsorship"),
    "campaigns:org_sponsorships": _slug("org_x"),
    # Tracking: campaign X's settings and conversions; creator A's short link.
    "tracking:link_redirect": _code("tracked_link"),
    "tracking:link_redirect_slash": _code("tracked_link"),
    "tracking:link_qr_svg": _code("tracked_link"),
    "tracking:link_qr_png": _code("tracked_link"),
    "tracking:settings": _pk("campaign_x"),
    "tracking:secret_rotate": _pk("campaign_x"),
    "tracking:conversion_list": _pk("campaign_x"),
    "tracking:conversion_upload": _pk("campaign_x"),
    "tracking:conversion_import_report": lambda world: {
        "pk": world["campaign_x"].pk,
        "import_pk": world["conversion_import"].pk,
    },
    "tracking:conversion_sample": _pk("campaign_x"),
    "tracking:pixel": lambda world: {"campaign_pk": world["campaign_x"].pk},
    # Analytics: campaign X's report; the NGO's published cause campaign's public impact page.
    "analytics:campaign_report": _pk("campaign_x"),
    "analytics:campaign_report_print": _pk("campaign_x"),
    "analytics:campaign_report_pdf": _pk("campaign_x"),
    "analytics:campaign_report_csv": _pk("campaign_x"),
    "analytics:impact": _pk("ngo_cause"),
    # Creator A works on campaign X (a commercial one: opting out is always allowed).
    "analytics:impact_credit": _pk("campaign_x"),
    "payments:campaign_spend": _pk("campaign_x"),
    "payments:funding_start": _pk("campaign_x"),
    "payments:funding_return": _pk("funding"),
    "payments:payout_detail": _pk("payout"),
    # Reject: with no reason given, a reviewer gets the form back (400), and no Stripe call is made.
    "payments:payout_review": lambda world: {"pk": world["payout"].pk, "action": "reject"},
    "webhooks:subscriptions": _slug("org_x"),
    "webhooks:deliveries": _slug_pk("org_x", "subscription"),
    "webhooks:deactivate": _slug_pk("org_x", "subscription"),
    "webhooks:redeliver": _slug_pk("org_x", "delivery"),
    "api_web:personal_token_revoke": _pk("token_a"),
    "api_web:api_keys": _slug("org_x"),
    "api_web:api_key_revoke": _slug_pk("org_x", "key_x"),
    "platforms:connect": lambda world: {"platform": "instagram"},
    "platforms:callback": lambda world: {"platform": "instagram"},
    "platforms:disconnect": _pk("connection_a"),
    "platforms:deletion_status": lambda world: {"code": world["deletion_code"]},
    "roster:job": _pk("roster_job"),
    "roster:creators": lambda world: {"org_pk": world["org_x"].pk},
    "roster:claim": lambda world: {"token": world["roster_profile"].claim_token},
}

# The same route pointed at another object: (route, variant) -> its arguments.
VARIANTS: dict[tuple[str, str], Callable[[dict], dict]] = {
    ("campaigns:brief_detail", "draft"): _pk("draft_campaign"),
    ("campaigns:campaign_manage", "draft"): _pk("draft_campaign"),
    ("campaigns:collaboration_detail", "disputed"): _pk("disputed"),
    ("campaigns:submission_file", "disputed"): _pk("disputed_draft"),
    ("campaigns:apply", "draft"): _pk("draft_campaign"),
    # A cause campaign of the NGO that X sponsors (accepted): X's members read its report.
    ("analytics:campaign_report", "sponsored"): _pk("sponsored_cause"),
    ("analytics:campaign_report_csv", "sponsored"): _pk("sponsored_cause"),
    ("analytics:campaign_report", "invited_sponsor"): _pk("ngo_cause"),
    # Only published cause campaigns of NGOs have an impact page.
    ("analytics:impact", "commercial"): _pk("campaign_x"),
}

# Minimal bodies where an empty one would be refused before the permission check is reached.
BODIES: dict[str, Callable[[dict], dict]] = {
    "discovery:shortlist_add": lambda world: {"creator": world["creator_b_profile"].pk},
    "discovery:shortlist_remove": lambda world: {"creator": world["creator_b_profile"].pk},
    "campaigns:application_decline": lambda world: {"reason": "Plans changed."},
    "campaigns:invitation_revoke": lambda world: {"reason": "Plans changed."},
    "campaigns:invitation_counter": lambda world: {"fee": "1300000", "message": "A bit more, please."},
    "campaigns:message_create": lambda world: {"body": "Hello!"},
    "campaigns:submission_review": lambda world: {"action": "approve"},
    "campaigns:deliverable_publish": lambda world: {"post_url": "https://www.instagram.com/p/kopi/"},
    "campaigns:recommendations_invite": lambda world: {"count": 1},
    "campaigns:recommendations_minimum": lambda world: {"min_match_score": 40},
    "brands:member_role": lambda world: {"role": "manager"},
    "campaigns:sponsorship_invite": lambda world: {"sponsor": "org-y", "amount": "1000000"},
    "campaigns:sponsorship_offer": lambda world: {"sponsor": world["org_x"].pk, "amount": "1000000"},
    "campaigns:sponsorship_fund": lambda world: {"amount": "1000000"},
    "payments:payouts_bulk_approve": lambda world: {"payouts": world["payout"].pk},
    "analytics:impact_credit": lambda world: {"credited": "0"},
}


def _member(organization, role, email):
    user = UserFactory(email=email)
    Membership.objects.create(organization=organization, user=user, role=role)
    return user


def _roster_profile(organization):
    profile = make_creator()
    CreatorProfile.objects.filter(pk=profile.pk).update(
        roster_status=CreatorProfile.RosterStatus.UNCLAIMED,
        roster_organization=organization,
        roster_imported_at=timezone.now(),
        claim_token="matrix-claim-token",
    )
    profile.refresh_from_db()
    return profile


def _build_world() -> dict:
    owner_x = UserFactory(email="owner@x.example")
    org_x = OrganizationFactory(name="X", slug="org-x", created_by=owner_x)
    Membership.objects.create(organization=org_x, user=owner_x, role=Membership.Role.OWNER)
    owner_y = UserFactory(email="owner@y.example")
    org_y = OrganizationFactory(name="Y", slug="org-y", created_by=owner_y)
    Membership.objects.create(organization=org_y, user=owner_y, role=Membership.Role.OWNER)
    ngo = OrganizationFactory(name="NGO", slug="ngo", kind="ngo", created_by=owner_y)
    # C holds the invitation, D the disputed collaboration, E is only recommended.
    creator_a, creator_b, creator_c, creator_d, creator_e = (make_creator() for _ in range(5))
    users = {
        "owner_x": owner_x,
        "manager_x": _member(org_x, Membership.Role.MANAGER, "manager@x.example"),
        "viewer_x": _member(org_x, Membership.Role.VIEWER, "viewer@x.example"),
        "member_y": _member(org_y, Membership.Role.MANAGER, "manager@y.example"),
        "ngo_manager": _member(ngo, Membership.Role.MANAGER, "manager@ngo.example"),
        "creator_a": creator_a.user,
        "creator_b": creator_b.user,
        "staff_without_mfa": UserFactory(email="staff@kolabo.example", is_staff=True),
    }
    mfa_users = {
        "payout_reviewer": UserFactory(
            email="payouts@kolabo.example", is_staff=True, staff_roles=[PAYOUT_REVIEWERS]
        ),
        "verification_reviewer": UserFactory(
            email="verifier@kolabo.example", is_staff=True, staff_roles=[VERIFICATION_REVIEWERS]
        ),
        "dispute_handler": UserFactory(
            email="disputes@kolabo.example", is_staff=True, staff_roles=[DISPUTE_HANDLERS]
        ),
        "superuser": UserFactory(email="root@kolabo.example", is_staff=True, is_superuser=True),
    }
    # Another viewer of X, the target of member removal and role changes (never one of the callers).
    colleague = _member(org_x, Membership.Role.VIEWER, "colleague@x.example")

    campaign_x = CampaignFactory(organization=org_x, status=Campaign.Status.PUBLISHED, slots=3)
    application = ApplicationFactory(campaign=campaign_x, creator=creator_b)
    invitation = InvitationFactory(campaign=campaign_x, creator=creator_c, invited_by=owner_x)
    # Countered, so that the organization's answers to it are allowed for its owner and manager.
    invitation_counter(invitation=invitation, by_user=creator_c.user, fee=Decimal("900000"))
    collaboration = start_collaboration(campaign_x, creator_a, by_user=owner_x)
    deliverable = collaboration.deliverables.first()
    draft = SimpleUploadedFile("draft.mp4", b"\x00\x00\x00\x18ftypmp42", content_type="video/mp4")
    submission = drafts.submission_create(deliverable=deliverable, by_user=creator_a.user, file=draft)
    disputed = start_collaboration(campaign_x, creator_d, by_user=owner_x)
    disputed_draft = drafts.submission_create(
        deliverable=disputed.deliverables.first(),
        by_user=creator_d.user,
        file=SimpleUploadedFile("draft.mp4", b"\x00\x00\x00\x18ftypmp42", content_type="video/mp4"),
    )
    # Set up as raised (the rules for when a dispute may be raised are tested in tests/campaigns).
    dispute = Dispute.objects.create(collaboration=disputed, raised_by=creator_d.user, reason="No answer.")
    Collaboration.objects.filter(pk=disputed.pk).update(
        status=Collaboration.Status.DISPUTED, status_before_dispute=disputed.status
    )
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
    Recommendation.objects.create(
        campaign=campaign_x,
        creator=creator_e,
        account=creator_e.social_accounts.first(),
        rank=1,
        score=90,
        total=900_000,
        computed_at=timezone.now(),
    )
    subscription = subscription_create(
        organization=org_x, by_user=owner_x, url="https://crm.example/hooks", event_types=["payout.paid"]
    )
    make_key(org_x, owner_x)
    make_token(creator_a.user)
    ngo_cause = CampaignFactory(organization=ngo, kind=Campaign.Kind.CAUSE, funded=False)
    sponsored_cause = CampaignFactory(organization=ngo, kind=Campaign.Kind.CAUSE, funded=False)
    Sponsorship.objects.create(
        campaign=sponsored_cause,
        sponsor=org_x,
        status=Sponsorship.Status.ACCEPTED,
        amount=Decimal("1000000"),
        currency="IDR",
        created_by=users["ngo_manager"],
        decided_by=owner_x,
        decided_at=timezone.now(),
    )
    tracking_settings_update(
        campaign=campaign_x, by_user=owner_x, target_url="https://kopi.example/shop", goals={"sale": ""}
    )
    world = {
        "ngo_cause": ngo_cause,
        "sponsored_cause": sponsored_cause,
        "tracked_link": link_for_collaboration(collaboration),
        "conversion_import": conversion_import_run(
            campaign=campaign_x, by_user=owner_x, file_name="orders.csv", content=sample_csv().encode()
        ),
        "sponsorship": Sponsorship.objects.create(
            campaign=ngo_cause,
            sponsor=org_x,
            status=Sponsorship.Status.INVITED,
            amount=Decimal("1000000"),
            currency="IDR",
            created_by=users["ngo_manager"],
        ),
        "users": users | mfa_users,
        "mfa_users": set(mfa_users),
        "org_x": org_x,
        "org_y": org_y,
        "campaign_x": campaign_x,
        "creator_a_profile": creator_a,
        "creator_b_profile": creator_b,
        "application": application,
        "invitation": invitation,
        "collaboration": collaboration,
        "deliverable": deliverable,
        "submission": submission,
        "dispute": dispute,
        "disputed": disputed,
        "disputed_draft": disputed_draft,
        "draft_campaign": CampaignFactory(organization=org_x, status=Campaign.Status.DRAFT),
        "payout": payout,
        "batch": batch,
        "subscription": subscription,
        "delivery": WebhookDelivery.objects.create(
            subscription=subscription,
            event_id=uuid.uuid4(),
            event_type="payout.paid",
            payload={},
            created_at=timezone.now(),
        ),
        "notification": Notification.objects.filter(recipient=creator_a.user).first(),
        "target_membership": Membership.objects.get(organization=org_x, user=colleague),
        "org_invitation": OrgInvitationFactory(
            organization=org_x, email="newcomer@x.example", invited_by=owner_x
        ),
        "verification": VerificationRequestFactory(organization=org_x, submitted_by=owner_x),
        "verification_document": VerificationDocument.objects.create(
            organization=org_x,
            kind=VerificationDocument.Kind.NIB,
            file=ContentFile(b"%PDF-1.7\n%%EOF\n", name="nib.pdf"),
            original_name="nib.pdf",
            size=14,
            uploaded_by=owner_x,
        ),
        "social_account_a": creator_a.social_accounts.first(),
        "rate_card_item_a": RateCardItemFactory(profile=creator_a),
        "shortlist": shortlist_create(organization=org_x, by_user=owner_x, name="Kopi lovers"),
        "funding": CampaignFunding.objects.filter(campaign=campaign_x).first(),
        "token_a": PersonalToken.objects.get(user=creator_a.user),
        "key_x": ApiKey.objects.get(organization=org_x),
        # Instagram, so disconnecting calls no platform (TikTok's token would be revoked).
        "connection_a": PlatformConnection.objects.create(
            profile=creator_a,
            account=creator_a.social_accounts.first(),
            platform="instagram",
            external_id="17841400000000001",
            username="creator.a",
        ),
        "deletion_code": signing.dumps({"at": 1_700_000_000, "n": 0}, salt=DELETION_SALT, compress=True),
        "roster_job": RosterImportJob.objects.create(
            organization=org_x, created_by=owner_x, status=RosterImportJob.Status.DONE
        ),
        # An unclaimed roster creator of X: its claim link is a capability, open to whoever holds it.
        "roster_profile": _roster_profile(org_x),
    }
    assert world["notification"] is not None
    return world


def _client_for(role: str, world: dict) -> Client:
    client = Client(enforce_csrf_checks=True)
    user = world["users"].get(role)
    if role in world["mfa_users"]:
        # Password, then the authenticator code, on a client without CSRF checks; then hand the
        # session over.
        verified = login_with_mfa(Client(), user)
        client.cookies = verified.cookies
    elif user is not None:
        client.force_login(user)
    client.get(reverse("account_login") if user is None else reverse("notifications"))
    assert "csrftoken" in client.cookies, role
    return client


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _private_media_dir):
    """Built once in a transaction that is rolled back when the module is done."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            PRIVATE_MEDIA_ROOT=_private_media_dir,
        ),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = _build_world()
            world["clients"] = {role: _client_for(role, world) for role in ROLES}
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def cell(world, db):
    """The world, in this test's savepoint (`db`), rolled back after it."""
    return world


def outcome(response, login_url: str) -> str:
    status = response.status_code
    if status in (301, 302, 303):
        location = response["Location"].split("?")[0]
        if location == login_url:
            return LOGIN
        if location == reverse("creators:onboarding"):
            return ONBOARD
        if location in (
            reverse("staff_mfa_setup"),
            reverse("mfa_reauthenticate"),
            reverse("mfa_authenticate"),
        ):
            return MFA
        if any(m.level == message_levels.ERROR for m in get_messages(response.wsgi_request)):
            return REFUSED
        return ALLOW
    if status < 300 or status == 400:
        return ALLOW
    return {403: DENY403, 404: DENY404, 405: NOT_ALLOWED}.get(status, str(status))


def request_as(world: dict, role: str, route: str, method: str, variant: str = ""):
    client = world["clients"][role]
    client.cookies.pop("messages", None)
    kwargs = VARIANTS[route, variant] if variant else KWARGS.get(route, _none)
    url = reverse(route, kwargs=kwargs(world) or None)
    if method == "GET":
        return client.get(url)
    body = {"csrfmiddlewaretoken": client.cookies["csrftoken"].value, **BODIES.get(route, _none)(world)}
    return client.post(url, body)


def test_every_web_route_is_in_the_table():
    routes = web_routes()
    missing = sorted(routes - {route for route, _method in TABLE})
    stale = sorted({route for route, _method in TABLE} - routes)

    assert missing == [], "add these pages to TABLE (or to EXCLUDED, with the reason)"
    assert stale == []
    assert set(EXCLUDED) <= all_routes()


@pytest.mark.skipif(not os.environ.get("MATRIX_DISCOVER"), reason="MATRIX_DISCOVER=1 prints the matrix")
def test_discover(cell):
    login_url = reverse("account_login")
    for route in sorted(web_routes()):
        for method in METHODS:
            got = []
            for role in ROLES:
                with transaction.atomic():
                    response = request_as(cell, role, route, method)
                    transaction.set_rollback(True)
                got.append(f"{role}={outcome(response, login_url)}")
            print("MATRIX", route, method, " ".join(got))
    for route, variant in VARIANTS:
        for method in METHODS:
            got = []
            for role in ROLES:
                with transaction.atomic():
                    response = request_as(cell, role, route, method, variant)
                    transaction.set_rollback(True)
                got.append(f"{role}={outcome(response, login_url)}")
            print("MATRIX", f"{route}[{variant}]", method, " ".join(got))


# The table

CREATORS = {"creator_a", "creator_b"}
ORG_X = {"owner_x", "manager_x", "viewer_x"}
ORG_X_WRITERS = {"owner_x", "manager_x"}
ORG_MANAGERS_ELSEWHERE = {"member_y", "ngo_manager"}
STAFF = {"staff_without_mfa", "payout_reviewer", "verification_reviewer", "dispute_handler", "superuser"}
SIGNED_IN = set(ROLES) - {"anonymous"}
NOT_CREATORS = SIGNED_IN - CREATORS


def row(*, ok=(), forbidden=(), refused=(), default=DENY404, anonymous=LOGIN, **exact) -> dict[str, str]:
    """Signed-in roles get `default` unless named: `ok` pass the gate, `forbidden` get 403 (same
    organization, not their role), `refused` get a redirect with an error message."""
    table = dict.fromkeys(ROLES, default)
    table["anonymous"] = anonymous
    table.update(dict.fromkeys(forbidden, DENY403))
    table.update(dict.fromkeys(refused, REFUSED))
    table.update(dict.fromkeys(ok, ALLOW))
    table.update(exact)
    return table


def everyone(outcome_: str = ALLOW, anonymous: str = LOGIN) -> dict[str, str]:
    return row(default=outcome_, anonymous=anonymous)


def post_only() -> dict[str, str]:
    """GET on a POST-only page: login first, then 405."""
    return everyone(NOT_ALLOWED)


def staff_page(*holders: str) -> dict[str, str]:
    """Login, then the staff role (404 without it), then MFA in this session."""
    return row(ok={*holders, "superuser"}, staff_without_mfa=MFA)


def creators_only(ok=CREATORS, default=DENY404) -> dict[str, str]:
    """A creator's own page (`creator_required`): people without a creator profile go to onboarding."""
    return row(ok=ok, default=default, **dict.fromkeys(NOT_CREATORS, ONBOARD))


def read_and_post(get: dict[str, str]) -> dict[tuple[str, str], dict[str, str]]:
    """Pages that only read, and answer a POST (which has no effect) as they answer a GET."""
    return {"GET": get, "POST": get}


_TABLE_BY_ROUTE: dict[str, dict[str, dict[str, str]]] = {
    # marketplace
    "home": read_and_post(everyone(anonymous=ALLOW)),
    "healthz": {"GET": everyone(anonymous=ALLOW), "POST": everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED)},
    "dashboard": read_and_post(everyone()),
    "set_language": {"GET": everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED), "POST": everyone(anonymous=ALLOW)},
    "notifications": read_and_post(everyone()),
    "notifications_read_all": {"GET": post_only(), "POST": everyone()},
    "notification_open": {"GET": post_only(), "POST": row(ok={"creator_a"})},
    # Staff without MFA are the ones sent here; everyone else has nothing to set up.
    "staff_mfa_setup": read_and_post(row(ok=STAFF)),
    # brands
    "brands:org_list": read_and_post(everyone()),
    "brands:org_create": read_and_post(everyone()),
    # The invitation's token is the key: whoever holds the link sees it (tests/brands/test_invitations.py).
    "brands:invitation_accept": {"GET": everyone(anonymous=ALLOW), "POST": everyone()},
    "brands:verification_queue": read_and_post(staff_page("verification_reviewer")),
    # Organization X's own members too get a 404: only reviewers open documents (test_verification_documents.py).
    "brands:verification_document": read_and_post(staff_page("verification_reviewer")),
    "brands:verification_decide": {
        "GET": everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED),
        "POST": staff_page("verification_reviewer"),
    },
    "brands:org_detail": read_and_post(row(ok=ORG_X)),
    "brands:org_edit": read_and_post(row(ok=ORG_X_WRITERS, forbidden={"viewer_x"})),
    "brands:members": {"GET": row(ok=ORG_X), "POST": row(ok=ORG_X_WRITERS, forbidden={"viewer_x"})},
    "brands:member_remove": {"GET": post_only(), "POST": row(ok=ORG_X_WRITERS, refused={"viewer_x"})},
    # Only owners change roles.
    "brands:member_role": {
        "GET": post_only(),
        "POST": row(ok={"owner_x"}, refused={"manager_x", "viewer_x"}),
    },
    "brands:invitation_revoke": {"GET": post_only(), "POST": row(ok=ORG_X_WRITERS, refused={"viewer_x"})},
    "brands:verification_request": {
        "GET": row(ok=ORG_X),
        "POST": row(ok=ORG_X_WRITERS, forbidden={"viewer_x"}),
    },
    # creators
    "creators:onboarding": read_and_post(everyone()),
    "creators:profile_edit": read_and_post(creators_only()),
    "creators:social_account_add": read_and_post(creators_only()),
    "creators:social_account_edit": read_and_post(creators_only(ok={"creator_a"})),
    "creators:social_account_delete": read_and_post(creators_only(ok={"creator_a"})),
    "creators:rate_card": read_and_post(creators_only()),
    "creators:rate_card_delete": {
        "GET": creators_only(ok=(), default=NOT_ALLOWED),
        "POST": creators_only(ok={"creator_a"}),
    },
    "creators:profile_public": {
        "GET": everyone(anonymous=ALLOW),
        "POST": everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED),
    },
    # discovery and roster: for members of an organization, in their own organization
    "discovery:search": {"GET": row(ok=ORG_X | ORG_MANAGERS_ELSEWHERE), "POST": post_only()},
    "discovery:shortlists": read_and_post(row(ok=ORG_X | ORG_MANAGERS_ELSEWHERE)),
    "discovery:shortlist_detail": {"GET": row(ok=ORG_X), "POST": post_only()},
    "discovery:shortlist_add": {"GET": post_only(), "POST": row(ok=ORG_X_WRITERS, refused={"viewer_x"})},
    "discovery:shortlist_remove": {"GET": post_only(), "POST": row(ok=ORG_X_WRITERS, refused={"viewer_x"})},
    "discovery:shortlist_delete": {"GET": post_only(), "POST": row(ok=ORG_X_WRITERS, refused={"viewer_x"})},
    "discovery:shortlist_invite": {"GET": post_only(), "POST": row(ok=ORG_X_WRITERS, refused={"viewer_x"})},
    # A viewer has no organization to import into: the page is not there for them.
    "roster:import": read_and_post(row(ok=ORG_X_WRITERS | ORG_MANAGERS_ELSEWHERE)),
    "roster:template": {"GET": row(ok=ORG_X_WRITERS | ORG_MANAGERS_ELSEWHERE), "POST": post_only()},
    "roster:job": {"GET": row(ok=ORG_X_WRITERS), "POST": post_only()},
    "roster:creators": {"GET": row(ok=ORG_X_WRITERS), "POST": post_only()},
    # The claim link: anyone holding it sees the page; a POST without a choice re-renders it (400).
    "roster:claim": read_and_post(everyone(anonymous=ALLOW)),
    # Only a creator whose profile came from a roster import has imported data to see.
    "roster:my_data": read_and_post(row()),
    # campaigns: briefs. Published briefs are visible to every signed-in user on the web (a
    # deliberate difference from the API, which shows them to members only).
    "campaigns:brief_list": read_and_post(everyone()),
    "campaigns:brief_detail": read_and_post(everyone()),
    "campaigns:org_campaigns": read_and_post(row(ok=ORG_X)),
    "campaigns:campaign_create": read_and_post(row(ok=ORG_X_WRITERS, forbidden={"viewer_x"})),
    "campaigns:campaign_manage": read_and_post(row(ok=ORG_X)),
    "campaigns:campaign_edit": read_and_post(row(ok=ORG_X_WRITERS, forbidden={"viewer_x"})),
    # campaign_x is published already: its owner and manager are told so.
    "campaigns:campaign_publish": {
        "GET": post_only(),
        "POST": row(refused=ORG_X_WRITERS, forbidden={"viewer_x"}),
    },
    "campaigns:campaign_close": {"GET": post_only(), "POST": row(ok=ORG_X_WRITERS, forbidden={"viewer_x"})},
    "campaigns:campaign_cancel": read_and_post(row(ok=ORG_X_WRITERS, forbidden={"viewer_x"})),
    "campaigns:campaign_duplicate": {
        "GET": post_only(),
        "POST": row(ok=ORG_X_WRITERS, forbidden={"viewer_x"}),
    },
    "campaigns:recommendations": read_and_post(row(ok=ORG_X)),
    "campaigns:recommendations_invite": {
        "GET": post_only(),
        "POST": row(ok=ORG_X_WRITERS, forbidden={"viewer_x"}),
    },
    "campaigns:recommendations_refresh": {
        "GET": post_only(),
        "POST": row(ok=ORG_X_WRITERS, forbidden={"viewer_x"}),
    },
    "campaigns:recommendations_minimum": {
        "GET": post_only(),
        "POST": row(ok=ORG_X_WRITERS, forbidden={"viewer_x"}),
    },
    # campaigns: offers. Only creators apply; everyone signed in may read a published brief's form.
    "campaigns:apply": {"GET": everyone(), "POST": row(ok=CREATORS, default=DENY403)},
    "campaigns:applicants": read_and_post(row(ok=ORG_X)),
    "campaigns:invite": read_and_post(row(ok=ORG_X_WRITERS, forbidden={"viewer_x"})),
    "campaigns:my_offers": read_and_post(row(ok=CREATORS, default=ONBOARD)),
    # The application is creator B's, to organization X.
    "campaigns:application_withdraw": {"GET": post_only(), "POST": row(ok={"creator_b"}, refused=ORG_X)},
    "campaigns:application_shortlist": {
        "GET": post_only(),
        "POST": row(ok=ORG_X_WRITERS, refused={"creator_b", "viewer_x"}),
    },
    "campaigns:application_accept": {
        "GET": post_only(),
        "POST": row(ok=ORG_X_WRITERS, refused={"creator_b", "viewer_x"}),
    },
    "campaigns:application_decline": {
        "GET": post_only(),
        "POST": row(ok=ORG_X_WRITERS, refused={"creator_b", "viewer_x"}),
    },
    # The invitation is organization X's, to creator C (none of the roles), who countered it.
    "campaigns:invitation_detail": read_and_post(row(ok=ORG_X)),
    "campaigns:invitation_accept": {"GET": post_only(), "POST": row(refused=ORG_X)},
    "campaigns:invitation_decline": {"GET": post_only(), "POST": row(refused=ORG_X)},
    "campaigns:invitation_counter": {"GET": post_only(), "POST": row(refused=ORG_X)},
    "campaigns:invitation_counter_accept": {
        "GET": post_only(),
        "POST": row(ok=ORG_X_WRITERS, refused={"viewer_x"}),
    },
    "campaigns:invitation_counter_decline": {
        "GET": post_only(),
        "POST": row(ok=ORG_X_WRITERS, refused={"viewer_x"}),
    },
    "campaigns:invitation_revoke": {"GET": post_only(), "POST": row(ok=ORG_X_WRITERS, refused={"viewer_x"})},
    "campaigns:invitation_batch_status": {"GET": row(ok=ORG_X), "POST": post_only()},
    # campaigns: the workspace of creator A's collaboration with organization X. Staff see only
    # disputed ones (the [disputed] rows).
    "campaigns:my_collaborations": read_and_post(everyone()),
    "campaigns:collaboration_detail": read_and_post(row(ok={"creator_a"} | ORG_X)),
    "campaigns:message_create": {
        "GET": post_only(),
        "POST": row(ok={"creator_a"} | ORG_X_WRITERS, forbidden={"viewer_x"}),
    },
    "campaigns:collaboration_cancel": read_and_post(
        row(ok={"creator_a"} | ORG_X_WRITERS, forbidden={"viewer_x"})
    ),
    # Nothing is overdue and no draft used its rounds: the GET form says so; a POST re-renders it.
    "campaigns:dispute_raise": {
        "GET": row(refused={"creator_a"} | ORG_X_WRITERS, forbidden={"viewer_x"}),
        "POST": row(ok={"creator_a"} | ORG_X_WRITERS, forbidden={"viewer_x"}),
    },
    # Not completed yet: the rating form says so; a POST re-renders it.
    "campaigns:rate": {
        "GET": row(refused={"creator_a"} | ORG_X_WRITERS, forbidden={"viewer_x"}),
        "POST": row(ok={"creator_a"} | ORG_X_WRITERS, forbidden={"viewer_x"}),
    },
    "campaigns:submission_create": {"GET": post_only(), "POST": row(ok={"creator_a"}, forbidden=ORG_X)},
    # The draft is not approved yet: the creator is told so; the organization may not publish.
    "campaigns:deliverable_publish": {
        "GET": post_only(),
        "POST": row(refused={"creator_a"}, forbidden=ORG_X),
    },
    # Not published yet: the owner and manager are told so; the creator and a viewer may not confirm.
    "campaigns:deliverable_confirm": {
        "GET": post_only(),
        "POST": row(refused=ORG_X_WRITERS, forbidden={"creator_a", "viewer_x"}),
    },
    "campaigns:submission_review": {
        "GET": post_only(),
        "POST": row(ok=ORG_X_WRITERS, forbidden={"creator_a", "viewer_x"}),
    },
    "campaigns:submission_file": read_and_post(row(ok={"creator_a"} | ORG_X)),
    "campaigns:dispute_queue": read_and_post(staff_page("dispute_handler")),
    "campaigns:dispute_resolve": {
        "GET": everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED),
        "POST": staff_page("dispute_handler"),
    },
    # campaigns: sponsorship. X's sponsorship is shared with the NGO that invited it; neither
    # organization is verified, so accepting is refused to both sides (the NGO: not its answer).
    # Inviting is refused on X's commercial brief (the form comes back with the reason).
    "campaigns:sponsorship_invite": {
        "GET": row(ok=ORG_X),
        "POST": row(ok=ORG_X_WRITERS, forbidden={"viewer_x"}),
    },
    # Any signed-in user reads the offer form of a published cause brief; only brand managers post it.
    "campaigns:sponsorship_offer": {
        "GET": everyone(),
        "POST": row(ok={"owner_x", "manager_x", "member_y"}, default=DENY403),
    },
    "campaigns:sponsorship_detail": read_and_post(row(ok=ORG_X | {"ngo_manager"})),
    "campaigns:sponsorship_accept": {"GET": post_only(), "POST": row(refused=ORG_X | {"ngo_manager"})},
    "campaigns:sponsorship_decline": {
        "GET": post_only(),
        "POST": row(ok=ORG_X_WRITERS, refused={"viewer_x", "ngo_manager"}),
    },
    "campaigns:sponsorship_withdraw": {"GET": post_only(), "POST": row(ok={"ngo_manager"}, refused=ORG_X)},
    # Not accepted yet: X's writers get the payment form back with the reason.
    "campaigns:sponsorship_fund": {
        "GET": post_only(),
        "POST": row(ok=ORG_X_WRITERS, refused={"viewer_x", "ngo_manager"}),
    },
    "campaigns:org_sponsorships": read_and_post(row(ok=ORG_X)),
    # tracking: creator A's short link and its QR codes are public (posters, bios); every visitor is
    # sent on to campaign X's target URL.
    "tracking:link_redirect": {
        "GET": everyone(anonymous=ALLOW),
        "POST": everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED),
    },
    "tracking:link_redirect_slash": {
        "GET": everyone(anonymous=ALLOW),
        "POST": everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED),
    },
    "tracking:link_qr_svg": {
        "GET": everyone(anonymous=ALLOW),
        "POST": everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED),
    },
    "tracking:link_qr_png": {
        "GET": everyone(anonymous=ALLOW),
        "POST": everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED),
    },
    # The pixel fires from a browser on the partner's site: no session, always the same 1x1 GIF.
    "tracking:pixel": {
        "GET": everyone(anonymous=ALLOW),
        "POST": everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED),
    },
    # Campaign X's tracking settings: a viewer reads them (the form disabled) but may not save; an
    # empty POST re-renders the form with its errors.
    "tracking:settings": {"GET": row(ok=ORG_X), "POST": row(ok=ORG_X_WRITERS, forbidden={"viewer_x"})},
    "tracking:secret_rotate": {"GET": post_only(), "POST": row(ok=ORG_X_WRITERS, forbidden={"viewer_x"})},
    "tracking:conversion_list": {"GET": row(ok=ORG_X), "POST": post_only()},
    # Uploading writes conversions: owners and managers only, the form too.
    "tracking:conversion_upload": read_and_post(row(ok=ORG_X_WRITERS, forbidden={"viewer_x"})),
    "tracking:conversion_import_report": {"GET": row(ok=ORG_X), "POST": post_only()},
    "tracking:conversion_sample": {"GET": row(ok=ORG_X), "POST": post_only()},
    # analytics: campaign X's report, its print version, PDF and CSV, for X's members (the
    # [sponsored] rows: and for the members of a brand that sponsors a cause campaign).
    "analytics:campaign_report": {"GET": row(ok=ORG_X), "POST": post_only()},
    "analytics:campaign_report_print": {"GET": row(ok=ORG_X), "POST": post_only()},
    "analytics:campaign_report_pdf": {"GET": row(ok=ORG_X), "POST": post_only()},
    "analytics:campaign_report_csv": {"GET": row(ok=ORG_X), "POST": post_only()},
    # A creator's own analytics; people without a creator profile have none (as on earnings).
    "analytics:creator_analytics": read_and_post(row(ok=CREATORS)),
    # Every staff member, with MFA: Kolabo-wide figures, no personal data beyond the queues.
    "analytics:staff_dashboard": read_and_post(
        staff_page("payout_reviewer", "verification_reviewer", "dispute_handler")
    ),
    # The NGO's published cause campaign: its impact page is public, signed in or not.
    "analytics:impact": {
        "GET": everyone(anonymous=ALLOW),
        "POST": everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED),
    },
    # Only the creator decides to be named: creator A opts out on campaign X; nobody else has a
    # collaboration there to name.
    "analytics:impact_credit": {"GET": post_only(), "POST": row(ok={"creator_a"})},
    # payments
    "payments:campaign_spend": read_and_post(row(ok=ORG_X)),
    # campaign_x is fully funded, so nobody reaches Stripe; a viewer's refusal is the same redirect
    # (the API matrix tells the two apart: the same service answers 403 there).
    "payments:funding_start": {"GET": post_only(), "POST": row(refused=ORG_X)},
    "payments:funding_return": read_and_post(row(ok=ORG_X)),
    "payments:earnings": read_and_post(row(ok=CREATORS)),
    # No Stripe here: the creators are told Stripe could not start the set-up.
    "payments:get_paid": {"GET": post_only(), "POST": row(refused=CREATORS)},
    "payments:get_paid_return": read_and_post(row(ok=CREATORS)),
    "payments:payout_queue": read_and_post(staff_page("payout_reviewer")),
    "payments:payout_detail": read_and_post(staff_page("payout_reviewer")),
    "payments:payout_review": {
        "GET": row(staff_without_mfa=MFA, payout_reviewer=NOT_ALLOWED, superuser=NOT_ALLOWED),
        "POST": staff_page("payout_reviewer"),
    },
    # Creator A has no Stripe account yet, so the approval is refused with a message.
    "payments:payouts_bulk_approve": {
        "GET": row(staff_without_mfa=MFA, payout_reviewer=NOT_ALLOWED, superuser=NOT_ALLOWED),
        "POST": row(refused={"payout_reviewer", "superuser"}, staff_without_mfa=MFA),
    },
    # webhooks: owners and managers only; a viewer does not see the organization's endpoints
    # (the API answers a viewer 404 too).
    "webhooks:subscriptions": read_and_post(row(ok=ORG_X_WRITERS)),
    "webhooks:deliveries": read_and_post(row(ok=ORG_X_WRITERS)),
    "webhooks:deactivate": {"GET": post_only(), "POST": row(ok=ORG_X_WRITERS)},
    "webhooks:redeliver": {"GET": post_only(), "POST": row(ok=ORG_X_WRITERS)},
    # developers: API credentials
    "api_web:personal_tokens": read_and_post(everyone()),
    "api_web:personal_token_revoke": {"GET": post_only(), "POST": row(ok={"creator_a"})},
    "api_web:api_keys": {"GET": row(ok=ORG_X), "POST": row(ok=ORG_X_WRITERS, forbidden={"viewer_x"})},
    "api_web:api_key_revoke": {"GET": post_only(), "POST": row(ok=ORG_X_WRITERS, refused={"viewer_x"})},
    # platforms: a creator's own connected accounts. Connect sends the creator to Instagram; a
    # callback without the state issued in their session is refused with a message.
    "platforms:connections": {"GET": creators_only(), "POST": creators_only(ok=(), default=NOT_ALLOWED)},
    "platforms:connect": {"GET": creators_only(ok=(), default=NOT_ALLOWED), "POST": creators_only()},
    "platforms:callback": {
        "GET": row(refused=CREATORS, **dict.fromkeys(NOT_CREATORS, ONBOARD)),
        "POST": creators_only(ok=(), default=NOT_ALLOWED),
    },
    # Creator A's Instagram connection.
    "platforms:disconnect": {
        "GET": creators_only(ok=(), default=NOT_ALLOWED),
        "POST": creators_only(ok={"creator_a"}),
    },
    # Meta's callbacks: no session, no CSRF token; without a signed_request they answer 400.
    "platforms:deauthorize": {
        "GET": everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED),
        "POST": everyone(anonymous=ALLOW),
    },
    "platforms:data_deletion": {
        "GET": everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED),
        "POST": everyone(anonymous=ALLOW),
    },
    # The public status page of a data deletion, opened with its signed confirmation code.
    "platforms:deletion_status": {
        "GET": everyone(anonymous=ALLOW),
        "POST": everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED),
    },
}

# The same pages pointed at other objects (VARIANTS): a draft is for its organization only; a
# disputed collaboration opens, read-only, to staff who handle disputes, with MFA.
_VARIANT_TABLE: dict[tuple[str, str], dict[str, dict[str, str]]] = {
    ("campaigns:brief_detail", "draft"): read_and_post(row(ok=ORG_X)),
    ("campaigns:campaign_manage", "draft"): read_and_post(row(ok=ORG_X)),
    ("campaigns:collaboration_detail", "disputed"): read_and_post(
        row(ok=ORG_X | {"dispute_handler", "superuser"}, staff_without_mfa=MFA)
    ),
    ("campaigns:submission_file", "disputed"): read_and_post(
        row(ok=ORG_X | {"dispute_handler", "superuser"}, staff_without_mfa=MFA)
    ),
    # Members of X may open their own draft's form (and are told only creators apply).
    ("campaigns:apply", "draft"): {"GET": row(ok=ORG_X), "POST": row(forbidden=ORG_X)},
    # X sponsors the NGO's campaign (accepted): X's members read its report, as the NGO's do.
    ("analytics:campaign_report", "sponsored"): {"GET": row(ok=ORG_X | {"ngo_manager"}), "POST": post_only()},
    ("analytics:campaign_report_csv", "sponsored"): {
        "GET": row(ok=ORG_X | {"ngo_manager"}),
        "POST": post_only(),
    },
    # X is only invited to sponsor this one: its report is the NGO's alone.
    ("analytics:campaign_report", "invited_sponsor"): {"GET": row(ok={"ngo_manager"}), "POST": post_only()},
    # A brand's commercial campaign has no impact page.
    ("analytics:impact", "commercial"): {
        "GET": everyone(DENY404, anonymous=DENY404),
        "POST": everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED),
    },
}

TABLE: dict[tuple[str, str], dict[str, str]] = {
    (route, method): cells for route, methods in _TABLE_BY_ROUTE.items() for method, cells in methods.items()
}

# Routes whose object is not organization X's (a creator's own, a capability link, staff
# queues) or is deliberately public (a published brief).
NOT_ORGANIZATION_X_OBJECTS = {
    "notification_open",
    "brands:invitation_accept",
    "brands:verification_decide",
    "brands:verification_document",
    "creators:social_account_edit",
    "creators:social_account_delete",
    "creators:rate_card_delete",
    "creators:profile_public",
    "campaigns:brief_detail",
    "campaigns:apply",
    "campaigns:dispute_resolve",
    # A sponsorship belongs to both the NGO and the brand; the offer form is on a published brief.
    "campaigns:sponsorship_offer",
    "campaigns:sponsorship_detail",
    "campaigns:sponsorship_accept",
    "campaigns:sponsorship_decline",
    "campaigns:sponsorship_withdraw",
    "campaigns:sponsorship_fund",
    # Public: creator A's short link and QR codes, the pixel, the NGO's impact page.
    "tracking:link_redirect",
    "tracking:link_redirect_slash",
    "tracking:link_qr_svg",
    "tracking:link_qr_png",
    "tracking:pixel",
    "analytics:impact",
    "payments:payout_detail",
    "payments:payout_review",
    "api_web:personal_token_revoke",
    "platforms:connect",
    "platforms:callback",
    "platforms:disconnect",
    "platforms:deletion_status",
    "roster:claim",
}

# Cells where the code does not do what the table says yet: (route, method, variant, role) -> why.
KNOWN_BUGS: dict[tuple[str, str, str, str], str] = {}


def _cells():
    entries = [(route, method, "", cells) for (route, method), cells in TABLE.items()]
    entries += [
        (route, method, variant, cells)
        for (route, variant), methods in _VARIANT_TABLE.items()
        for method, cells in methods.items()
    ]
    for route, method, variant, cells in sorted(entries):
        for role in ROLES:
            name = f"{route}{f'[{variant}]' if variant else ''} {method} {role}"
            bug = KNOWN_BUGS.get((route, method, variant, role))
            marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
            yield pytest.param(route, method, variant, role, cells[role], id=name, marks=marks)


@pytest.mark.parametrize(("route", "method", "variant", "role", "expected"), list(_cells()))
def test_web_permission_matrix(cell, route, method, variant, role, expected):
    response = request_as(cell, role, route, method, variant)

    assert outcome(response, reverse("account_login")) == expected


def test_every_route_has_both_methods_and_every_role():
    tables = {**_TABLE_BY_ROUTE, **_VARIANT_TABLE}
    for key, methods in tables.items():
        assert set(methods) == set(METHODS), key
        for cells in methods.values():
            assert set(cells) == set(ROLES), key
    assert set(VARIANTS) == set(_VARIANT_TABLE)


def test_another_organizations_objects_answer_404():
    """Whatever organization X's pages say to its own members, a manager of another organization or
    NGO, and a creator who is not part of it, get 404: never 403 (which says it exists), never 200."""
    org_x_routes = set(KWARGS) - NOT_ORGANIZATION_X_OBJECTS
    assert len(org_x_routes) > 50
    for (route, method), cells in TABLE.items():
        if route in org_x_routes and cells["owner_x"] != NOT_ALLOWED:
            for role in ORG_MANAGERS_ELSEWHERE:
                assert cells[role] == DENY404, (route, method, role)


def test_posts_without_a_csrf_token_are_refused(cell):
    """The matrix posts with a valid token; without one, the same request never reaches a view."""
    client = cell["clients"]["owner_x"]
    url = reverse("campaigns:campaign_close", kwargs=KWARGS["campaigns:campaign_close"](cell))

    response = client.post(url, {})

    assert response.status_code == 403
    assert b"CSRF" in response.content
