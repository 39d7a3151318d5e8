"""Web forms for briefs: they check the shape of the input; campaigns.services.briefs checks the rules."""

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from brands.models import Organization
from campaigns.forms.fields import DATE_WIDGET, _count_field, _money_field, hashtags_clean
from campaigns.models import Campaign
from campaigns.services.brief_checks import PUBLISHED_EDITABLE
from creators.models import Cause, Niche, Platform, Tier
from creators.taxonomy import LANGUAGES
from marketplace.forms import DomainErrorFormMixin
from platforms.models import CONNECTABLE

# Follower range of each tier, both ends included; mega has no upper end.
TIER_RANGES: dict[str, tuple[int, int | None]] = {
    Tier.STARTER: (0, 999),
    Tier.NANO: (1_000, 9_999),
    Tier.MICRO: (10_000, 99_999),
    Tier.MID: (100_000, 499_999),
    Tier.MACRO: (500_000, 999_999),
    Tier.MEGA: (1_000_000, None),
}
TIER_CHOICES = [
    (Tier.STARTER, _("Emerging (under 1,000)")),
    (Tier.NANO, _("Nano (1,000–9,999)")),
    (Tier.MICRO, _("Micro (10,000–99,999)")),
    (Tier.MID, _("Mid-tier (100,000–499,999)")),
    (Tier.MACRO, _("Macro (500,000–999,999)")),
    (Tier.MEGA, _("Mega (1 million and more)")),
]
# What each compensation means, for an NGO choosing it (brands always pay).
COMPENSATION_HELP = _(
    "Paid: a fee for the work, as on any campaign. "
    "Stipend: a smaller amount that covers the creator's costs (transport, materials, data); open to "
    "every creator who fits the brief. "
    "Volunteer: no money at all; only creators who said they are open to pro-bono work for causes "
    "are recommended, can apply or can be invited. Commercial campaigns always pay."
)
FEE_FIXED = "fixed"
FEE_RANGE = "range"


class CampaignForm(forms.Form):
    """The whole brief for a draft; for a published brief only the fields that may still change.

    Brands run commercial, paid campaigns only, so those two choices appear for NGOs alone.
    """

    title = forms.CharField(label=_("Title"), max_length=140)
    kind = forms.ChoiceField(label=_("Kind"), choices=Campaign.Kind.choices, widget=forms.RadioSelect)
    compensation = forms.ChoiceField(
        label=_("Compensation"),
        choices=Campaign.Compensation.choices,
        widget=forms.RadioSelect,
        help_text=_("Commercial campaigns always pay. Volunteer campaigns have no fee."),
    )
    objective = forms.ChoiceField(
        label=_("Objective"),
        choices=[("", _("Choose an objective")), *Campaign.Objective.choices],
        required=False,
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you want creators to make, for whom, and why it matters."),
    )
    niches = forms.ModelMultipleChoiceField(
        label=_("Niches"),
        queryset=Niche.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_pk_value": _("Niche “%(pk)s” is unknown. Choose niches from the list.")},
    )
    causes = forms.ModelMultipleChoiceField(
        label=_("Causes"),
        queryset=Cause.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A social-cause campaign names at least one cause."),
        error_messages={"invalid_pk_value": _("Cause “%(pk)s” is unknown. Choose causes from the list.")},
    )
    platforms = forms.MultipleChoiceField(
        label=_("Platforms"), choices=Platform.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    tiers = forms.MultipleChoiceField(
        label=_("Follower tiers (shortcut)"),
        choices=TIER_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick tiers to set the follower range for you: it spans from the smallest to the largest "
            "tier ticked. Or leave them empty and type your own range below."
        ),
    )
    min_followers = _count_field(_("Minimum followers"))
    max_followers = _count_field(_("Maximum followers"))
    min_engagement_rate = forms.DecimalField(
        label=_("Minimum engagement rate (%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_(
            "Average likes and comments per post, as a share of followers. Micro creators often reach 3%."
        ),
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": "0.01"}),
    )
    target_countries = forms.MultipleChoiceField(
        label=_("Target countries"),
        choices=lambda: list(countries),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Where the creator or at least 10% of their audience is. Leave empty for anywhere."),
    )
    target_languages = forms.MultipleChoiceField(
        label=_("Content languages"),
        choices=LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for any language."),
    )
    fee_mode = forms.ChoiceField(
        label=_("Fee per creator"),
        choices=[(FEE_FIXED, _("A fixed fee")), (FEE_RANGE, _("A range: creators propose within it"))],
        initial=FEE_FIXED,
        widget=forms.RadioSelect,
    )
    fee = _money_field(_("Fixed fee"))
    fee_min = _money_field(_("Fee from"))
    fee_max = _money_field(_("Fee up to"))
    currency = forms.ChoiceField(label=_("Currency"), choices=settings.CURRENCIES)
    slots = forms.IntegerField(
        label=_("Creators wanted (slots)"),
        min_value=1,
        max_value=1000,
        initial=1,
        help_text=_("The budget is the fee times the number of slots."),
    )
    application_deadline = forms.DateField(
        label=_("Application deadline"), required=False, widget=DATE_WIDGET
    )
    content_due_date = forms.DateField(
        label=_("Content due date"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Creators accepted later keep the due date that was set when they were accepted."),
    )
    usage_rights = forms.ChoiceField(label=_("Usage rights"), choices=Campaign.UsageRights.choices)
    dos = forms.CharField(
        label=_("Do's"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    donts = forms.CharField(
        label=_("Don'ts"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    required_hashtags = forms.CharField(
        label=_("Required hashtags"),
        max_length=300,
        required=False,
        help_text=_("Separated by spaces, for example #KopiNusantara #RamadanKopi."),
    )
    disclosure_required = forms.BooleanField(
        label=_("Creators must disclose the partnership (#ad / #iklan)"), required=False, initial=True
    )
    disclosure_tags = forms.CharField(
        label=_("Disclosure hashtags"),
        max_length=Campaign._meta.get_field("disclosure_tags").max_length,
        required=False,
        initial=Campaign._meta.get_field("disclosure_tags").default,
        help_text=_(
            "Any one of these in the caption counts as the disclosure. Separated by spaces; "
            "left empty, #iklan #ad #sponsored."
        ),
    )
    requires_verified_accounts = forms.BooleanField(
        label=_("Only creators with connected accounts (verified numbers)"),
        required=False,
        help_text=_(
            "Creators must connect their Instagram or TikTok account to Kolabo, so their followers, "
            "engagement and audience come from the platform, not typed in. Fewer creators qualify."
        ),
    )
    review_rounds = forms.IntegerField(
        label=_("Revision rounds included"),
        min_value=0,
        max_value=10,
        initial=2,
        help_text=_(
            "How many times you may ask for changes to a draft before either side can ask staff to decide."
        ),
    )

    nano_share = forms.IntegerField(
        label=_("Recommendations kept for nano creators (%)"),
        required=False,
        min_value=0,
        max_value=50,
        initial=Campaign._meta.get_field("nano_share").default,
        help_text=_(
            "Part of the recommended creators reserved for nano creators (1,000–9,999 followers), "
            "when your follower rules allow them. Small creators often have the most engaged audiences."
        ),
    )

    def __init__(self, *args, organization: Organization, campaign: Campaign | None = None, **kwargs):
        self.organization = organization
        self.campaign = campaign
        if campaign is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(campaign)
        super().__init__(*args, **kwargs)
        if not organization.is_ngo:
            for name in ("kind", "compensation", "causes"):
                del self.fields[name]
            self.fields["usage_rights"].choices = [
                choice
                for choice in Campaign.UsageRights.choices
                if choice[0] != Campaign.UsageRights.NGO_NONCOMMERCIAL
            ]
        else:
            # An NGO's brief starts as a cause campaign under the non-commercial rights preset.
            self.fields["kind"].initial = Campaign.Kind.CAUSE
            self.fields["compensation"].initial = Campaign.Compensation.PAID
            self.fields["compensation"].help_text = COMPENSATION_HELP
            self.fields["usage_rights"].initial = Campaign.UsageRights.NGO_NONCOMMERCIAL
            self.fields["causes"].help_text = _(
                "A cause campaign names at least one cause; it is checked when you publish. Creators who "
                "care about these causes see the campaign first."
            )
        self.fields["currency"].initial = organization.default_currency
        if self.is_published:
            for name in list(self.fields):
                if name not in PUBLISHED_EDITABLE:
                    del self.fields[name]
            self.fields["slots"].help_text = _("You cannot go below the number of creators already accepted.")

    GROUPS = (
        (_("The brief"), ("title", "kind", "compensation", "objective", "description", "niches", "causes")),
        (_("Platforms and deliverables"), ("platforms",)),
        (
            _("Creators you are looking for"),
            (
                "tiers",
                "min_followers",
                "max_followers",
                "min_engagement_rate",
                "target_countries",
                "target_languages",
                "requires_verified_accounts",
            ),
        ),
        (
            _("Fee, slots and dates"),
            (
                "fee_mode",
                "fee",
                "fee_min",
                "fee_max",
                "currency",
                "slots",
                "application_deadline",
                "content_due_date",
            ),
        ),
        (
            _("Rights and guidelines"),
            (
                "usage_rights",
                "dos",
                "donts",
                "required_hashtags",
                "disclosure_required",
                "disclosure_tags",
                "review_rounds",
            ),
        ),
        (_("Recommendations"), ("nano_share",)),
    )

    def groups(self) -> list[tuple[str, list]]:
        """The fields in fieldsets, as the page shows them; a group with no field left is skipped."""
        groups = []
        for title, names in self.GROUPS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                groups.append((title, fields))
        return groups

    @property
    def is_published(self) -> bool:
        return self.campaign is not None and self.campaign.status == Campaign.Status.PUBLISHED

    @staticmethod
    def initial_from(campaign: Campaign) -> dict[str, Any]:
        fixed = campaign.fee_min == campaign.fee_max
        return {
            "title": campaign.title,
            "kind": campaign.kind,
            "compensation": campaign.compensation,
            "objective": campaign.objective,
            "description": campaign.description,
            "niches": list(campaign.niches.all()),
            "causes": list(campaign.causes.all()),
            "platforms": campaign.platforms,
            "min_followers": campaign.min_followers,
            "max_followers": campaign.max_followers,
            "min_engagement_rate": campaign.min_engagement_rate,
            "target_countries": campaign.target_countries,
            "target_languages": campaign.target_languages,
            "fee_mode": FEE_FIXED if fixed else FEE_RANGE,
            "fee": campaign.fee_min if fixed else None,
            "fee_min": None if fixed else campaign.fee_min,
            "fee_max": None if fixed else campaign.fee_max,
            "currency": campaign.currency,
            "slots": campaign.slots,
            "application_deadline": campaign.application_deadline,
            "content_due_date": campaign.content_due_date,
            "usage_rights": campaign.usage_rights,
            "dos": campaign.dos,
            "donts": campaign.donts,
            "required_hashtags": campaign.required_hashtags,
            "disclosure_required": campaign.disclosure_required,
            "disclosure_tags": campaign.disclosure_tags,
            "requires_verified_accounts": campaign.requires_verified_accounts,
            "review_rounds": campaign.review_rounds,
            "nano_share": campaign.nano_share,
        }

    def clean_disclosure_tags(self) -> str:
        return hashtags_clean(self.cleaned_data.get("disclosure_tags", ""))

    def clean_nano_share(self):
        share = self.cleaned_data.get("nano_share")
        return Campaign._meta.get_field("nano_share").default if share is None else share

    def clean(self):
        data = super().clean()
        tiers = data.get("tiers")
        if tiers:
            if data.get("min_followers") is not None or data.get("max_followers") is not None:
                self.add_error(
                    "tiers",
                    _("Use either the tiers or your own follower range, not both. Clear one of them."),
                )
            else:
                lows = [TIER_RANGES[t][0] for t in tiers]
                highs = [TIER_RANGES[t][1] for t in tiers]
                data["min_followers"] = min(lows) or None
                data["max_followers"] = None if None in highs else max(highs)
        if "disclosure_tags" in data and not data["disclosure_tags"] and data.get("disclosure_required"):
            data["disclosure_tags"] = Campaign._meta.get_field("disclosure_tags").default
        platforms = data.get("platforms")
        if data.get("requires_verified_accounts") and platforms and not set(platforms) & set(CONNECTABLE):
            self.add_error(
                "requires_verified_accounts",
                _(
                    "Only Instagram and TikTok accounts can be connected to Kolabo. Add one of them to "
                    "the platforms, or accept self-reported numbers."
                ),
            )
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned brief in the shape campaign_create / campaign_update take."""
        data = self.cleaned_data
        kwargs = {name: data[name] for name in self.fields if name in data}
        for name in ("fee_mode", "fee", "tiers"):
            kwargs.pop(name, None)
        if "fee_mode" in self.fields:
            if data.get("fee_mode") == FEE_RANGE:
                kwargs["fee_min"], kwargs["fee_max"] = data.get("fee_min"), data.get("fee_max")
            else:
                kwargs["fee_min"] = kwargs["fee_max"] = data.get("fee")
        if "min_followers" in self.fields:
            kwargs["min_followers"] = data.get("min_followers")
            kwargs["max_followers"] = data.get("max_followers")
        if not self.organization.is_ngo and not self.is_published:
            kwargs["kind"] = Campaign.Kind.COMMERCIAL
            kwargs["compensation"] = Campaign.Compensation.PAID
        if "niches" in kwargs:
            kwargs["niches"] = list(kwargs["niches"])
        if "causes" in kwargs:
            kwargs["causes"] = list(kwargs["causes"])
        return kwargs

    def add_domain_error(self, field: str | None, message: str) -> None:
        """Put a service's refusal next to the field it is about, or at the top of the form."""
        data = getattr(self, "cleaned_data", {})
        if (
            field in ("fee_min", "fee_max")
            and "fee_mode" in self.fields
            and data.get("fee_mode") != FEE_RANGE
        ):
            field = "fee"
        if field in ("min_followers", "max_followers") and data.get("tiers"):
            field = "tiers"
        if field not in self.fields:
            field = None
        if message not in self.errors.get(field or "__all__", []):
            self.add_error(field, message)


class CancelForm(DomainErrorFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why are you cancelling?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Everyone affected reads this: applicants, invited creators and creators already at work."
        ),
        error_messages={"required": _("Tell the creators why you cancel the campaign.")},
    )
