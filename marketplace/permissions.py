"""Staff roles: the one home of the rules for what Kolabo staff may do.

Each role is a Django group holding one custom permission (declared on `User.Meta.permissions`,
groups created by migration 0003). A superuser holds every role. Being `is_staff` alone only lets a
person into the admin to look around; it does not review payouts, verifications or disputes.
Every staff page also needs a session verified with MFA (`marketplace.decorators.require_mfa`).
"""

from django.utils.translation import gettext as _

from marketplace.errors import PermissionDeniedError

REVIEW_PAYOUTS = "marketplace.review_payouts"
REVIEW_VERIFICATIONS = "marketplace.review_verifications"
HANDLE_DISPUTES = "marketplace.handle_disputes"

# Group name -> the permission codename it carries. The data migration creates these groups.
PAYOUT_REVIEWERS = "Payout reviewers"
VERIFICATION_REVIEWERS = "Verification reviewers"
DISPUTE_HANDLERS = "Dispute handlers"
ROLE_GROUPS = {
    PAYOUT_REVIEWERS: "review_payouts",
    VERIFICATION_REVIEWERS: "review_verifications",
    DISPUTE_HANDLERS: "handle_disputes",
}


def is_staff_member(user) -> bool:
    """An active Kolabo staff account (a superuser counts)."""
    return bool(
        user is not None and user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser)
    )


def _has_role(user, permission: str) -> bool:
    return is_staff_member(user) and user.has_perm(permission)


def can_review_payouts(user) -> bool:
    return _has_role(user, REVIEW_PAYOUTS)


def can_review_verifications(user) -> bool:
    return _has_role(user, REVIEW_VERIFICATIONS)


def can_handle_disputes(user) -> bool:
    return _has_role(user, HANDLE_DISPUTES)


def has_any_staff_role(user) -> bool:
    return can_review_payouts(user) or can_review_verifications(user) or can_handle_disputes(user)


def require_payout_reviewer(user) -> None:
    if not can_review_payouts(user):
        raise PermissionDeniedError(_("Only Kolabo staff with the payout reviewer role review payouts."))


def require_verification_reviewer(user) -> None:
    if not can_review_verifications(user):
        raise PermissionDeniedError(
            _("Only Kolabo staff with the verification reviewer role can review verification requests.")
        )


def require_dispute_handler(user) -> None:
    if not can_handle_disputes(user):
        raise PermissionDeniedError(_("Only Kolabo staff with the dispute handler role can settle disputes."))


def require_staff_member(user) -> None:
    if not is_staff_member(user):
        raise PermissionDeniedError(_("Only Kolabo staff can do this."))


def users_who_handle_disputes():
    """Active staff who hold the dispute handler role, directly, through a group, or as superusers."""
    from django.db.models import Q

    from marketplace.models import User

    app_label, codename = HANDLE_DISPUTES.split(".")
    holds = Q(
        groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label
    ) | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_staff=True) | Q(is_superuser=True))
        .filter(holds | Q(is_superuser=True))
        .distinct()
        .order_by("pk")
    )


def grant_staff_roles(user, *group_names: str) -> None:
    """Make `user` staff and put them in the named role groups (all roles when none are named).

    For the demo seed, tests and support scripts; people get roles in the admin's user page. The
    groups are re-created when missing (a test database flush drops migration-made rows).
    """
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from marketplace.models import User

    user_type = ContentType.objects.get_for_model(User)
    for name in group_names or tuple(ROLE_GROUPS):
        permission, _created = Permission.objects.get_or_create(
            content_type=user_type, codename=ROLE_GROUPS[name], defaults={"name": ROLE_GROUPS[name]}
        )
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)
        user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    # ModelBackend caches permissions on the instance.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
