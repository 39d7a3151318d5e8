"""brands.permissions decides every organization-role rule, for people and for API keys alike.

Each rule is checked for an owner, a manager, a viewer, an outsider, a removed member, a
deactivated user and an anonymous visitor; then for an organization API key, built the way the API
builds it (api.authentication reads the key creator's current membership on the request), before
and after its creator is demoted or removed.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api import access
from api.authentication import BearerAuthentication
from api.models import ApiKey
from api.services import api_key_create
from brands import permissions
from brands.models import Membership, Organization
from brands.services import membership_change_role, membership_remove
from brands.shortlists import shortlist_create
from marketplace.errors import PermissionDeniedError
from tests.brands.factories import MembershipFactory, OrganizationFactory
from tests.marketplace.factories import UserFactory

MANAGER_REFUSAL = "Only owners and managers of the organization can do this."
MEMBER_REFUSAL = "Only members of the organization can do this."


@pytest.fixture
def people(brand_org, brand_owner, brand_manager, brand_viewer, outsider):
    removed = UserFactory(email="removed@brand.example")
    MembershipFactory(organization=brand_org, user=removed, role=Membership.Role.MANAGER)
    membership_remove(membership=Membership.objects.get(user=removed), by_user=brand_owner)
    deactivated = UserFactory(email="gone@brand.example")
    MembershipFactory(organization=brand_org, user=deactivated, role=Membership.Role.OWNER)
    deactivated.is_active = False
    deactivated.save(update_fields=["is_active"])
    return {
        "owner": brand_owner,
        "manager": brand_manager,
        "viewer": brand_viewer,
        "outsider": outsider,
        "removed member": removed,
        "deactivated owner": deactivated,
        "anonymous": AnonymousUser(),
        "nobody": None,
    }


# (may view, may manage, may own)
EXPECTED = {
    "owner": (True, True, True),
    "manager": (True, True, False),
    "viewer": (True, False, False),
    "outsider": (False, False, False),
    "removed member": (False, False, False),
    "deactivated owner": (False, False, False),
    "anonymous": (False, False, False),
    "nobody": (False, False, False),
}


@pytest.mark.parametrize("who", EXPECTED)
def test_each_role_gets_exactly_its_rights(people, brand_org, who):
    user = people[who]
    views, manages, owns = EXPECTED[who]

    assert permissions.can_view_org(user, brand_org) is views
    assert permissions.can_manage_org(user, brand_org) is manages
    assert permissions.can_own_org(user, brand_org) is owns
    # An organization id decides the same as the organization.
    assert permissions.can_manage_org(user, brand_org.pk) is manages
    assert (permissions.membership_of(user, brand_org) is not None) is views


@pytest.mark.parametrize("who", EXPECTED)
def test_require_org_manager_returns_the_membership_or_refuses_with_the_one_message(people, brand_org, who):
    user = people[who]
    if EXPECTED[who][1]:
        membership = permissions.require_org_manager(organization=brand_org, user=user)
        assert (membership.organization_id, membership.user_id) == (brand_org.pk, user.pk)
    else:
        with pytest.raises(PermissionDeniedError) as refused:
            permissions.require_org_manager(organization=brand_org, user=user)
        assert str(refused.value.message) == MANAGER_REFUSAL


@pytest.mark.parametrize("who", EXPECTED)
def test_require_org_member_lets_every_role_in_and_nobody_else(people, brand_org, who):
    user = people[who]
    if EXPECTED[who][0]:
        assert permissions.require_org_member(organization=brand_org, user=user).user_id == user.pk
    else:
        with pytest.raises(PermissionDeniedError) as refused:
            permissions.require_org_member(organization=brand_org, user=user)
        assert str(refused.value.message) == MEMBER_REFUSAL


@pytest.mark.parametrize("who", EXPECTED)
def test_managed_organizations_are_the_ones_owned_or_managed(people, brand_org, who):
    other = OrganizationFactory(name="Batik Lestari")
    user = people[who]

    managed = set(Organization.objects.filter(pk__in=permissions.managed_organization_ids(user)))

    assert managed == ({brand_org} if EXPECTED[who][1] else set())
    assert other not in managed


def test_a_member_of_two_organizations_manages_each_by_its_own_role(brand_org, brand_viewer):
    ngo = OrganizationFactory(kind="ngo", name="Laut Bersih")
    MembershipFactory(organization=ngo, user=brand_viewer, role=Membership.Role.MANAGER)

    assert permissions.can_manage_org(brand_viewer, ngo)
    assert not permissions.can_manage_org(brand_viewer, brand_org)
    assert set(Organization.objects.filter(pk__in=permissions.managed_organization_ids(brand_viewer))) == {
        ngo
    }


def test_services_refuse_a_deactivated_manager(people, brand_org):
    """A deactivated account keeps its membership row, but no longer acts for the organization
    (before the access layer, a task running as that user, or a stale session object, still could)."""
    with pytest.raises(PermissionDeniedError, match=MANAGER_REFUSAL):
        shortlist_create(organization=brand_org, by_user=people["deactivated owner"], name="Launch")


def test_viewers_get_the_same_refusal_from_every_organization_write(brand_org, brand_viewer):
    """Shortlists, API keys and organization details once each had their own wording of the rule."""
    from brands.services import organization_update

    writes = [
        lambda: shortlist_create(organization=brand_org, by_user=brand_viewer, name="Launch"),
        lambda: api_key_create(organization=brand_org, by_user=brand_viewer, name="CRM", scope="read"),
        lambda: organization_update(organization=brand_org, by_user=brand_viewer, name="Hijacked"),
    ]
    for write in writes:
        with pytest.raises(PermissionDeniedError) as refused:
            write()
        assert str(refused.value.message) == MANAGER_REFUSAL
    brand_org.refresh_from_db()
    assert brand_org.name == "Kopi Nusantara"


# API keys: the caller the API builds from the request


def _key_caller(token):
    """Authenticate a request with the token, as the API does, and return its caller."""
    request = Request(
        APIRequestFactory().get("/api/v1/organizations/", HTTP_AUTHORIZATION=f"Bearer {token}"),
        authenticators=[BearerAuthentication()],
    )
    request.user  # noqa: B018 - runs authentication, which reads the creator's membership now
    return request, access.caller(request)


@pytest.fixture
def manager_key(brand_org, brand_manager):
    _key, token = api_key_create(
        organization=brand_org, by_user=brand_manager, name="CRM", scope=ApiKey.Scope.READ_WRITE
    )
    return token


def test_a_key_acts_with_its_creators_role_in_its_own_organization_only(
    brand_org, brand_manager, manager_key
):
    other = OrganizationFactory(name="Batik Lestari")
    MembershipFactory(organization=other, user=brand_manager, role=Membership.Role.OWNER)
    request, caller = _key_caller(manager_key)

    assert permissions.can_view_org(caller, brand_org)
    assert permissions.can_manage_org(caller, brand_org)
    assert not permissions.can_own_org(caller, brand_org)
    assert permissions.require_org_manager(organization=brand_org, user=caller).user_id == brand_manager.pk
    assert access.can_write(request, brand_org.pk)
    # The creator owns another organization; the key knows nothing of it.
    assert not permissions.can_view_org(caller, other)
    assert not permissions.can_manage_org(caller, other)
    assert set(Organization.objects.filter(pk__in=permissions.managed_organization_ids(caller))) == {
        brand_org
    }
    # The person, signed in, does own the other organization: the key is narrower than its creator.
    assert permissions.can_own_org(brand_manager, other)


def test_a_key_whose_creator_was_demoted_only_reads(brand_org, brand_owner, brand_manager, manager_key):
    membership_change_role(
        membership=Membership.objects.get(organization=brand_org, user=brand_manager),
        by_user=brand_owner,
        role=Membership.Role.VIEWER,
    )

    request, caller = _key_caller(manager_key)

    assert permissions.can_view_org(caller, brand_org)
    assert not permissions.can_manage_org(caller, brand_org)
    assert not access.key_can_write(request)
    assert not access.can_write(request, brand_org.pk)
    assert set(permissions.managed_organization_ids(caller)) == set()
    with pytest.raises(PermissionDeniedError) as refused:
        permissions.require_org_manager(organization=brand_org, user=caller)
    assert str(refused.value.message) == MANAGER_REFUSAL


def test_a_key_caller_built_before_its_creator_was_removed_is_refused_after(
    brand_org, brand_owner, brand_manager, manager_key
):
    """The membership is read from the database on every decision, never trusted from the key."""
    _request, caller = _key_caller(manager_key)
    assert permissions.can_manage_org(caller, brand_org)

    membership_remove(
        membership=Membership.objects.get(organization=brand_org, user=brand_manager), by_user=brand_owner
    )

    assert not permissions.can_view_org(caller, brand_org)
    assert not permissions.can_manage_org(caller, brand_org)
    assert set(permissions.managed_organization_ids(caller)) == set()
    with pytest.raises(AuthenticationFailed):
        _key_caller(manager_key)
