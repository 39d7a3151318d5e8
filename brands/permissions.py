"""Who may see and act for an organization: the one home of organization-role rules.

The caller is a person (`User`: a web session, an API session or personal token) or an
`ApiCaller` (marketplace.callers): an organization API key resolved by api.authentication to its
creator and the creator's *current* role. The same functions decide for both:

- a member (any role) sees the organization; owners and managers act for it; owners alone change
  roles and handle owner invitations;
- an anonymous or deactivated user is nobody's member;
- a key is a member of its own organization only, and only while its creator still is (the
  membership is read from the database, never trusted from the key); it acts only while its
  creator is an owner or a manager. A read-only key never writes: that is the key's scope, decided
  with the other credential rules in api.access.

`can_*` answer yes or no; `require_*` raise the one domain error, with one message per rule.
Visibility querysets live in the selectors (`brands.selectors.member_organization_ids`...).
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from marketplace.callers import Caller, key_organization_id, person_of
from marketplace.errors import PermissionDeniedError

from .models import Membership, Organization

Role = Membership.Role

# The role table: which roles act for the organization, and which own it.
MANAGER_ROLES = (Role.OWNER, Role.MANAGER)
OWNER_ROLES = (Role.OWNER,)


def role_manages(role: str | None) -> bool:
    return role in MANAGER_ROLES


def role_owns(role: str | None) -> bool:
    return role in OWNER_ROLES


def _org_id(organization: Organization | int) -> int:
    return organization if isinstance(organization, int) else organization.pk


def membership_of(user: Caller | None, organization: Organization | int) -> Membership | None:
    """The caller's current membership of the organization, or None: also for another key's
    organization, an anonymous or a deactivated user. One query, never cached."""
    org_id = _org_id(organization)
    key_org = key_organization_id(user)
    if key_org is not None and key_org != org_id:
        return None
    person = person_of(user)
    if person is None or not person.is_active:
        return None
    return Membership.objects.filter(organization_id=org_id, user=person).first()


def can_view_org(user: Caller | None, organization: Organization | int) -> bool:
    return membership_of(user, organization) is not None


def can_manage_org(user: Caller | None, organization: Organization | int) -> bool:
    """Owners and managers act for the organization: campaigns, shortlists, keys, webhooks..."""
    membership = membership_of(user, organization)
    return membership is not None and role_manages(membership.role)


def can_own_org(user: Caller | None, organization: Organization | int) -> bool:
    """Owner-only actions: changing roles, inviting an owner or withdrawing that invitation."""
    membership = membership_of(user, organization)
    return membership is not None and role_owns(membership.role)


def require_org_member(user: Caller | None, organization: Organization | int) -> Membership:
    membership = membership_of(user, organization)
    if membership is None:
        raise PermissionDeniedError(_("Only members of the organization can do this."))
    return membership


def require_org_manager(user: Caller | None, organization: Organization | int) -> Membership:
    """Owners and managers act for the organization; viewers only look."""
    membership = membership_of(user, organization)
    if membership is None or not role_manages(membership.role):
        raise PermissionDeniedError(_("Only owners and managers of the organization can do this."))
    return membership


def managed_organization_ids(user: Caller | None) -> QuerySet:
    """Ids of the organizations the caller may act for (owner or manager), as a subquery."""
    from .selectors import member_organization_ids  # the selectors use this module's rules

    person = person_of(user)
    if person is None or not person.is_active:
        return Membership.objects.none().values("organization_id")
    return member_organization_ids(user).filter(role__in=MANAGER_ROLES)
