"""Memberships: removing members and changing roles, keeping at least one owner.

Membership changes lock the organization row first, so concurrent removals or role changes are
serialized and the "at least one owner" rule cannot be raced around.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from brands.models import Membership, Organization
from brands.permissions import can_own_org, require_org_member
from brands.services.common import Role, _lock_org
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import User
from marketplace.services import audit_record


def _last_owner_message() -> str:
    return _("An organization needs at least one owner. Make someone else an owner first.")


def _owner_count(organization: Organization) -> int:
    return Membership.objects.filter(organization=organization, role=Role.OWNER).count()


# Memberships


@transaction.atomic
def membership_remove(*, membership: Membership, by_user: User) -> None:
    """Owners remove anyone, managers remove viewers, anyone may leave; never the last owner."""
    organization = _lock_org(membership.organization)
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("user").get(pk=membership.pk)
    )

    actor = require_org_member(organization=organization, user=by_user)
    if not actor.can_remove(membership):
        if actor.role == Role.MANAGER:
            raise PermissionDeniedError(_("Managers can only remove viewers."))
        raise PermissionDeniedError(_("Only owners and managers can remove members."))
    if membership.is_owner and _owner_count(organization) <= 1:
        raise InvalidTransition(_last_owner_message())

    audit_record(
        actor=by_user,
        action="membership.left" if membership.user_id == by_user.pk else "membership.removed",
        target=organization,
        from_status=membership.role,
        data={"membership": membership.pk, "user": membership.user_id, "email": membership.user.email},
    )
    membership.delete()


@transaction.atomic
def membership_change_role(*, membership: Membership, by_user: User, role: str) -> Membership:
    organization = _lock_org(membership.organization)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)

    if role not in Role.values:
        raise ValidationFailed(_("Choose a role."), field="role")
    if not can_own_org(organization=organization, user=by_user):
        raise PermissionDeniedError(_("Only owners can change roles."))
    if membership.role == role:
        return membership
    if membership.is_owner and _owner_count(organization) <= 1:
        raise InvalidTransition(_last_owner_message())

    old_role = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        actor=by_user,
        action="membership.role_changed",
        target=membership,
        from_status=old_role,
        to_status=role,
    )
    return membership
