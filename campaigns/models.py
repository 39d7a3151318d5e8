"""Briefs, applications, invitations, collaborations and their deliverables.

Statuses change only through campaigns.services; the transition tables below are the single
source of truth for which moves are legal.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creators.models import DeliverableFormat, Platform
from marketplace.private_files import private_storage

CURRENCY_CODES = [code for code, _label in settings.CURRENCIES]
MONEY = {"max_digits": 14, "decimal_places": 2}


class Campaign(models.Model):
    """A brief: what the organization wants, from whom, for how much, and by when."""

    class Kind(models.TextChoices):
        COMMERCIAL = "commercial", _("Commercial")
        CAUSE = "cause", _("Social cause")

    class Compensation(models.TextChoices):
        PAID = "paid", _("Paid")
        STIPEND = "stipend", _("Stipend")
        VOLUNTEER = "volunteer", _("Volunteer")

    class Objective(models.TextChoices):
        AWARENESS = "awareness", _("Awareness")
        ENGAGEMENT = "engagement", _("Engagement")
        TRAFFIC = "traffic", _("Website traffic")
        SALES = "sales", _("Sales")
        SIGNUPS = "signups", _("Sign-ups")
        DONATIONS = "donations", _("Donations and pledges")
        CONTENT = "content", _("Content for our own channels")

    class UsageRights(models.TextChoices):
        ORGANIC = "organic", _("Organic only")
        PAID_30 = "paid_30", _("Paid usage, 30 days")
        PAID_90 = "paid_90", _("Paid usage, 90 days")
        PERPETUAL = "perpetual", _("Perpetual")
        NGO_NONCOMMERCIAL = "ngo_noncommercial", _("NGO non-commercial")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.PUBLISHED, Status.CANCELLED},
        Status.PUBLISHED: {Status.CLOSED, Status.CANCELLED},
        Status.CLOSED: {Status.COMPLETED, Status.CANCELLED},
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
    }

    organization = models.ForeignKey(
        "brands.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=140)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COMMERCIAL)
    compensation = models.CharField(
        _("compensation"), max_length=10, choices=Compensation.choices, default=Compensation.PAID
    )
    objective = models.CharField(_("objective"), max_length=12, choices=Objective.choices, blank=True)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    niches = models.ManyToManyField(
        "creators.Niche", verbose_name=_("niches"), blank=True, related_name="campaigns"
    )
    causes = models.ManyToManyField(
        "creators.Cause", verbose_name=_("causes"), blank=True, related_name="campaigns"
    )
    platforms = models.JSONField(_("platforms"), default=list, blank=True)
    min_followers = models.PositiveBigIntegerField(_("minimum followers"), null=True, blank=True)
    max_followers = models.PositiveBigIntegerField(_("maximum followers"), null=True, blank=True)
    min_engagement_rate = models.DecimalField(
        _("minimum engagement rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    target_countries = models.JSONField(_("target countries"), default=list, blank=True)
    target_languages = models.JSONField(_("target languages"), default=list, blank=True)
    fee_min = models.DecimalField(_("fee per creator (from)"), **MONEY, null=True, blank=True)
    fee_max = models.DecimalField(_("fee per creator (up to)"), **MONEY, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=settings.CURRENCIES, default="IDR")
    slots = models.PositiveIntegerField(_("creators wanted"), default=1)
    application_deadline = models.DateField(_("application deadline"), null=True, blank=True)
    content_due_date = models.DateField(_("content due date"), null=True, blank=True)
    usage_rights = models.CharField(
        _("usage rights"), max_length=20, choices=UsageRights.choices, default=UsageRights.ORGANIC
    )
    dos = models.TextField(_("do's"), max_length=3000, blank=True)
    donts = models.TextField(_("don'ts"), max_length=3000, blank=True)
    required_hashtags = models.CharField(_("required hashtags"), max_length=300, blank=True)
    disclosure_required = models.BooleanField(_("disclosure required (#ad / #iklan)"), default=True)
    # Any one of these in the caption counts as the disclosure.
    disclosure_tags = models.CharField(
        _("disclosure hashtags (any one)"), max_length=100, default="#iklan #ad #sponsored", blank=True
    )
    requires_verified_accounts = models.BooleanField(
        _("only creators with connected (verified) accounts"), default=False
    )
    review_rounds = models.PositiveSmallIntegerField(
        _("revision rounds included"), default=2, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    nano_share = models.PositiveSmallIntegerField(
        _("suggestions kept for nano creators (%)"),
        default=20,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text=_(
            "Share of the recommended creators reserved for nano creators (1,000–9,999 followers) "
            "when the brief's audience rules allow them."
        ),
    )
    min_match_score = models.PositiveSmallIntegerField(
        _("minimum match score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Recommend only creators who score at least this (0–100). Leave empty for no minimum."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    recommendations_updated_at = models.DateTimeField(_("recommendations updated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "application_deadline"]),
            # An organization's campaigns, newest first: its pages and the API list.
            models.Index(fields=["organization", "-created_at", "-id"], name="campaigns_org_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_min__isnull=True) | Q(fee_max__isnull=True) | Q(fee_min__lte=F("fee_max")),
                name="campaigns_fee_min_lte_max",
            ),
            models.CheckConstraint(
                condition=(Q(fee_min__isnull=True) | Q(fee_min__gte=0))
                & (Q(fee_max__isnull=True) | Q(fee_max__gte=0)),
                name="campaigns_fee_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(min_followers__isnull=True)
                | Q(max_followers__isnull=True)
                | Q(min_followers__lte=F("max_followers")),
                name="campaigns_followers_min_lte_max",
            ),
            models.CheckConstraint(condition=Q(slots__gte=1), name="campaigns_slots_at_least_one"),
            models.CheckConstraint(condition=Q(currency__in=CURRENCY_CODES), name="campaigns_currency_known"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "closed", "completed", "cancelled"]),
                name="campaigns_status_valid",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("campaigns:brief_detail", args=[self.pk])

    @property
    def is_paid(self) -> bool:
        return self.compensation != self.Compensation.VOLUNTEER

    @property
    def fee_is_range(self) -> bool:
        return self.fee_min is not None and self.fee_max is not None and self.fee_min != self.fee_max

    @property
    def brief_fee(self) -> Decimal:
        """The brief's own fee per creator: the top of the range, or nothing for an unpaid brief."""
        for value in (self.fee_max, self.fee_min):
            if value is not None:
                return value
        return Decimal("0")

    @property
    def budget_min(self) -> Decimal | None:
        return None if self.fee_min is None else self.fee_min * self.slots

    @property
    def budget_max(self) -> Decimal | None:
        return None if self.fee_max is None else self.fee_max * self.slots

    def can_transition(self, to_status: str) -> bool:
        return to_status in self.TRANSITIONS[self.Status(self.status)]

    def is_open_for_applications(self, *, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.PUBLISHED and (
            self.application_deadline is None or self.application_deadline >= today
        )


class DeliverableSpec(models.Model):
    """One thing the brief asks for, e.g. 2 Instagram reels."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="deliverables"
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    format = models.CharField(_("format"), max_length=20, choices=DeliverableFormat.choices)
    quantity = models.PositiveSmallIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=20), name="campaigns_spec_quantity_1_20"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.get_platform_display()} {self.get_format_display()}"


class Application(models.Model):
    """A creator asks to join a published brief."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CLOSED = "closed", _("Closed")

    OPEN = (Status.PENDING, Status.SHORTLISTED)
    TRANSITIONS = {
        Status.PENDING: {
            Status.SHORTLISTED,
            Status.ACCEPTED,
            Status.DECLINED,
            Status.WITHDRAWN,
            Status.CLOSED,
        },
        Status.SHORTLISTED: {
            Status.PENDING,
            Status.ACCEPTED,
            Status.DECLINED,
            Status.WITHDRAWN,
            Status.CLOSED,
        },
        Status.ACCEPTED: set(),
        Status.DECLINED: set(),
        Status.WITHDRAWN: set(),
        Status.CLOSED: set(),
    }

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="applications"
    )
    creator = models.ForeignKey(
        "creators.CreatorProfile",
        verbose_name=_("creator"),
        on_delete=models.CASCADE,
        related_name="applications",
    )
    pitch = models.TextField(_("pitch"), max_length=3000)
    proposed_fee = models.DecimalField(_("proposed fee"), **MONEY, null=True, blank=True)
    is_counter_offer = models.BooleanField(_("counter-offer"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    decline_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("applied"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "creator"], name="campaigns_one_application_per_creator"
            ),
            models.CheckConstraint(
                condition=Q(proposed_fee__isnull=True) | Q(proposed_fee__gte=0),
                name="campaigns_application_fee_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.creator} → {self.campaign}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class Invitation(models.Model):
    """An organization asks a creator to join, with an offered fee. Expires after a week."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        COUNTERED = "countered", _("Counter-offer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        CLOSED = "closed", _("Closed")

    OPEN = (Status.PENDING, Status.COUNTERED)
    TRANSITIONS = {
        # A counter goes back to PENDING when the organization declines it, so the creator can
        # still take the original offer.
        Status.PENDING: {
            Status.COUNTERED,
            Status.ACCEPTED,
            Status.DECLINED,
            Status.EXPIRED,
            Status.REVOKED,
            Status.CLOSED,
        },
        Status.COUNTERED: {
            Status.PENDING,
            Status.ACCEPTED,
            Status.DECLINED,
            Status.EXPIRED,
            Status.REVOKED,
            Status.CLOSED,
        },
        Status.ACCEPTED: set(),
        Status.DECLINED: set(),
        Status.EXPIRED: set(),
        Status.REVOKED: set(),
        Status.CLOSED: set(),
    }

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="invitations"
    )
    creator = models.ForeignKey(
        "creators.CreatorProfile",
        verbose_name=_("creator"),
        on_delete=models.CASCADE,
        related_name="campaign_invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    offered_fee = models.DecimalField(_("offered fee"), **MONEY, null=True, blank=True)
    message = models.TextField(_("message"), max_length=3000, blank=True)
    counter_fee = models.DecimalField(_("counter-offer fee"), **MONEY, null=True, blank=True)
    counter_message = models.TextField(_("counter-offer message"), max_length=3000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    expires_at = models.DateTimeField(_("expires"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "creator"],
                condition=Q(status__in=["pending", "countered"]),
                name="campaigns_one_open_invitation_per_creator",
            ),
            models.CheckConstraint(
                condition=(Q(offered_fee__isnull=True) | Q(offered_fee__gte=0))
                & (Q(counter_fee__isnull=True) | Q(counter_fee__gte=0)),
                name="campaigns_invitation_fees_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.campaign} → {self.creator}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.EXPIRED or (self.is_open and self.expires_at <= timezone.now())


class Collaboration(models.Model):
    """An accepted creator on a campaign, with the fee frozen at acceptance.

    Its status summarises its deliverables (see services.collaborations); cancelled and disputed
    are set directly.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("In progress")
        SUBMITTED = "submitted", _("Submitted for review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        DISPUTED = "disputed", _("In dispute")

    LIVE = (Status.ACTIVE, Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.APPROVED, Status.PUBLISHED)
    FINAL = (Status.COMPLETED, Status.CANCELLED)

    class Source(models.TextChoices):
        APPLICATION = "application", _("Application")
        INVITATION = "invitation", _("Invitation")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="collaborations"
    )
    creator = models.ForeignKey(
        "creators.CreatorProfile",
        verbose_name=_("creator"),
        on_delete=models.PROTECT,
        related_name="collaborations",
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="collaboration"
    )
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="collaboration"
    )
    fee = models.DecimalField(_("agreed fee"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=settings.CURRENCIES)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    status_before_dispute = models.CharField(max_length=20, choices=Status.choices, blank=True)
    due_date = models.DateField(_("content due"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    # The creator's consent to be named on the campaign's public impact page.
    credited_publicly = models.BooleanField(_("named on the public impact page"), default=False)

    class Meta:
        verbose_name = _("collaboration")
        verbose_name_plural = _("collaborations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "creator"], name="campaigns_one_collaboration_per_creator"
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="campaigns_collaboration_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(currency__in=CURRENCY_CODES), name="campaigns_collaboration_currency_known"
            ),
        ]

    def __str__(self):
        return f"{self.creator} × {self.campaign}"

    def get_absolute_url(self):
        return reverse("campaigns:collaboration_detail", args=[self.pk])

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


class CollaborationDeliverable(models.Model):
    """One piece of content owed under a collaboration (a spec with quantity 3 gives 3 of these)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a draft")
        SUBMITTED = "submitted", _("Draft submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published, waiting for confirmation")
        CONFIRMED = "confirmed", _("Published and confirmed")

    # Each move is one step; nothing skips a state.
    TRANSITIONS = {
        Status.PENDING: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.APPROVED, Status.CHANGES_REQUESTED},
        Status.CHANGES_REQUESTED: {Status.SUBMITTED},
        Status.APPROVED: {Status.PUBLISHED},
        Status.PUBLISHED: {Status.CONFIRMED},
        Status.CONFIRMED: set(),
    }

    collaboration = models.ForeignKey(
        Collaboration, verbose_name=_("collaboration"), on_delete=models.CASCADE, related_name="deliverables"
    )
    spec = models.ForeignKey(
        DeliverableSpec, verbose_name=_("deliverable"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    rounds_used = models.PositiveSmallIntegerField(_("change requests used"), default=0)
    post_url = models.URLField(_("published post link"), max_length=500, blank=True)
    # The creator's own post, read from their connected account; empty on the manual path.
    verified_post = models.ForeignKey(
        "platforms.PlatformPost",
        verbose_name=_("verified post"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliverables",
    )
    # What the caption lacks: [{"kind": "hashtag"|"disclosure", "tag": "#..."}], shown to both sides.
    caption_problems = models.JSONField(_("caption problems"), default=list, blank=True)
    views = models.PositiveBigIntegerField(_("views"), null=True, blank=True)
    likes = models.PositiveBigIntegerField(_("likes"), null=True, blank=True)
    comments = models.PositiveBigIntegerField(_("comments"), null=True, blank=True)
    shares = models.PositiveBigIntegerField(_("shares"), null=True, blank=True)
    saves = models.PositiveBigIntegerField(_("saves"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    auto_confirmed = models.BooleanField(_("confirmed automatically"), default=False)

    class Meta:
        verbose_name = _("collaboration deliverable")
        verbose_name_plural = _("collaboration deliverables")
        ordering = ["spec__position", "spec_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "spec", "number"], name="campaigns_deliverable_unique_number"
            ),
        ]

    def __str__(self):
        return f"{self.spec} #{self.number}"

    def can_transition(self, to_status: str) -> bool:
        return to_status in self.TRANSITIONS[self.Status(self.status)]


class Submission(models.Model):
    """One draft round for a deliverable. Rounds are kept forever; the latest is under review."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    deliverable = models.ForeignKey(
        CollaborationDeliverable,
        verbose_name=_("deliverable"),
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    round = models.PositiveSmallIntegerField(_("round"))
    link = models.URLField(_("draft link"), max_length=500, blank=True)
    caption = models.TextField(_("caption"), max_length=5000, blank=True)
    # Private: never under MEDIA_URL, opened only through the workspace's permission check.
    file = models.FileField(_("file"), upload_to="submissions/%Y/%m/", storage=private_storage, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    decision = models.CharField(
        _("decision"), max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    feedback = models.TextField(_("feedback"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["deliverable_id", "round"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable", "round"], name="campaigns_submission_unique_round"
            ),
            models.CheckConstraint(
                condition=~Q(link="") | ~Q(file=""), name="campaigns_submission_has_content"
            ),
        ]

    def __str__(self):
        return f"{self.deliverable} round {self.round}"


class Message(models.Model):
    collaboration = models.ForeignKey(
        Collaboration, verbose_name=_("collaboration"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.author} on {self.collaboration_id}"


class Dispute(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    class Outcome(models.TextChoices):
        RESUME = "resume", _("Resume with one more revision round")
        APPROVE = "approve", _("Approve the latest drafts")
        CANCEL = "cancel", _("Cancel the collaboration")

    collaboration = models.ForeignKey(
        Collaboration, verbose_name=_("collaboration"), on_delete=models.CASCADE, related_name="disputes"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("what went wrong"), max_length=5000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    resolution = models.TextField(_("resolution note"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration"],
                condition=Q(status="open"),
                name="campaigns_one_open_dispute_per_collaboration",
            ),
        ]

    def __str__(self):
        return f"Dispute on {self.collaboration_id}"


class Rating(models.Model):
    """After completion each side rates the other once."""

    class Side(models.TextChoices):
        CREATOR = "creator", _("Creator rated by the organization")
        ORGANIZATION = "organization", _("Organization rated by the creator")

    collaboration = models.ForeignKey(
        Collaboration, verbose_name=_("collaboration"), on_delete=models.CASCADE, related_name="ratings"
    )
    rated_side = models.CharField(_("who is rated"), max_length=12, choices=Side.choices)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rated by"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("rated"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "rated_side"], name="campaigns_one_rating_per_side"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="campaigns_rating_score_1_5"
            ),
        ]

    def __str__(self):
        return f"{self.score}/5 on {self.collaboration_id}"


class InvitationBatch(models.Model):
    """A bulk invitation run by a Celery job in chunks, with its progress for the campaign page.

    `idempotency_key` is derived from the request (creators, fee, message), so sending the same
    request twice finds this batch instead of starting a second one.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="invitation_batches"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    offered_fee = models.DecimalField(_("offered fee"), **MONEY, null=True, blank=True)
    message = models.TextField(_("message"), max_length=3000, blank=True)
    creator_ids = models.JSONField(_("creators"), default=list, blank=True)
    total = models.PositiveIntegerField(_("creators requested"), default=0)
    processed = models.PositiveIntegerField(_("creators processed"), default=0)
    invited = models.PositiveIntegerField(_("invited"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    results = models.JSONField(_("results"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    idempotency_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation batch")
        verbose_name_plural = _("invitation batches")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "idempotency_key"], name="campaigns_one_batch_per_request"
            ),
            models.CheckConstraint(
                condition=Q(processed__lte=F("total")), name="campaigns_batch_processed_within_total"
            ),
        ]

    def __str__(self):
        return f"Invitation batch {self.pk} on {self.campaign_id}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class Recommendation(models.Model):
    """A creator suggested for a brief, as campaigns.recommendations last computed it.

    The set for a brief is replaced whole on every refresh. `total` is the match score × 10,000
    before fair exposure; `rank` is the order after it (spreading and the nano reserve).
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="recommendations"
    )
    creator = models.ForeignKey(
        "creators.CreatorProfile",
        verbose_name=_("creator"),
        on_delete=models.CASCADE,
        related_name="recommendations",
    )
    account = models.ForeignKey(
        "creators.SocialAccount", verbose_name=_("account"), on_delete=models.CASCADE, related_name="+"
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.PositiveSmallIntegerField(_("match score"))
    total = models.PositiveIntegerField(_("exact score (× 10,000)"))
    exposure = models.PositiveSmallIntegerField(_("recommended on other open briefs"), default=0)
    reserved_nano = models.BooleanField(_("in the nano reserve"), default=False)
    # Shares a niche related to the brief's (creators.taxonomy.RELATED_NICHES), not one of its own:
    # listed apart, under its own heading, only when too few creators share the brief's niches.
    related = models.BooleanField(_("from a related niche"), default=False)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["campaign", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "creator"], name="campaigns_recommendation_once"),
            models.UniqueConstraint(fields=["campaign", "rank"], name="campaigns_recommendation_rank_unique"),
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="campaigns_recommendation_score_0_100"
            ),
        ]
        indexes = [models.Index(fields=["creator", "rank"], name="campaigns_rec_creator_rank")]

    def __str__(self):
        return f"#{self.rank} {self.creator} for {self.campaign}"


class Sponsorship(models.Model):
    """A brand sponsoring an NGO's cause campaign: invited by the NGO or offered by the brand, and
    accepted by the other side. The sponsor funds the escrow (payments.CampaignFunding.sponsorship);
    unspent escrow is refunded to the sponsor."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited by the NGO")
        OFFERED = "offered", _("Offered by the brand")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN = (Status.INVITED, Status.OFFERED)
    LIVE = (Status.INVITED, Status.OFFERED, Status.ACCEPTED)

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="sponsorships"
    )
    sponsor = models.ForeignKey(
        "brands.Organization",
        verbose_name=_("sponsor"),
        on_delete=models.PROTECT,
        related_name="sponsorships",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    amount = models.DecimalField(_("amount offered"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=settings.CURRENCIES)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("sponsorship")
        verbose_name_plural = _("sponsorships")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "sponsor"],
                condition=Q(status__in=["invited", "offered", "accepted"]),
                name="campaigns_one_live_sponsorship_per_sponsor",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="campaigns_sponsorship_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["invited", "offered", "accepted", "declined", "withdrawn"]),
                name="campaigns_sponsorship_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(currency__in=CURRENCY_CODES), name="campaigns_sponsorship_currency_known"
            ),
        ]

    def __str__(self):
        return f"{self.sponsor} → {self.campaign}"

    @property
    def is_accepted(self) -> bool:
        return self.status == self.Status.ACCEPTED
