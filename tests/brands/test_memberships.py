import pytest
from django.urls import reverse

from brands import services
from brands.models import Membership
from marketplace.errors import InvalidTransition, PermissionDeniedError
from marketplace.models import AuditEvent
from tests.marketplace.factories import UserFactory

from .factories import MembershipFactory

pytestmark = pytest.mark.django_db

LAST_OWNER = "An organization needs at least one owner. Make someone else an owner first."


def _membership(user, org) -> Membership:
    return Membership.objects.get(user=user, organization=org)


def test_last_owner_cannot_leave(client, brand_org, brand_owner):
    client.force_login(brand_owner)
    own = _membership(brand_owner, brand_org)

    response = client.post(reverse("brands:member_remove", args=[brand_org.slug, own.pk]), follow=True)

    assert LAST_OWNER in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


def test_last_owner_cannot_be_removed(brand_org, brand_owner):
    with pytest.raises(InvalidTransition, match=LAST_OWNER):
        services.membership_remove(membership=_membership(brand_owner, brand_org), by_user=brand_owner)


def test_last_owner_cannot_be_demoted(client, brand_org, brand_owner):
    client.force_login(brand_owner)
    own = _membership(brand_owner, brand_org)

    response = client.post(
        reverse("brands:member_role", args=[brand_org.slug, own.pk]), {"role": "manager"}, follow=True
    )

    assert LAST_OWNER in response.content.decode()
    own.refresh_from_db()
    assert own.role == Membership.Role.OWNER


def test_owner_can_leave_once_someone_else_is_owner(client, brand_org, brand_owner, brand_manager):
    client.force_login(brand_owner)
    manager = _membership(brand_manager, brand_org)
    own = _membership(brand_owner, brand_org)

    promote = client.post(reverse("brands:member_role", args=[brand_org.slug, manager.pk]), {"role": "owner"})
    leave = client.post(reverse("brands:member_remove", args=[brand_org.slug, own.pk]))

    assert promote.status_code == 302
    assert leave.status_code == 302
    assert leave.url == reverse("dashboard")
    assert not Membership.objects.filter(pk=own.pk).exists()
    manager.refresh_from_db()
    assert manager.role == Membership.Role.OWNER
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert (event.from_status, event.to_status) == ("manager", "owner")
    assert AuditEvent.objects.filter(action="membership.left", from_status="owner").exists()


def test_manager_cannot_remove_an_owner(client, brand_org, brand_owner, brand_manager):
    client.force_login(brand_manager)
    owner = _membership(brand_owner, brand_org)

    response = client.post(reverse("brands:member_remove", args=[brand_org.slug, owner.pk]), follow=True)

    assert "Managers can only remove viewers." in response.content.decode()
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_manager_cannot_remove_another_manager(brand_org, brand_manager):
    other = MembershipFactory(organization=brand_org, role=Membership.Role.MANAGER)

    with pytest.raises(PermissionDeniedError):
        services.membership_remove(membership=other, by_user=brand_manager)


def test_manager_removes_a_viewer(client, brand_org, brand_manager, brand_viewer):
    client.force_login(brand_manager)
    viewer = _membership(brand_viewer, brand_org)

    response = client.post(reverse("brands:member_remove", args=[brand_org.slug, viewer.pk]))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=viewer.pk).exists()
    event = AuditEvent.objects.get(action="membership.removed")
    assert event.actor == brand_manager
    assert event.data["email"] == brand_viewer.email


def test_owner_removes_a_manager(brand_org, brand_owner, brand_manager):
    services.membership_remove(membership=_membership(brand_manager, brand_org), by_user=brand_owner)

    assert not Membership.objects.filter(user=brand_manager).exists()


def test_viewer_can_leave(client, brand_org, brand_viewer):
    client.force_login(brand_viewer)
    own = _membership(brand_viewer, brand_org)

    response = client.post(reverse("brands:member_remove", args=[brand_org.slug, own.pk]))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=own.pk).exists()
    assert client.get(reverse("brands:org_detail", args=[brand_org.slug])).status_code == 404


def test_viewer_cannot_remove_anyone_else(brand_org, brand_viewer, brand_manager):
    with pytest.raises(PermissionDeniedError):
        services.membership_remove(membership=_membership(brand_manager, brand_org), by_user=brand_viewer)


def test_only_owners_change_roles(client, brand_org, brand_manager, brand_viewer):
    client.force_login(brand_manager)
    viewer = _membership(brand_viewer, brand_org)

    response = client.post(
        reverse("brands:member_role", args=[brand_org.slug, viewer.pk]), {"role": "manager"}, follow=True
    )

    assert "Only owners can change roles." in response.content.decode()
    viewer.refresh_from_db()
    assert viewer.role == Membership.Role.VIEWER


def test_one_of_two_owners_can_be_demoted(brand_org, brand_owner):
    second = MembershipFactory(organization=brand_org, user=UserFactory(), role=Membership.Role.OWNER)

    services.membership_change_role(membership=second, by_user=brand_owner, role="viewer")

    second.refresh_from_db()
    assert second.role == Membership.Role.VIEWER


def test_member_actions_are_post_only(client, brand_org, brand_owner, brand_viewer):
    client.force_login(brand_owner)
    viewer = _membership(brand_viewer, brand_org)

    assert client.get(reverse("brands:member_remove", args=[brand_org.slug, viewer.pk])).status_code == 405
    assert client.get(reverse("brands:member_role", args=[brand_org.slug, viewer.pk])).status_code == 405


def test_membership_helpers_describe_each_role(brand_org, brand_owner, brand_manager, brand_viewer):
    owner, manager, viewer = (_membership(u, brand_org) for u in (brand_owner, brand_manager, brand_viewer))

    assert (owner.can_edit_org(), manager.can_edit_org(), viewer.can_edit_org()) == (True, True, False)
    assert (owner.can_manage_members(), manager.can_manage_members(), viewer.can_manage_members()) == (
        True,
        True,
        False,
    )
    assert (owner.can_change_roles(), manager.can_change_roles()) == (True, False)
    assert manager.can_remove(viewer) and not manager.can_remove(owner)
    assert viewer.can_remove(viewer) and not viewer.can_remove(manager)
