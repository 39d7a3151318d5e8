"""Who may see and do what through the API. Deny by default; other tenants' objects are 404.

Session users and personal tokens act as the user. An organization API key sees only its own
organization; a read key reads, a read-write key acts with its creator's role there (so a key made
by someone who has since lost the manager role can no longer write).
"""

from django.db.models import QuerySet
from django.http import Http404
from rest_framework import permissions

from api.authentication import Credentials
from brands.models import Membership, Organization


def api_key(request):
    return request.auth.key if isinstance(request.auth, Credentials) else None


def member_organizations(request) -> QuerySet[Organization]:
    key = api_key(request)
    if key is not None:
        return Organization.objects.filter(pk=key.organization_id)
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
    key = api_key(request)
    if key is not None and key.scope != key.Scope.READ_WRITE:
        return False
    return membership(request, organization_id).can_edit_org()


class ReadOnlyKeys(permissions.BasePermission):
    """A read-only API key may only read."""

    message = "This API key is read-only; create a read-write key to change data."

    def has_permission(self, request, view):
        key = api_key(request)
        return key is None or request.method in permissions.SAFE_METHODS or key.scope == key.Scope.READ_WRITE


class SessionOnly(permissions.BasePermission):
    """Staff actions that move money: a browser session (which carries the MFA proof), no tokens."""

    message = "This action needs a staff browser session verified with two-factor authentication."

    def has_permission(self, request, view):
        from allauth.mfa.utils import is_mfa_enabled

        from marketplace.decorators import session_used_mfa

        return (
            request.auth is None
            and request.user.is_authenticated
            and request.user.is_staff
            and is_mfa_enabled(request.user)
            and session_used_mfa(request)
        )
