from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .taxonomy import LANGUAGE_NAMES


class TaxonomyTerm(models.Model):
    """A term with an English and an Indonesian name; seeded from creators/taxonomy.py."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80)
    name_id = models.CharField(_("name (Indonesian)"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "slug"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_id if (get_language() or "en").startswith("id") else self.name_en


class Niche(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("niche")
        verbose_name_plural = _("niches")


class Cause(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("cause")
        verbose_name_plural = _("causes")


class Platform(models.TextChoices):
    INSTAGRAM = "instagram", "Instagram"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    THREADS = "threads", "Threads"


class DeliverableFormat(models.TextChoices):
    """What a creator publishes; rate cards price these, campaign briefs will ask for them."""

    FEED_POST = "feed_post", _("Feed post")
    REEL = "reel", _("Reel")
    STORY = "story", _("Story")
    SHORT_VIDEO = "short_video", _("Short video")
    LONG_VIDEO = "long_video", _("Long video")
    LIVE = "live", _("Live")
    BLOG = "blog", _("Blog post")


class Tier(models.TextChoices):
    STARTER = "starter", _("Emerging")
    NANO = "nano", _("Nano")
    MICRO = "micro", _("Micro")
    MID = "mid", _("Mid-tier")
    MACRO = "macro", _("Macro")
    MEGA = "mega", _("Mega")


# Lower bound (inclusive) of each tier, largest first.
TIER_FLOORS = [
    (1_000_000, Tier.MEGA),
    (500_000, Tier.MACRO),
    (100_000, Tier.MID),
    (10_000, Tier.MICRO),
    (1_000, Tier.NANO),
]

TWO_PLACES = Decimal("0.01")


def tier_for_followers(followers: int) -> str:
    """The follower tier: nano is 1,000 ≤ followers < 10,000, and so on; below 1,000 is "starter"."""
    for floor, tier in TIER_FLOORS:
        if followers >= floor:
            return tier.value
    return Tier.STARTER.value


def engagement_rate_for(*, followers: int, avg_likes: int | None, avg_comments: int | None) -> Decimal | None:
    """(average likes + average comments) / followers * 100, rounded half up to 2 places.

    None (unknown) when likes or comments are unknown: a missing number is never counted as 0.
    0 when there are no followers.
    """
    if avg_likes is None or avg_comments is None:
        return None
    if followers <= 0:
        return Decimal("0.00")
    rate = (Decimal(avg_likes) + Decimal(avg_comments)) * 100 / Decimal(followers)
    return rate.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


class CreatorProfileQuerySet(models.QuerySet):
    def publicly_listed(self) -> "CreatorProfileQuerySet":
        """Profiles anyone may find: every profile except roster imports their creator has not claimed.

        An unclaimed roster creator is private to the importing organization (UU PDP: no consent
        yet), so discovery and other organizations' recommendations start from this.
        """
        return self.exclude(roster_status=CreatorProfile.RosterStatus.UNCLAIMED)

    def visible_to_organization(self, organization_id: int | None) -> "CreatorProfileQuerySet":
        """publicly_listed, plus the organization's own unclaimed roster creators."""
        if organization_id is None:
            return self.publicly_listed()
        return self.exclude(
            models.Q(roster_status=CreatorProfile.RosterStatus.UNCLAIMED)
            & ~models.Q(roster_organization_id=organization_id)
        )


class CreatorProfile(models.Model):
    class RosterStatus(models.TextChoices):
        NONE = "", _("Not imported")
        UNCLAIMED = "unclaimed", _("Roster, unclaimed")
        CLAIMED = "claimed", _("Roster, claimed")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="creator_profile",
    )
    slug = models.SlugField(_("profile address"), max_length=80, unique=True)
    display_name = models.CharField(_("display name"), max_length=80)
    bio = models.TextField(_("bio"), max_length=1500, blank=True)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=80, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    niches = models.ManyToManyField(Niche, verbose_name=_("niches"), related_name="creators")
    causes = models.ManyToManyField(Cause, verbose_name=_("causes"), related_name="creators", blank=True)
    open_to_pro_bono = models.BooleanField(_("open to pro-bono work"), default=False)
    currency = models.CharField(_("currency"), max_length=3, choices=settings.CURRENCIES)
    # Where the profile came from when an organization's roster import created it. Unclaimed
    # profiles are private to that organization until the creator claims them (claim_token).
    roster_status = models.CharField(
        _("roster status"), max_length=10, choices=RosterStatus.choices, default="", blank=True, db_index=True
    )
    roster_organization = models.ForeignKey(
        "brands.Organization",
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roster_creators",
    )
    roster_imported_at = models.DateTimeField(_("imported"), null=True, blank=True)
    # A capability: whoever holds the link may claim the profile (it is emailed or shared by the org).
    claim_token = models.CharField(_("claim token"), max_length=64, blank=True, db_index=True)
    claim_invited_at = models.DateTimeField(_("claim invitation sent"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CreatorProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("creator profile")
        verbose_name_plural = _("creator profiles")
        ordering = ["display_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(currency__in=[code for code, _label in settings.CURRENCIES]),
                name="creators_profile_currency_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(display_name=""), name="creators_profile_name_not_empty"
            ),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("creators:profile_public", kwargs={"slug": self.slug})

    @property
    def is_unclaimed_roster(self) -> bool:
        return self.roster_status == self.RosterStatus.UNCLAIMED

    @property
    def language_names(self) -> list[str]:
        return [str(LANGUAGE_NAMES.get(code, code)) for code in self.languages]


class MetricsSource(models.TextChoices):
    SELF_REPORTED = "self_reported", _("Self-reported")
    VERIFIED = "verified", _("Verified")


class SocialAccount(models.Model):
    profile = models.ForeignKey(
        CreatorProfile, verbose_name=_("creator"), on_delete=models.CASCADE, related_name="social_accounts"
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    handle = models.CharField(_("handle"), max_length=100)
    # Big integers: the largest accounts pass 600 million followers, and the
    # avg_likes <= followers * 10 check must not overflow a 32-bit column.
    # Only followers is required: every other count may be unknown (NULL), never stored as 0.
    followers = models.PositiveBigIntegerField(_("followers"))
    following = models.PositiveBigIntegerField(_("following"), null=True, blank=True)
    posts = models.PositiveBigIntegerField(_("posts"), null=True, blank=True)
    avg_likes = models.PositiveBigIntegerField(_("average likes"), null=True, blank=True)
    avg_comments = models.PositiveBigIntegerField(_("average comments"), null=True, blank=True)
    avg_views = models.PositiveBigIntegerField(_("average views"), null=True, blank=True)
    audience_countries = models.JSONField(_("audience countries"), default=list, blank=True)
    audience_languages = models.JSONField(_("audience languages"), default=list, blank=True)
    metrics_date = models.DateField(_("metrics date"))
    verified = models.BooleanField(_("verified by Kolabo"), default=False)
    # Where the numbers above come from. A connected account's refresh writes verified values and
    # keeps what the creator typed in `self_reported`, shown beside them but never used over them.
    metrics_source = models.CharField(
        _("metrics source"), max_length=20, choices=MetricsSource.choices, default=MetricsSource.SELF_REPORTED
    )
    metrics_verified_at = models.DateTimeField(_("metrics verified"), null=True, blank=True)
    self_reported = models.JSONField(_("self-reported values"), default=dict, blank=True)
    # NULL when likes or comments are unknown (unknown is never stored as 0; see migration 0008).
    engagement_rate = models.DecimalField(
        _("engagement rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.STARTER)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("social account")
        verbose_name_plural = _("social accounts")
        ordering = ["-followers", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "handle"], name="creators_social_platform_handle_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(handle=Lower("handle")) & ~models.Q(handle=""),
                name="creators_social_handle_normalised",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    followers__gte=0,
                    following__gte=0,
                    posts__gte=0,
                    avg_likes__gte=0,
                    avg_comments__gte=0,
                    avg_views__gte=0,
                ),
                name="creators_social_counts_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(engagement_rate__gte=0, engagement_rate__lte=100),
                name="creators_social_engagement_0_100",
            ),
            models.CheckConstraint(
                condition=models.Q(avg_likes__lte=models.F("followers") * 10),
                name="creators_social_likes_within_10x",
            ),
        ]
        indexes = [
            models.Index(fields=["tier"], name="creators_social_tier_idx"),
            models.Index(fields=["followers"], name="creators_social_followers_idx"),
            models.Index(fields=["engagement_rate"], name="creators_social_er_idx"),
        ]

    def __str__(self):
        return f"{self.get_platform_display()} @{self.handle}"

    @property
    def url(self) -> str:
        return PROFILE_URLS[self.platform].format(handle=self.handle)

    @property
    def is_metrics_verified(self) -> bool:
        return self.metrics_source == MetricsSource.VERIFIED


PROFILE_URLS = {
    Platform.INSTAGRAM: "https://www.instagram.com/{handle}/",
    Platform.TIKTOK: "https://www.tiktok.com/@{handle}",
    Platform.YOUTUBE: "https://www.youtube.com/@{handle}",
    Platform.X: "https://x.com/{handle}",
    Platform.FACEBOOK: "https://www.facebook.com/{handle}",
    Platform.THREADS: "https://www.threads.net/@{handle}",
}


class RateCardItem(models.Model):
    profile = models.ForeignKey(
        CreatorProfile, verbose_name=_("creator"), on_delete=models.CASCADE, related_name="rate_card"
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    format = models.CharField(_("format"), max_length=20, choices=DeliverableFormat.choices)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    # Copied from the profile on every write, so a later currency switch never relabels old prices.
    currency = models.CharField(_("currency"), max_length=3, choices=settings.CURRENCIES)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("rate card item")
        verbose_name_plural = _("rate card items")
        ordering = ["platform", "format", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "platform", "format"], name="creators_rate_profile_platform_format_unique"
            ),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="creators_rate_price_positive"),
            models.CheckConstraint(
                condition=models.Q(currency__in=[code for code, _label in settings.CURRENCIES]),
                name="creators_rate_currency_known",
            ),
        ]

    def __str__(self):
        return f"{self.get_platform_display()} · {self.get_format_display()}"


class MatchFeatures(models.Model):
    """One social account's matching inputs, precomputed so a million can be ranked quickly.

    Written only by campaigns.ranking.match_features_refresh; campaigns/ranking.py explains the
    encoding. Niches, causes and languages are bit masks (bit = term id − 1, or LANGUAGES index);
    audience shares are {code: hundredths of a percent}; rate_cents is {"platform:format:CUR": cents};
    the *_units fields are the creator-only score components in 1/10,000.
    """

    account = models.OneToOneField(
        SocialAccount,
        verbose_name=_("account"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="match_features",
    )
    profile = models.ForeignKey(
        CreatorProfile, verbose_name=_("creator"), on_delete=models.CASCADE, related_name="+"
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    followers = models.PositiveBigIntegerField(_("followers"))
    # NULL when the account's engagement is unknown (likes or comments missing).
    engagement_rate = models.DecimalField(
        _("engagement rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    creator_country = models.CharField(_("creator's country"), max_length=2)
    language_mask = models.BigIntegerField(_("languages (bit mask)"), default=0)
    niche_mask = models.BigIntegerField(_("niches (bit mask)"), default=0)
    niche_count = models.PositiveSmallIntegerField(_("number of niches"), default=0)
    cause_mask = models.BigIntegerField(_("causes (bit mask)"), default=0)
    cause_count = models.PositiveSmallIntegerField(_("number of causes"), default=0)
    audience_countries = models.JSONField(_("audience countries"), default=dict)
    audience_languages = models.JSONField(_("audience languages"), default=dict)
    has_audience_countries = models.BooleanField(_("has audience country data"), default=False)
    has_audience_languages = models.BooleanField(_("has audience language data"), default=False)
    open_to_pro_bono = models.BooleanField(_("open to pro-bono work"), default=False)
    # The account's numbers come from its connected platform: briefs requiring verified accounts rank only these.
    metrics_verified = models.BooleanField(_("metrics verified"), default=False)
    rate_cents = models.JSONField(_("rate card (cents)"), default=dict)
    engagement_units = models.PositiveIntegerField(
        _("engagement component"),
    )
    authenticity_units = models.PositiveIntegerField(
        _("authenticity component"),
    )
    reliability_units = models.PositiveIntegerField(
        _("reliability component"),
    )
    # Posts in the last 90 days (verified accounts' snapshots); neutral (5,000) when unknown.
    activity_units = models.PositiveIntegerField(_("recent activity component"), default=5_000)
    computed_on = models.DateField(
        _("computed on"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("match features")
        verbose_name_plural = _("match features")
        indexes = [
            models.Index(fields=["platform", "followers"], name="creators_mf_platform_followers"),
            models.Index(fields=["profile"], name="creators_mf_profile"),
            models.Index(fields=["tier"], name="creators_mf_tier"),
            models.Index(fields=["updated_at"], name="creators_mf_updated"),
        ]

    def __str__(self):
        return f"match features for account {self.account_id}"


class RosterImportJob(models.Model):
    """A roster file imported in the background (the API's asynchronous import).

    The file is checked as a whole before the job is created (a malformed file never gets a job);
    the rows are validated and written later by creators.tasks.roster_import_run, which stores the
    counts and the per-row report here. The uploaded content is dropped once the job has finished.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Phase(models.TextChoices):
        CHECKING = "checking", _("Checking the rows")
        WRITING = "writing", _("Writing the creators")

    organization = models.ForeignKey(
        "brands.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="roster_import_jobs",
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
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    content = models.BinaryField(_("file content"), blank=True, default=b"")
    valid_rows_only = models.BooleanField(_("import valid rows only"), default=False)
    total = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("accounts created"), default=0)
    updated = models.PositiveIntegerField(_("accounts updated"), default=0)
    skipped = models.PositiveIntegerField(_("rows skipped"), default=0)
    written = models.BooleanField(_("written"), default=False)
    errors = models.JSONField(_("validation report"), default=list, blank=True)
    # Lines imported with a change (an unknown niche left out): {"line", "column", "message"}.
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    # Progress, saved after every chunk so the job page can show it while the import runs.
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, default=Phase.CHECKING)
    rows_done = models.PositiveIntegerField(_("rows done in this phase"), default=0)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster import job")
        verbose_name_plural = _("roster import jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"roster import {self.pk} · {self.organization_id} · {self.status}"

    @property
    def percent(self) -> int:
        """Overall progress: checking is the first half, writing the second (a file with errors
        that imports nothing stops after checking)."""
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        half = 50 * min(self.rows_done, self.total) // self.total
        return half + (50 if self.phase == self.Phase.WRITING else 0)
