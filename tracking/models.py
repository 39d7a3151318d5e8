"""Tracked links, clicks, conversion goals and conversions: the measured side of a campaign.

Clicks are counted off the request path (tracking.clicks buffers them, a flush writes them); no raw
IP address is ever stored, only a salted hash of IP and user agent used for deduplication.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 2}


class TrackingSettings(models.Model):
    """A campaign's tracking set-up: where links go, UTM values, attribution window, postback
    secret and the optional commission per conversion."""

    class CommissionKind(models.TextChoices):
        NONE = "", _("No commission")
        FIXED = "fixed", _("Fixed amount per conversion")
        PERCENT = "percent", _("Percentage of the sale or donation")

    campaign = models.OneToOneField(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="tracking"
    )
    target_url = models.URLField(_("destination link"), max_length=1000, blank=True)
    utm_source = models.CharField(_("utm_source"), max_length=100, default="kolabo", blank=True)
    utm_medium = models.CharField(_("utm_medium"), max_length=100, default="influencer", blank=True)
    utm_campaign = models.CharField(_("utm_campaign"), max_length=100, blank=True)
    attribution_window_days = models.PositiveSmallIntegerField(
        _("attribution window (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    # HMAC secret for signed postbacks, encrypted at rest (platforms.crypto).
    postback_secret = models.TextField(_("postback secret (encrypted)"), blank=True)
    postback_secret_rotated_at = models.DateTimeField(_("secret created"), null=True, blank=True)
    commission_kind = models.CharField(
        _("commission"), max_length=10, choices=CommissionKind.choices, default="", blank=True
    )
    commission_amount = models.DecimalField(_("commission per conversion"), **MONEY, null=True, blank=True)
    commission_percent = models.DecimalField(
        _("commission (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("tracking settings")
        verbose_name_plural = _("tracking settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(commission_kind__in=["", "fixed", "percent"]),
                name="tracking_commission_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(commission_kind="fixed") | Q(commission_amount__gt=0),
                name="tracking_fixed_commission_has_amount",
            ),
            models.CheckConstraint(
                condition=~Q(commission_kind="percent") | Q(commission_percent__gt=0),
                name="tracking_percent_commission_has_rate",
            ),
        ]

    def __str__(self):
        return f"tracking · {self.campaign_id}"

    @property
    def has_commission(self) -> bool:
        return bool(self.commission_kind)


class TrackedLink(models.Model):
    """One collaboration's short link /r/<code> and its promo code."""

    collaboration = models.OneToOneField(
        "campaigns.Collaboration",
        verbose_name=_("collaboration"),
        on_delete=models.CASCADE,
        related_name="tracked_link",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="tracked_links",
    )
    code = models.CharField(_("link code"), max_length=16, unique=True)
    promo_code = models.CharField(_("promo code"), max_length=32)
    # Denormalised count of unique, non-bot clicks, kept by the flush (the Click rows are the truth).
    clicks = models.PositiveBigIntegerField(_("clicks"), default=0)
    last_clicked_at = models.DateTimeField(_("last click"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("tracked link")
        verbose_name_plural = _("tracked links")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "promo_code"], name="tracking_promo_code_unique"),
        ]

    def __str__(self):
        return self.code


class Click(models.Model):
    """One counted (unique within 30 minutes, not a bot) click on a tracked link.

    `visitor` is a salted hash of IP address and user agent; the raw values are never stored.
    `token` is the click id appended to the destination, so a later conversion can name it.
    """

    link = models.ForeignKey(
        TrackedLink, verbose_name=_("link"), on_delete=models.CASCADE, related_name="click_rows"
    )
    token = models.CharField(_("click id"), max_length=40, unique=True)
    visitor = models.CharField(_("visitor hash"), max_length=64)
    clicked_at = models.DateTimeField(_("clicked"), db_index=True)

    class Meta:
        verbose_name = _("click")
        verbose_name_plural = _("clicks")
        ordering = ["clicked_at", "id"]
        indexes = [models.Index(fields=["link", "clicked_at"], name="tracking_click_link_time")]

    def __str__(self):
        return f"{self.link_id} · {self.clicked_at:%Y-%m-%d %H:%M}"


class ConversionGoal(models.Model):
    """What a campaign counts as a result."""

    class Kind(models.TextChoices):
        SIGNUP = "signup", _("Sign-up")
        PLEDGE = "pledge", _("Pledge")
        DONATION = "donation", _("Donation")
        SALE = "sale", _("Sale")
        ATTENDANCE = "attendance", _("Attendance")

    WITH_AMOUNT = (Kind.DONATION, Kind.SALE)

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="conversion_goals",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("conversion goal")
        verbose_name_plural = _("conversion goals")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="tracking_goal_one_per_kind"),
            models.CheckConstraint(
                condition=Q(kind__in=["signup", "pledge", "donation", "sale", "attendance"]),
                name="tracking_goal_kind_valid",
            ),
        ]

    def __str__(self):
        return self.label or str(self.get_kind_display())

    @property
    def has_amount(self) -> bool:
        return self.kind in self.WITH_AMOUNT


class Conversion(models.Model):
    """A result reported for a campaign, attributed (last touch, within the window) to one
    collaboration through a click id or a promo code. `external_id` is unique per campaign, so a
    conversion reported twice counts once."""

    class Source(models.TextChoices):
        POSTBACK = "postback", _("Signed postback")
        PIXEL = "pixel", _("Pixel")
        CSV = "csv", _("CSV upload")

    class Touch(models.TextChoices):
        LINK = "link", _("Tracked link")
        PROMO = "promo", _("Promo code")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="conversions"
    )
    goal = models.ForeignKey(
        ConversionGoal, verbose_name=_("goal"), on_delete=models.PROTECT, related_name="conversions"
    )
    collaboration = models.ForeignKey(
        "campaigns.Collaboration",
        verbose_name=_("collaboration"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversions",
    )
    external_id = models.CharField(_("conversion id"), max_length=100)
    amount = models.DecimalField(_("amount"), **MONEY, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=settings.CURRENCIES, blank=True)
    occurred_at = models.DateTimeField(_("happened"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    touch = models.CharField(_("attributed through"), max_length=10, choices=Touch.choices, blank=True)
    click = models.ForeignKey(
        Click,
        verbose_name=_("click"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversions",
    )
    # Commission owed to the creator for this conversion, frozen when it is recorded.
    commission = models.DecimalField(_("commission"), **MONEY, null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("conversion")
        verbose_name_plural = _("conversions")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "external_id"], name="tracking_conversion_id_once"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="tracking_conversion_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(commission__isnull=True) | Q(commission__gte=0),
                name="tracking_conversion_commission_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "occurred_at"], name="tracking_conv_campaign_time"),
            models.Index(fields=["collaboration", "goal"], name="tracking_conv_collab_goal"),
        ]

    def __str__(self):
        return f"{self.goal} · {self.external_id}"


class PostbackReceipt(models.Model):
    """Each accepted signed postback's signature, so the same request replayed is refused."""

    signature = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("postback receipt")
        verbose_name_plural = _("postback receipts")

    def __str__(self):
        return self.signature[:12]


class ConversionImport(models.Model):
    """One CSV of conversions uploaded by the organization, with its row-level report."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="conversion_imports",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField(_("file name"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    recorded = models.PositiveIntegerField(_("recorded"), default=0)
    duplicates = models.PositiveIntegerField(_("already recorded"), default=0)
    unattributed = models.PositiveIntegerField(_("not attributed"), default=0)
    # [{"line": 3, "column": "amount", "message": "..."}], in the uploader's language at import time.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("conversion import")
        verbose_name_plural = _("conversion imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.file_name
