"""Organization verification: the request with its legal documents, and staff approving or rejecting it.

Documents are private files (marketplace.private_files): only staff with the verification reviewer
role open them, through `verification_document_open`, which records who looked. Members of the
organization see the file names and upload dates, never the files.
"""

import os
import secrets
from collections.abc import Mapping

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import Membership, Organization, VerificationDocument, VerificationRequest
from brands.permissions import require_org_manager
from brands.services.common import Role, _email_on_commit, _lock_org
from marketplace import permissions as staff_permissions
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import User
from marketplace.services import absolute_url, audit_record

# Verification


Doc = VerificationDocument.Kind

# What each kind of organization must upload. A brand: its NIB or its NPWP (either is enough). An
# NGO (a yayasan or perkumpulan): its foundation deed and the decree of the Ministry of Law that
# registers it. "Other" is optional for both.
DOCUMENT_KINDS = {
    Organization.Kind.BRAND: (Doc.NIB, Doc.NPWP, Doc.OTHER),
    Organization.Kind.NGO: (Doc.FOUNDATION_DEED, Doc.SK_KEMENKUMHAM, Doc.OTHER),
}
# File name extensions accepted, and the content each must have (its first bytes).
DOCUMENT_EXTENSIONS = {".pdf": "pdf", ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png"}
DOCUMENT_SIGNATURES = {"pdf": b"%PDF-", "jpeg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n"}
STORED_EXTENSION = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}


def document_kinds_for(organization: Organization) -> tuple[str, ...]:
    return DOCUMENT_KINDS[organization.kind]


def document_max_mb() -> int:
    return settings.VERIFICATION_DOCUMENT_MAX_MB


def _sniff(file: File) -> str | None:
    """The document type the file's first bytes show (PDF, JPEG or PNG), or None."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for kind, signature in DOCUMENT_SIGNATURES.items():
        if head.startswith(signature):
            return kind
    return None


def verification_document_problem(file: File, *, kind: str) -> str | None:
    """What is wrong with an uploaded document (in words, naming it), or None when it can be kept."""
    label = Doc(kind).label
    name = os.path.basename(file.name or "")
    limit = document_max_mb()
    if not file.size:
        return _("%(document)s: “%(name)s” is empty. Scan or export it again and upload that.") % {
            "document": label,
            "name": name,
        }
    if file.size > limit * 1024 * 1024:
        return _(
            "%(document)s: “%(name)s” is %(size)s; each document can be at most %(limit)s MB. "
            "Scan it at a lower resolution, or save it as a PDF."
        ) % {"document": label, "name": name, "size": filesizeformat(file.size), "limit": limit}
    expected = DOCUMENT_EXTENSIONS.get(os.path.splitext(name)[1].lower())
    if expected is None:
        return _(
            "%(document)s: “%(name)s” is not a PDF, JPEG or PNG file. Upload the document in one of these formats."
        ) % {
            "document": label,
            "name": name,
        }
    if _sniff(file) != expected:
        return _(
            "%(document)s: the content of “%(name)s” is not a real PDF, JPEG or PNG file, whatever its name "
            "says. Export or scan the document again and upload that."
        ) % {"document": label, "name": name}
    return None


def missing_document_problems(*, organization: Organization, kinds) -> list[tuple[str, str]]:
    """The required documents not among `kinds`, as (field, message): the field is the kind to upload."""
    kinds = set(kinds)
    if organization.kind == Organization.Kind.BRAND:
        if not kinds & {Doc.NIB, Doc.NPWP}:
            return [
                (
                    Doc.NIB,
                    _("Upload your NIB or your NPWP: Kolabo needs one of them to verify a brand."),
                )
            ]
        return []
    problems = []
    if Doc.FOUNDATION_DEED not in kinds:
        problems.append(
            (
                Doc.FOUNDATION_DEED,
                _("Upload the foundation deed (akta pendirian): an NGO needs it to be verified."),
            )
        )
    if Doc.SK_KEMENKUMHAM not in kinds:
        problems.append(
            (
                Doc.SK_KEMENKUMHAM,
                _("Upload the ministry decree (SK Kemenkumham) that registers your NGO: it is needed too."),
            )
        )
    return problems


def _document_save(
    *, organization: Organization, request: VerificationRequest, kind: str, file: File, by_user: User
) -> VerificationDocument:
    # The stored name is ours (kind, random part, the extension the content showed), never the
    # uploader's: the original name is kept for display only.
    stored_name = f"{kind}-{secrets.token_hex(8)}{STORED_EXTENSION[_sniff(file)]}"
    document = VerificationDocument(
        organization=organization,
        request=request,
        kind=kind,
        original_name=os.path.basename(file.name or "")[:255],
        size=file.size,
        uploaded_by=by_user,
    )
    document.file.save(stored_name, file, save=False)
    document.save()
    audit_record(
        actor=by_user,
        action="verification.document_uploaded",
        target=document,
        data={
            "organization": organization.pk,
            "request": request.pk,
            "kind": kind,
            "name": document.original_name,
            "size": document.size,
        },
    )
    return document


@transaction.atomic
def verification_request_submit(
    *, organization: Organization, by_user: User, evidence: str, documents: Mapping[str, File]
) -> VerificationRequest:
    """Ask staff to verify the organization, with its legal documents ({kind: uploaded file}).

    A brand sends its NIB or NPWP; an NGO its foundation deed and SK Kemenkumham; "other" is
    optional. Each is a PDF, JPEG or PNG of at most VERIFICATION_DOCUMENT_MAX_MB.
    """
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
    documents = {kind: file for kind, file in documents.items() if file}
    allowed = document_kinds_for(organization)
    for kind, file in documents.items():
        if kind not in allowed:
            raise ValidationFailed(
                _("%(document)s is not one of the documents for %(kind)s organizations.")
                % {"document": Doc(kind).label, "kind": organization.get_kind_display()},
                field=kind,
            )
        problem = verification_document_problem(file, kind=kind)
        if problem:
            raise ValidationFailed(problem, field=kind)
    missing = missing_document_problems(organization=organization, kinds=documents)
    if missing:
        field, message = missing[0]
        raise ValidationFailed(message, field=field)

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
        data={"organization": organization.pk, "documents": sorted(documents)},
    )
    audit_record(
        actor=by_user,
        action="organization.verification_changed",
        target=organization,
        from_status=old_status,
        to_status=organization.verification_status,
    )
    # In the order the form lists them, so the reviewer reads them the same way.
    for kind in allowed:
        if kind in documents:
            _document_save(
                organization=organization, request=request, kind=kind, file=documents[kind], by_user=by_user
            )
    return request


def verification_document_open(*, document: VerificationDocument, by_user: User) -> VerificationDocument:
    """Staff with the verification reviewer role open a document; every opening is recorded."""
    staff_permissions.require_verification_reviewer(by_user)
    audit_record(
        actor=by_user,
        action="verification.document_viewed",
        target=document,
        data={"organization": document.organization_id, "kind": document.kind},
    )
    return document


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
