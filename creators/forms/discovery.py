"""Forms for creator discovery and shortlists. They only validate; services and selectors act."""

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from brands.models import Organization, Shortlist
from campaigns.models import Campaign, Invitation
from creators.discovery import DEFAULT_AUDIENCE_MIN_SHARE, Sort
from creators.models import Cause, Niche, Platform, Tier
from creators.taxonomy import LANGUAGES
from marketplace.forms import DomainErrorFormMixin

RATING_CHOICES = [("", _("Any rating")), ("3", "3+"), ("4", "4+"), ("4.5", "4.5+")]
SORT_CHOICES = [
    (Sort.RELEVANCE, _("Best match")),
    (Sort.FOLLOWERS, _("Most followers")),
    (Sort.ENGAGEMENT, _("Highest engagement")),
    (Sort.RATING, _("Best rated")),
    (Sort.NEWEST, _("Newest")),
]


# "%" on a lazy string translates at import; this defers it to each request's language.
_interpolate = lazy(lambda text, values: str(text) % values, str)


class _MinShareField(forms.IntegerField):
    """A whole percent, 1–100. The range is checked here, not with min_value/max_value, so the one
    message (which contains "%") is never run through Django's "%(limit_value)s" formatting."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not 1 <= value <= 100:
            raise forms.ValidationError(self.error_messages["invalid"], code="out_of_range")


def _min_share_field(label, what):
    """Empty means DEFAULT_AUDIENCE_MIN_SHARE, said in the help text and in the message."""
    message = _interpolate(
        _(
            "%(label)s must be a whole percent from 1 to 100, for example 30 for at least 30%% of the "
            "audience. Leave it empty for the default of %(default)s%%."
        ),
        {"label": label, "default": DEFAULT_AUDIENCE_MIN_SHARE},
    )
    return _MinShareField(
        label=label,
        required=False,
        widget=forms.NumberInput(
            attrs={"placeholder": str(DEFAULT_AUDIENCE_MIN_SHARE), "min": 1, "max": 100}
        ),
        help_text=_interpolate(
            _(
                "Only accounts where at least this percent of the audience is %(what)s. Default: %(default)s%%."
            ),
            {"what": what, "default": DEFAULT_AUDIENCE_MIN_SHARE},
        ),
        error_messages={"invalid": message},
    )


def _country_choices():
    return [("", _("Any country")), *((code, name) for code, name in countries)]


class DiscoveryForm(forms.Form):
    """The search filters (GET). Every field is optional; an empty form lists everyone."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    niche = forms.ModelChoiceField(
        label=_("Niche"), queryset=Niche.objects.all(), required=False, empty_label=_("Any niche")
    )
    cause = forms.ModelChoiceField(
        label=_("Cause"), queryset=Cause.objects.all(), required=False, empty_label=_("Any cause")
    )
    platform = forms.ChoiceField(
        label=_("Platform"), required=False, choices=[("", _("Any platform")), *Platform.choices]
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("Any tier")), *Tier.choices])
    min_followers = forms.IntegerField(label=_("Followers from"), required=False, min_value=0)
    max_followers = forms.IntegerField(label=_("Followers up to"), required=False, min_value=0)
    min_engagement = forms.DecimalField(
        label=_("Minimum engagement rate (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
    )
    audience_country = forms.ChoiceField(
        label=_("Audience country"), required=False, choices=_country_choices
    )
    audience_country_min_share = _min_share_field(
        _("Minimum audience share in that country (%)"), _("in the chosen country")
    )
    audience_language = forms.ChoiceField(
        label=_("Audience language"), required=False, choices=[("", _("Any language")), *LANGUAGES]
    )
    audience_language_min_share = _min_share_field(
        _("Minimum audience share speaking that language (%)"), _("speaking the chosen language")
    )
    country = forms.ChoiceField(label=_("Creator's country"), required=False, choices=_country_choices)
    city = forms.CharField(label=_("City"), required=False, max_length=80)
    fee_min = forms.DecimalField(
        label=_("Rate from"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    fee_max = forms.DecimalField(
        label=_("Rate up to"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    fee_currency = forms.ChoiceField(
        label=_("Rate currency"), required=False, choices=settings.CURRENCIES, initial="IDR"
    )
    min_rating = forms.ChoiceField(label=_("Rating"), required=False, choices=RATING_CHOICES)
    metrics_verified = forms.BooleanField(
        label=_("Verified accounts only"),
        required=False,
        help_text=_(
            "Accounts connected to Kolabo: their numbers come from Instagram or TikTok, not typed in."
        ),
    )
    verified = forms.BooleanField(label=_("Accounts checked by Kolabo staff only"), required=False)
    pro_bono = forms.BooleanField(label=_("Open to pro-bono work"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, briefs=None, **kwargs):
        """`briefs`: the viewer's organizations' briefs (web page); with them, a brief can be
        chosen to show each creator's match score with it. The view has already answered 404
        for a brief of another organization."""
        super().__init__(*args, **kwargs)
        if briefs is not None:
            self.fields["brief"] = forms.ModelChoiceField(
                label=_("Score against a brief"),
                queryset=briefs,
                required=False,
                empty_label=_("No brief"),
                help_text=_("Shows each creator's match score with the brief and the reasons behind it."),
                error_messages={
                    "invalid_choice": _(
                        "Choose one of your organization's briefs that is not cancelled or completed, or "
                        "“No brief”."
                    )
                },
            )

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def clean_min_rating(self):
        value = self.cleaned_data["min_rating"]
        return float(value) if value else None

    def clean(self):
        data = super().clean()
        low, high = data.get("min_followers"), data.get("max_followers")
        if low is not None and high is not None and low > high:
            self.add_error("max_followers", _("The upper follower count must not be below the lower one."))
        low, high = data.get("fee_min"), data.get("fee_max")
        if low is not None and high is not None and low > high:
            self.add_error("fee_max", _("The upper rate must not be below the lower one."))
        if (low is not None or high is not None) and not data.get("fee_currency"):
            self.add_error("fee_currency", _("Choose the currency of the rate range."))
        if data.get("audience_country_min_share") is not None and not data.get("audience_country"):
            self.add_error(
                "audience_country_min_share",
                _("A minimum audience share needs an audience country: choose one, or clear the share."),
            )
        if data.get("audience_language_min_share") is not None and not data.get("audience_language"):
            self.add_error(
                "audience_language_min_share",
                _("A minimum audience share needs an audience language: choose one, or clear the share."),
            )
        return data


class ShortlistCreateForm(DomainErrorFormMixin, forms.Form):
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("Name"), max_length=Shortlist._meta.get_field("name").max_length)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].pk


class ShortlistInviteForm(DomainErrorFormMixin, forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        error_messages={"invalid_choice": _("Choose one of your published campaigns.")},
    )
    creators = forms.MultipleChoiceField(
        label=_("Creators to invite"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one creator.")},
    )
    offered_fee = forms.DecimalField(
        label=_("Offered fee"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("In the campaign's currency. Leave empty to offer the brief's fee."),
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=Invitation._meta.get_field("message").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, shortlist: Shortlist, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.filter(
            organization_id=shortlist.organization_id, status=Campaign.Status.PUBLISHED
        ).order_by("title", "pk")
        entries = list(shortlist.entries.all())
        self.fields["creators"].choices = [(str(e.creator_id), e.creator.display_name) for e in entries]
        self.fields["creators"].initial = [str(e.creator_id) for e in entries]
        self.creators_by_id = {str(e.creator_id): e.creator for e in entries}

    def clean_creators(self):
        return [self.creators_by_id[pk] for pk in self.cleaned_data["creators"]]
