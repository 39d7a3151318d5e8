"""Who may see and do what through the API. Deny by default; other tenants' objects are 404.

Session users and personal tokens act as the user. An organization API key sees only its own
organization; a read key reads, a read-write key acts with its creator's role there (so a key made
by someone who has since lost the manager role can no longer write).

A key's organization is never trusted on its own: authentication (api.authentication) reads the
key creator's current membership on every request and refuses the key when it is gone, and the
organization queries below still require that membership.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from api.authentication import Credentials
from brands.models import Membership
from brands.permissions import membership_of, role_manages
from marketplace.callers import ApiCaller
from marketplace.errors import PermissionDeniedError


def api_key(request):
    return request.auth.key if isinstance(request.auth, Credentials) else None


def caller(request) -> ApiCaller:
    """The request as the caller every permission and visibility function takes: its person and,
    for an organization API key, the key's organization and its creator's role read on this
    request by api.authentication. Built once per request."""
    found = getattr(request, "_kolabo_caller", None)
    if found is None:
        found = _org_caller(request)
        if found.organization_id is None and _staff_session_verified(request):
            found = ApiCaller(user=request.user, staff_verified=True)
        request._kolabo_caller = found
    return found


def _org_caller(request) -> ApiCaller:
    """The caller for organization-role decisions (staff verification plays no part there)."""
    key = api_key(request)
    if key is not None:
        return ApiCaller(user=request.user, organization_id=key.organization_id, role=request.auth.role)
    return ApiCaller(user=request.user)


def _staff_session_verified(request) -> bool:
    """A staff browser session that passed MFA (tokens carry no MFA proof). Non-staff: no query."""
    from marketplace.permissions import is_staff_member

    if request.auth is not None or not is_staff_member(request.user):
        return False
    from allauth.mfa.utils import is_mfa_enabled

    from marketplace.decorators import session_used_mfa

    return is_mfa_enabled(request.user) and session_used_mfa(request)


def key_can_write(request) -> bool:
    """A key writes only with read-write scope and while its creator may act for the organization
    (its role, read on this request); people are judged per organization (can_write)."""
    key = api_key(request)
    if key is None:
        return True
    return key.scope == key.Scope.READ_WRITE and role_manages(request.auth.role)


def membership(request, organization_id: int) -> Membership:
    """The caller's membership of the organization, or 404 (also for another key's organization)."""
    found = membership_of(_org_caller(request), organization_id)
    if found is None:
        raise Http404
    return found


def can_write(request, organization_id: int) -> bool:
    """May act for the organization: a writing credential, then an owner or a manager there (a
    non-member gets 404)."""
    if not key_can_write(request):
        return False
    return role_manages(membership(request, organization_id).role)


def require_write(request, organization_id: int) -> None:
    """can_write, or the one refusal (403) for every API write an organization makes."""
    if not can_write(request, organization_id):
        raise PermissionDeniedError(
            _("Only owners and managers of the organization, or a read-write key made by one, can do this.")
        )


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
        from marketplace.permissions import can_review_payouts

        return _staff_session_verified(request) and can_review_payouts(request.user)
