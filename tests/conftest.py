import pytest

from brands.models import Membership
from marketplace.permissions import DISPUTE_HANDLERS, PAYOUT_REVIEWERS, VERIFICATION_REVIEWERS
from tests.brands.factories import MembershipFactory, OrganizationFactory
from tests.campaigns.factories import CampaignFactory
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory
from tests.marketplace.factories import UserFactory
from tests.platform_fixtures import platform_emulator, platforms  # noqa: F401
from tests.stripe_fixtures import emulator, stripe_emulator  # noqa: F401


@pytest.fixture(autouse=True, scope="session")
def _celery_runs_tasks_inline():
    """Tasks run in-process during tests, even with Redis configured, so their effects are checked
    directly; tests/marketplace/test_celery_worker.py sends tasks through a real worker."""
    from marketplace.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every factory user gets a password; the production hasher would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def outsider(db):
    """A logged-in person with no role anywhere: must see 404 on other people's objects."""
    return UserFactory(email="outsider@example.com")


@pytest.fixture
def staff_user(db):
    """Platform staff holding every staff role (payout, verification, dispute); MFA not set up."""
    return UserFactory(email="staff@example.com", is_staff=True)


@pytest.fixture
def admin_user(db):
    """A superuser who can log in through allauth (verified email, the factories' password)."""
    return UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, but verified with MFA as the admin requires of every staff session."""
    from tests.marketplace.mfa_helpers import login_with_mfa

    return login_with_mfa(client, admin_user)


@pytest.fixture
def support_staff(db):
    """Staff with no role: may look around the admin (with MFA), may not review anything."""
    return UserFactory(email="support@example.com", is_staff=True, staff_roles=[])


@pytest.fixture
def payout_reviewer(db):
    return UserFactory(email="payouts@example.com", is_staff=True, staff_roles=[PAYOUT_REVIEWERS])


@pytest.fixture
def verification_reviewer(db):
    return UserFactory(email="verifier@example.com", is_staff=True, staff_roles=[VERIFICATION_REVIEWERS])


@pytest.fixture
def dispute_handler(db):
    return UserFactory(email="disputes@example.com", is_staff=True, staff_roles=[DISPUTE_HANDLERS])


@pytest.fixture(autouse=True)
def _english_by_default():
    """A request in Indonesian leaves that language active in the thread; reset it per test."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def _private_media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("private-media")


@pytest.fixture(autouse=True)
def _private_media_outside_the_checkout(settings, _private_media_dir):
    """Uploaded drafts go to the private storage; keep the tests' files out of the checkout."""
    settings.PRIVATE_MEDIA_ROOT = _private_media_dir


@pytest.fixture(autouse=True)
def _celery_join_flag_cleared():
    """Celery marks the process "inside a task" while an eager task runs and restores the flag
    after; two threads running eager tasks at once (the concurrency tests) can restore it in the
    wrong order and leave it set, and then a later `result.get()` refuses to wait."""
    yield
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth keeps rate-limit counters in the cache; start every test from zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_match_index():
    """The in-memory match index lives as long as the process; each test has its own database."""
    from campaigns.match_index import match_index_reset

    match_index_reset()


# Organizations


def _organization_owned_by(owner, **fields):
    org = OrganizationFactory(created_by=owner, **fields)
    MembershipFactory(organization=org, user=owner, role=Membership.Role.OWNER)
    return org


def _member_of(organization, role, **user_fields):
    user = UserFactory(**user_fields)
    MembershipFactory(organization=organization, user=user, role=role)
    return user


@pytest.fixture
def brand_owner(db):
    return UserFactory(email="owner@brand.example", full_name="Olivia Owner")


@pytest.fixture
def brand_org(brand_owner):
    return _organization_owned_by(brand_owner, kind="brand", name="Kopi Nusantara", slug="kopi-nusantara")


@pytest.fixture
def brand_manager(brand_org):
    return _member_of(
        brand_org, Membership.Role.MANAGER, email="manager@brand.example", full_name="Maya Manager"
    )


@pytest.fixture
def brand_viewer(brand_org):
    return _member_of(
        brand_org, Membership.Role.VIEWER, email="viewer@brand.example", full_name="Vino Viewer"
    )


@pytest.fixture
def ngo_org(db):
    owner = UserFactory(email="owner@ngo.example", full_name="Oka Owner")
    return _organization_owned_by(owner, kind="ngo", name="Laut Bersih", slug="laut-bersih")


@pytest.fixture
def ngo_manager(ngo_org):
    return _member_of(ngo_org, Membership.Role.MANAGER, email="manager@ngo.example", full_name="Nadia NGO")


# Creators


@pytest.fixture
def creator(db):
    """A user with a creator profile and one Instagram account (@ayu.cooks, 25k followers, micro tier).

    The profile is `creator.creator_profile`; the account is its only `social_accounts` row.
    """
    profile = CreatorProfileFactory(display_name="Ayu Lestari", slug="ayu-lestari")
    SocialAccountFactory(profile=profile, handle="ayu.cooks")
    return profile.user


# Campaigns


@pytest.fixture
def campaign(brand_org):
    """A published brief of `brand_org` (see CampaignFactory): 2 slots, IDR 1,000,000, one Instagram reel."""
    return CampaignFactory(organization=brand_org, title="Kopi at sahur")
