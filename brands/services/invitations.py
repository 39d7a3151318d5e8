"""Invitations to join an organization: create, accept, revoke."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from brands.models import Membership, Organization, OrgInvitation
from brands.permissions import require_org_manager
from brands.services.common import Role, _email_on_commit, _lock_org
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import User
from marketplace.services import absolute_url, audit_record


def _invitation_mark_revoked(*, invitation: OrgInvitation, by_user: User, reason: str = "") -> None:
    """Write and audit pending -> revoked; the caller holds the lock and has checked the move."""
    invitation.status = OrgInvitation.Status.REVOKED
    invitation.save(update_fields=["status"])
    audit_record(
        actor=by_user,
        action="invitation.revoked",
        target=invitation,
        from_status=OrgInvitation.Status.PENDING,
        to_status=OrgInvitation.Status.REVOKED,
        reason=reason,
    )


# Invitations


@transaction.atomic
def invitation_create(*, organization: Organization, by_user: User, email: str, role: str) -> OrgInvitation:
    """Invite someone by email. A pending invitation that has expired is replaced by the new one."""
    organization = _lock_org(organization)
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationFailed(_("Choose a role."), field="role")

    inviter = require_org_manager(organization=organization, user=by_user)
    if not inviter.can_invite_role(role):
        raise PermissionDeniedError(_("Only owners can invite another owner."))

    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationFailed(
            _("%(email)s is already a member of %(org)s.") % {"email": email, "org": organization.name},
            field="email",
        )

    existing = (
        OrgInvitation.objects.select_for_update()
        .filter(organization=organization, email=email, status=OrgInvitation.Status.PENDING)
        .first()
    )
    if existing is not None:
        if not existing.is_expired:
            raise ValidationFailed(
                _(
                    "%(email)s already has a pending invitation that expires on %(date)s. "
                    "Revoke it first if you want to send a new one."
                )
                % {"email": email, "date": _format_date(existing.expires_at)},
                field="email",
            )
        _invitation_mark_revoked(
            invitation=existing, by_user=by_user, reason="Expired; replaced by a new invitation."
        )

    invitation = OrgInvitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        invited_by=by_user,
        expires_at=timezone.now() + timedelta(days=settings.ORG_INVITATION_TTL_DAYS),
    )
    audit_record(
        actor=by_user,
        action="invitation.created",
        target=invitation,
        to_status=invitation.status,
        data={"organization": organization.pk, "email": email, "role": role},
    )
    _email_on_commit(
        to=[email],
        subject=_("%(name)s invited you to join %(org)s on Kolabo")
        % {"name": by_user.get_full_name(), "org": organization.name},
        template="brands/email/invitation.txt",
        context={
            "invitation": invitation,
            "organization": organization,
            "inviter": by_user,
            "role": invitation.get_role_display(),
            "expires": _format_date(invitation.expires_at),
            "accept_url": absolute_url(invitation.get_absolute_url()),
        },
    )
    return invitation


def _format_date(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT")


@transaction.atomic
def invitation_accept(*, invitation: OrgInvitation, by_user: User) -> Membership:
    """Join the organization with the invited role. Only the invited email address may accept."""
    organization = _lock_org(invitation.organization)
    invitation = OrgInvitation.objects.select_for_update().get(pk=invitation.pk)

    if invitation.status == OrgInvitation.Status.ACCEPTED:
        raise InvalidTransition(_("This invitation has already been used."))
    if invitation.status == OrgInvitation.Status.REVOKED:
        raise InvalidTransition(
            _("This invitation was withdrawn. Ask %(org)s to send a new one.") % {"org": organization.name}
        )
    if invitation.is_expired:
        raise InvalidTransition(
            _("This invitation expired on %(date)s. Ask %(org)s to send a new one.")
            % {"date": _format_date(invitation.expires_at), "org": organization.name}
        )
    if by_user.email.strip().lower() != invitation.email:
        raise PermissionDeniedError(
            _(
                "This invitation was sent to %(email)s, but you are logged in as %(current)s. "
                "Log in with %(email)s to accept it."
            )
            % {"email": invitation.email, "current": by_user.email}
        )
    if Membership.objects.filter(organization=organization, user=by_user).exists():
        raise InvalidTransition(_("You are already a member of %(org)s.") % {"org": organization.name})

    membership = Membership.objects.create(organization=organization, user=by_user, role=invitation.role)
    invitation.status = OrgInvitation.Status.ACCEPTED
    invitation.accepted_by = by_user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "accepted_at"])

    audit_record(
        actor=by_user,
        action="invitation.accepted",
        target=invitation,
        from_status=OrgInvitation.Status.PENDING,
        to_status=OrgInvitation.Status.ACCEPTED,
    )
    audit_record(
        actor=by_user,
        action="membership.created",
        target=membership,
        to_status=membership.role,
        data={"organization": organization.pk, "user": by_user.pk, "invitation": invitation.pk},
    )
    if invitation.invited_by_id and invitation.invited_by.email != by_user.email:
        _email_on_commit(
            to=[invitation.invited_by.email],
            subject=_("%(name)s joined %(org)s")
            % {"name": by_user.get_full_name(), "org": organization.name},
            template="brands/email/invitation_accepted.txt",
            context={
                "organization": organization,
                "member": by_user,
                "role": membership.get_role_display(),
                "members_url": absolute_url(reverse("brands:members", args=[organization.slug])),
            },
        )
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: OrgInvitation, by_user: User) -> OrgInvitation:
    organization = _lock_org(invitation.organization)
    invitation = OrgInvitation.objects.select_for_update().get(pk=invitation.pk)

    actor = require_org_manager(organization=organization, user=by_user)
    if not actor.can_invite_role(invitation.role):
        raise PermissionDeniedError(_("Only owners can withdraw an invitation to become an owner."))
    if invitation.status == OrgInvitation.Status.ACCEPTED:
        raise InvalidTransition(_("This invitation has already been accepted."))
    if invitation.status == OrgInvitation.Status.REVOKED:
        raise InvalidTransition(_("This invitation has already been withdrawn."))

    _invitation_mark_revoked(invitation=invitation, by_user=by_user)
    return invitation
