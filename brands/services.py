"""Every write to organizations, memberships, invitations and verification goes through here.

Membership changes lock the organization row first, so concurrent removals or role changes are
serialized and the "at least one owner" rule cannot be raced around.
"""

from collections.abc import Iterable
from datetime import timedelta
from typing import Literal

from django.conf import settings
from django.core.files import File
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from creators.models import Cause
from marketplace import permissions as staff_permissions
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import User
from marketplace.services import absolute_url, audit_record
from marketplace.slugs import unique_slug

from .models import RESERVED_SLUGS, Membership, Organization, OrgInvitation, VerificationRequest
from .permissions import can_own_org, require_org_manager, require_org_member

Role = Membership.Role
SLUG_MAX_LENGTH = 50


def _last_owner_message() -> str:
    return _("An organization needs at least one owner. Make someone else an owner first.")


def _email_on_commit(*, to: Iterable[str], subject: str, template: str, context: dict) -> None:
    """Render now (same language and data as the change), send only once the change is committed."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    body = render_to_string(template, context)
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject

    def send():
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)

    # robust: the change is already committed; a mail outage must not turn it into an error page.
    transaction.on_commit(send, robust=True)


def _lock_org(organization: Organization) -> Organization:
    return Organization.objects.select_for_update().get(pk=organization.pk)


def _owner_count(organization: Organization) -> int:
    return Membership.objects.filter(organization=organization, role=Role.OWNER).count()


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


def _check_causes(*, kind: str, causes: Iterable[Cause] | None) -> list[Cause]:
    causes = list(causes or [])
    if causes and kind != Organization.Kind.NGO:
        raise ValidationFailed(_("Only NGOs choose causes."), field="causes")
    return causes


# Organizations


@transaction.atomic
def organization_create(
    *,
    user: User,
    kind: str,
    name: str,
    country: str,
    website: str = "",
    description: str = "",
    default_currency: str = "IDR",
    causes: Iterable[Cause] | None = None,
    logo: File | None = None,
) -> Organization:
    """Create a brand or NGO; the creator becomes its first owner."""
    if kind not in Organization.Kind.values:
        raise ValidationFailed(_("Choose whether this is a brand or an NGO."), field="kind")
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Enter the organization's name."), field="name")
    causes = _check_causes(kind=kind, causes=causes)

    fields = {
        "kind": kind,
        "name": name,
        "country": country,
        "website": website,
        "description": description.strip(),
        "default_currency": default_currency,
        "created_by": user,
    }
    # Another request may take the same slug between our check and our insert: retry in a savepoint.
    for attempt in range(3):
        slug = unique_slug(
            model=Organization,
            value=name,
            fallback="org",
            reserved=RESERVED_SLUGS,
            max_length=SLUG_MAX_LENGTH,
        )
        if attempt:
            slug = f"{slug[: SLUG_MAX_LENGTH - 5]}-{get_random_string(4).lower()}"
        try:
            with transaction.atomic():
                organization = Organization.objects.create(slug=slug, **fields)
            break
        except IntegrityError:
            if attempt == 2:
                raise
    if logo:
        organization.logo = logo
        organization.save(update_fields=["logo"])
    if causes:
        organization.causes.set(causes)
    membership = Membership.objects.create(organization=organization, user=user, role=Role.OWNER)

    audit_record(
        actor=user,
        action="organization.created",
        target=organization,
        to_status=organization.verification_status,
        data={"kind": kind, "name": name, "slug": organization.slug},
    )
    audit_record(
        actor=user,
        action="membership.created",
        target=membership,
        to_status=Role.OWNER,
        data={"organization": organization.pk, "user": user.pk},
    )
    return organization


@transaction.atomic
def organization_update(
    *,
    organization: Organization,
    by_user: User,
    name: str | None = None,
    website: str | None = None,
    country: str | None = None,
    description: str | None = None,
    default_currency: str | None = None,
    causes: Iterable[Cause] | None = None,
    logo: File | Literal[False] | None = None,
) -> Organization:
    """Change the organization's public details. None leaves a field as it is; logo=False removes it.

    The slug does not follow the name, so links already shared keep working.
    """
    organization = _lock_org(organization)
    require_org_manager(organization=organization, user=by_user)

    changes = {}
    if name is not None:
        name = name.strip()
        if not name:
            raise ValidationFailed(_("Enter the organization's name."), field="name")
        changes["name"] = name
    for field, value in (
        ("website", website),
        ("country", country),
        ("description", description.strip() if description is not None else None),
        ("default_currency", default_currency),
    ):
        if value is not None:
            changes[field] = value

    changed = {}
    for field, value in changes.items():
        old = getattr(organization, field)
        if str(old) != str(value):
            changed[field] = [str(old), str(value)]
            setattr(organization, field, value)

    if logo is False and organization.logo:
        changed["logo"] = [organization.logo.name, ""]
        organization.logo = ""
    elif logo:
        changed["logo"] = [organization.logo.name or "", getattr(logo, "name", "")]
        organization.logo = logo
    if changed:
        organization.save(update_fields=list(changed))

    if causes is not None:
        causes = _check_causes(kind=organization.kind, causes=causes)
        old_ids = set(organization.causes.values_list("pk", flat=True))
        new_ids = {cause.pk for cause in causes}
        if old_ids != new_ids:
            organization.causes.set(causes)
            changed["causes"] = [sorted(old_ids), sorted(new_ids)]

    if changed:
        audit_record(
            actor=by_user, action="organization.updated", target=organization, data={"changes": changed}
        )
    return organization


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


# Verification


@transaction.atomic
def verification_request_submit(
    *, organization: Organization, by_user: User, evidence: str
) -> VerificationRequest:
    organization = _lock_org(organization)
    require_org_manager(organization=organization, user=by_user)
    evidence = evidence.strip()
    if not evidence:
        raise ValidationFailed(_("Tell us what shows that your organization is real."), field="evidence")
    if organization.verification_status == Organization.VerificationStatus.VERIFIED:
        raise InvalidTransition(_("%(org)s is already verified.") % {"org": organization.name})
    if organization.verification_status == Organization.VerificationStatus.PENDING:
        raise InvalidTransition(
            _("A verification request for %(org)s is already waiting for review.")
            % {"org": organization.name}
        )

    request = VerificationRequest.objects.create(
        organization=organization, submitted_by=by_user, evidence=evidence
    )
    old_status = organization.verification_status
    organization.verification_status = Organization.VerificationStatus.PENDING
    organization.save(update_fields=["verification_status"])

    audit_record(
        actor=by_user,
        action="verification.submitted",
        target=request,
        to_status=request.status,
        data={"organization": organization.pk},
    )
    audit_record(
        actor=by_user,
        action="organization.verification_changed",
        target=organization,
        from_status=old_status,
        to_status=organization.verification_status,
    )
    return request


def _lock_for_review(
    *, request: VerificationRequest, by_user: User
) -> tuple[Organization, VerificationRequest]:
    if not staff_permissions.can_review_verifications(by_user):
        raise PermissionDeniedError(_("Only Kolabo staff can review verification requests."))
    organization = _lock_org(request.organization)
    request = (
        VerificationRequest.objects.select_for_update(of=("self",))
        .select_related("submitted_by")
        .get(pk=request.pk)
    )
    if request.status == VerificationRequest.Status.APPROVED:
        raise InvalidTransition(_("This request has already been approved."))
    if request.status == VerificationRequest.Status.REJECTED:
        raise InvalidTransition(_("This request has already been rejected."))
    if Membership.objects.filter(organization=organization, user=by_user).exists():
        raise PermissionDeniedError(_("You cannot review a request from an organization you belong to."))
    return organization, request


def _decision_recipients(*, organization: Organization, request: VerificationRequest) -> list[str]:
    owners = Membership.objects.filter(organization=organization, role=Role.OWNER).values_list(
        "user__email", flat=True
    )
    submitter = [request.submitted_by.email] if request.submitted_by_id else []
    return [*owners, *submitter]


def _decide(
    *, request: VerificationRequest, by_user: User, approve: bool, reason: str
) -> VerificationRequest:
    organization, request = _lock_for_review(request=request, by_user=by_user)
    if not approve and not reason:
        raise ValidationFailed(
            _("Explain why the request is rejected; the organization will see this reason."), field="reason"
        )
    now = timezone.now()
    request.status = VerificationRequest.Status.APPROVED if approve else VerificationRequest.Status.REJECTED
    request.reviewed_by = by_user
    request.reviewed_at = now
    request.reason = reason
    request.save(update_fields=["status", "reviewed_by", "reviewed_at", "reason"])

    old_status = organization.verification_status
    if approve:
        organization.verification_status = Organization.VerificationStatus.VERIFIED
        organization.verified_at = now
    else:
        organization.verification_status = Organization.VerificationStatus.REJECTED
        organization.verified_at = None
    organization.save(update_fields=["verification_status", "verified_at"])

    audit_record(
        actor=by_user,
        action="verification.approved" if approve else "verification.rejected",
        target=request,
        from_status=VerificationRequest.Status.PENDING,
        to_status=request.status,
        reason=reason,
    )
    audit_record(
        actor=by_user,
        action="organization.verification_changed",
        target=organization,
        from_status=old_status,
        to_status=organization.verification_status,
        reason=reason,
    )
    context = {
        "organization": organization,
        "request": request,
        "reason": reason,
        "org_url": absolute_url(organization.get_absolute_url()),
        "verification_url": absolute_url(reverse("brands:verification_request", args=[organization.slug])),
    }
    if approve:
        subject = _("%(org)s is now verified on Kolabo") % {"org": organization.name}
        template = "brands/email/verification_approved.txt"
    else:
        subject = _("%(org)s could not be verified yet") % {"org": organization.name}
        template = "brands/email/verification_rejected.txt"
    _email_on_commit(
        to=_decision_recipients(organization=organization, request=request),
        subject=subject,
        template=template,
        context=context,
    )
    return request


@transaction.atomic
def verification_request_approve(
    *, request: VerificationRequest, by_user: User, reason: str = ""
) -> VerificationRequest:
    return _decide(request=request, by_user=by_user, approve=True, reason=reason.strip())


@transaction.atomic
def verification_request_reject(
    *, request: VerificationRequest, by_user: User, reason: str
) -> VerificationRequest:
    return _decide(request=request, by_user=by_user, approve=False, reason=(reason or "").strip())
