"""Organization verification: the request, and staff approving or rejecting it."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import Membership, Organization, VerificationRequest
from brands.permissions import require_org_manager
from brands.services.common import Role, _email_on_commit, _lock_org
from marketplace import permissions as staff_permissions
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import User
from marketplace.services import absolute_url, audit_record

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
