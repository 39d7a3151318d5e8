"""Who may see and do what through the API. Deny by default; other tenants' objects are 404.

Session users and personal tokens act as the user. An organization API key sees only its own
organization; a read key reads, a read-write key acts with its creator's role there (so a key made
by someone who has since lost the manager role can no longer write).

A key's organization is never trusted on its own: authentication (api.authentication) reads the
key creator's current membership on every request and refuses the key when it is gone, and the
organization queries below still require that membership.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from api.authentication import Credentials
from brands.models import Membership, Organization


def api_key(request):
    return request.auth.key if isinstance(request.auth, Credentials) else None


WRITER_ROLES = (Membership.Role.OWNER, Membership.Role.MANAGER)


def key_can_write(request) -> bool:
    """A key writes only with read-write scope and while its creator is an owner or a manager."""
    key = api_key(request)
    if key is None:
        return True
    return key.scope == key.Scope.READ_WRITE and request.auth.role in WRITER_ROLES


def member_organizations(request) -> QuerySet[Organization]:
    key = api_key(request)
    if key is not None:
        # The key's organization, and only while its creator is still a member of it.
        return Organization.objects.filter(pk=key.organization_id, memberships__user=request.user)
    return Organization.objects.filter(memberships__user=request.user).distinct()


def membership(request, organization_id: int) -> Membership:
    """The caller's membership of the organization, or 404 (also for another key's organization)."""
    key = api_key(request)
    if key is not None and key.organization_id != organization_id:
        raise Http404
    found = Membership.objects.filter(organization_id=organization_id, user=request.user).first()
    if found is None:
        raise Http404
    return found


def can_write(request, organization_id: int) -> bool:
    if not key_can_write(request):
        return False
    return membership(request, organization_id).can_edit_org()


class ReadOnlyKeys(permissions.BasePermission):
    """A read-only API key may only read; so may a read-write key whose creator is now a viewer."""

    message = _(
        "This API key can only read: it is read-only, or the person who created it is no longer an "
        "owner or a manager. Create a read-write key as an owner or a manager to change data."
    )

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or key_can_write(request)


class SessionOnly(permissions.BasePermission):
    """Staff actions that move money: a browser session (which carries the MFA proof), no tokens."""

    message = "This action needs a staff browser session verified with two-factor authentication."

    def has_permission(self, request, view):
        from allauth.mfa.utils import is_mfa_enabled

        from marketplace.decorators import session_used_mfa
        from marketplace.permissions import can_review_payouts

        return (
            request.auth is None
            and request.user.is_authenticated
            and can_review_payouts(request.user)
            and is_mfa_enabled(request.user)
            and session_used_mfa(request)
        )
