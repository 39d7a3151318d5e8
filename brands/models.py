import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from marketplace.private_files import private_storage

# Slugs that would collide with the fixed paths under /orgs/.
RESERVED_SLUGS = frozenset({"new", "invitations", "staff"})


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Organization(models.Model):
    """A brand or an NGO. People act for it through a Membership."""

    class Kind(models.TextChoices):
        BRAND = "brand", _("Brand")
        NGO = "ngo", _("NGO")

    class VerificationStatus(models.TextChoices):
        UNVERIFIED = "unverified", _("Not verified")
        PENDING = "pending", _("Verification pending")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Verification rejected")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    logo = models.ImageField(_("logo"), upload_to="org-logos/", blank=True)
    website = models.URLField(_("website"), blank=True)
    country = CountryField(_("country"))
    description = models.TextField(_("description"), blank=True)
    causes = models.ManyToManyField(
        "creators.Cause", verbose_name=_("causes"), blank=True, related_name="organizations"
    )
    default_currency = models.CharField(
        _("default currency"), max_length=3, choices=settings.CURRENCIES, default="IDR"
    )
    verification_status = models.CharField(
        _("verification status"),
        max_length=12,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
        db_index=True,
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["brand", "ngo"]), name="brands_org_kind_valid"),
            models.CheckConstraint(
                condition=Q(verification_status__in=["unverified", "pending", "verified", "rejected"]),
                name="brands_org_verification_status_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("brands:org_detail", args=[self.slug])

    @property
    def is_ngo(self) -> bool:
        return self.kind == self.Kind.NGO

    @property
    def is_verified(self) -> bool:
        return self.verification_status == self.VerificationStatus.VERIFIED

    def can_request_verification(self) -> bool:
        return self.verification_status in (
            self.VerificationStatus.UNVERIFIED,
            self.VerificationStatus.REJECTED,
        )


class Membership(models.Model):
    """A person's role in an organization."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")
        VIEWER = "viewer", _("Viewer")

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="brands_membership_one_per_user"),
            models.CheckConstraint(
                condition=Q(role__in=["owner", "manager", "viewer"]), name="brands_membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.organization} ({self.get_role_display()})"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER

    # The role table lives in brands.permissions (imported here, late: it imports this module).
    def can_edit_org(self) -> bool:
        from .permissions import role_manages

        return role_manages(self.role)

    def can_manage_members(self) -> bool:
        """Invite people and revoke invitations (owners also change roles)."""
        return self.can_edit_org()

    def can_change_roles(self) -> bool:
        from .permissions import role_owns

        return role_owns(self.role)

    def can_invite_role(self, role: str) -> bool:
        if role == self.Role.OWNER:
            return self.is_owner
        return self.can_manage_members()

    def can_remove(self, other: "Membership") -> bool:
        """Whether this member may remove `other` (the last-owner rule is checked by the service)."""
        if other.pk == self.pk:
            return True
        if self.is_owner:
            return True
        return self.role == self.Role.MANAGER and other.role == self.Role.VIEWER

    def invitable_roles(self) -> list[tuple[str, str]]:
        return [(value, label) for value, label in self.Role.choices if self.can_invite_role(value)]


class OrgInvitation(models.Model):
    """An emailed invitation to join an organization with a role; accepted through its token."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices)
    token = models.CharField(
        _("token"), max_length=64, unique=True, default=new_invitation_token, editable=False
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("organization invitation")
        verbose_name_plural = _("organization invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(status="pending"),
                name="brands_invitation_one_pending_per_email",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "revoked"]),
                name="brands_invitation_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["email", "status"], name="brands_inv_email_status_idx")]

    def __str__(self):
        return f"{self.email} → {self.organization} ({self.get_role_display()})"

    def get_absolute_url(self):
        return reverse("brands:invitation_accept", args=[self.token])

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    def can_accept(self) -> bool:
        return self.is_pending and not self.is_expired


class VerificationRequest(models.Model):
    """An organization's request to be verified by staff, with the evidence they reviewed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="verification_requests",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    evidence = models.TextField(_("evidence"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("verification request")
        verbose_name_plural = _("verification requests")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status="pending"),
                name="brands_verification_one_pending_per_org",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected"]),
                name="brands_verification_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="brands_verification_rejection_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.organization} · {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


def verification_document_path(instance, filename):
    return f"verification/{instance.organization_id}/{filename}"


class VerificationDocument(models.Model):
    """A legal document an organization uploads for verification. Private: staff only."""

    class Kind(models.TextChoices):
        NIB = "nib", _("NIB (business identification number)")
        NPWP = "npwp", _("NPWP (tax number)")
        FOUNDATION_DEED = "foundation_deed", _("Foundation deed (akta pendirian)")
        SK_KEMENKUMHAM = "sk_kemenkumham", _("Ministry decree (SK Kemenkumham)")
        OTHER = "other", _("Other supporting document")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="verification_documents",
    )
    request = models.ForeignKey(
        VerificationRequest,
        verbose_name=_("verification request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    file = models.FileField(
        _("file"), upload_to=verification_document_path, storage=private_storage, max_length=300
    )
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("verification document")
        verbose_name_plural = _("verification documents")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["nib", "npwp", "foundation_deed", "sk_kemenkumham", "other"]),
                name="brands_verification_document_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.organization} · {self.get_kind_display()}"


class Shortlist(models.Model):
    """A named list of creators an organization is considering; brands invite from it."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="shortlists"
    )
    name = models.CharField(_("name"), max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("shortlist")
        verbose_name_plural = _("shortlists")
        ordering = ["organization_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="brands_shortlist_name_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="brands_shortlist_name_not_empty"),
        ]

    def __str__(self):
        return f"{self.name} · {self.organization}"

    def get_absolute_url(self):
        return reverse("discovery:shortlist_detail", args=[self.pk])


class ShortlistEntry(models.Model):
    """One creator on a shortlist, once."""

    shortlist = models.ForeignKey(
        Shortlist, verbose_name=_("shortlist"), on_delete=models.CASCADE, related_name="entries"
    )
    creator = models.ForeignKey(
        "creators.CreatorProfile",
        verbose_name=_("creator"),
        on_delete=models.CASCADE,
        related_name="shortlist_entries",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("shortlist entry")
        verbose_name_plural = _("shortlist entries")
        ordering = ["shortlist_id", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shortlist", "creator"], name="brands_shortlist_entry_unique"),
        ]

    def __str__(self):
        return f"{self.creator_id} on {self.shortlist_id}"
