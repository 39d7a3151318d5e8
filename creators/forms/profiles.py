"""Web forms: they check the shape of the input; the services check the rules and write."""

import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from creators.models import Cause, DeliverableFormat, Niche, Platform
from creators.services.social_accounts import METRIC_FIELDS, self_reported_of, verified_on
from creators.taxonomy import LANGUAGES
from marketplace.forms import DomainErrorFormMixin

AUDIENCE_LINE_RE = re.compile(r"^\s*([A-Za-z]{2})\s*[:=\s]\s*(\d+(?:[.,]\d+)?)\s*%?\s*$")


def _country_choices():
    return [("", _("Choose a country")), *countries]


class CreatorProfileForm(DomainErrorFormMixin, forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("The name brands and NGOs see, for example your creator name."),
    )
    bio = forms.CharField(
        label=_("Bio"),
        max_length=1500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you create, for whom, and what you care about. Up to 1,500 characters."),
    )
    country = forms.ChoiceField(label=_("Country"), choices=_country_choices)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages you create content in"),
        choices=LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one language you create content in."),
            "invalid_choice": _(
                "“%(value)s” is not a language we know. Choose your languages from the list."
            ),
        },
    )
    niches = forms.ModelMultipleChoiceField(
        label=_("Niches"),
        queryset=Niche.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose 1 to 5 topics you post about most."),
        error_messages={
            "required": _("Choose at least one niche so brands can find you."),
            "invalid_choice": _("Niche “%(value)s” is unknown. Choose your niches from the list."),
            "invalid_pk_value": _("Niche “%(pk)s” is unknown. Choose your niches from the list."),
        },
    )
    causes = forms.ModelMultipleChoiceField(
        label=_("Causes you support"),
        queryset=Cause.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("NGOs look for creators who care about their cause. Optional."),
        error_messages={
            "invalid_choice": _("Cause “%(value)s” is unknown. Choose causes from the list."),
            "invalid_pk_value": _("Cause “%(pk)s” is unknown. Choose causes from the list."),
        },
    )
    open_to_pro_bono = forms.BooleanField(
        label=_("Open to pro-bono work for causes"),
        required=False,
        help_text=_(
            "NGOs can invite you to volunteer campaigns, which pay no fee, and you can apply to them. "
            "Volunteer campaigns are recommended and open only to creators who tick this. Paid and "
            "stipend campaigns are open to you either way."
        ),
    )
    currency = forms.ChoiceField(
        label=_("Currency for your rates"),
        choices=settings.CURRENCIES,
        initial="IDR",
        help_text=_("New and updated rate card prices use this currency."),
    )

    @classmethod
    def initial_from(cls, profile) -> dict:
        return {
            "display_name": profile.display_name,
            "bio": profile.bio,
            "country": profile.country.code,
            "city": profile.city,
            "languages": profile.languages,
            "niches": list(profile.niches.all()),
            "causes": list(profile.causes.all()),
            "open_to_pro_bono": profile.open_to_pro_bono,
            "currency": profile.currency,
        }


class AudienceField(forms.CharField):
    """A textarea of "CODE percentage" lines, e.g. "ID 62.5", turned into [{"code", "pct"}].

    The service checks the codes and the total; this only reads the lines.
    """

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, *, uppercase: bool, **kwargs):
        self.uppercase = uppercase
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{entry['code']} {entry['pct']:g}" for entry in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        entries = []
        for line in re.split(r"[\n;]+", text):
            if not line.strip():
                continue
            match = AUDIENCE_LINE_RE.match(line)
            if not match:
                raise forms.ValidationError(
                    _("“%(line)s” is not a code and a percentage. Write one per line, like “%(example)s”."),
                    code="invalid",
                    params={"line": line.strip(), "example": "ID 62.5" if self.uppercase else "id 80"},
                )
            code, pct = match.groups()
            code = code.upper() if self.uppercase else code.lower()
            entries.append({"code": code, "pct": Decimal(pct.replace(",", "."))})
        return entries


def _count_field(label, *, required=False, help_text=""):
    return forms.IntegerField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
        error_messages={"invalid": _("Enter a whole number without dots or commas, for example 5200.")},
    )


class SocialAccountForm(DomainErrorFormMixin, forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    handle = forms.CharField(
        label=_("Handle"),
        max_length=200,
        help_text=_("Your username without the @, for example ayu.cooks. A profile link works too."),
    )
    followers = _count_field(_("Followers"), required=True)
    following = _count_field(_("Following"))
    posts = _count_field(_("Posts"))
    avg_likes = _count_field(
        _("Average likes per post"), required=True, help_text=_("From your insights, over your recent posts.")
    )
    avg_comments = _count_field(_("Average comments per post"), required=True)
    avg_views = _count_field(
        _("Average views per post"), help_text=_("For videos and reels. Leave empty if you do not know.")
    )
    audience_countries = AudienceField(
        label=_("Audience countries"),
        uppercase=True,
        help_text=_(
            "One per line: a two-letter country code and the percentage of your audience, "
            "for example “ID 62.5”. Optional; the total can be at most 100."
        ),
    )
    audience_languages = AudienceField(
        label=_("Audience languages"),
        uppercase=False,
        help_text=_(
            "One per line: a language code and a percentage, for example “id 80” or “en 15”. "
            "Codes: id, en, jv, su, ms, zh, ar, ja, ko, hi, th, vi, tl, es, fr, de, pt. Optional."
        ),
    )
    metrics_date = forms.DateField(
        label=_("Date of these numbers"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day you read them in your insights."),
    )

    def __init__(self, *args, account=None, **kwargs):
        """`account`: the account being edited; initial_from(account) carries it too, so the view
        needs nothing more for a verified account's read-only numbers."""
        super().__init__(*args, **kwargs)
        self.fields["metrics_date"].initial = timezone.localdate
        self.account = account if account is not None else self.initial.get("account")
        if self.account is not None and self.account.is_metrics_verified:
            self._show_verified(self.account)

    @classmethod
    def initial_from(cls, account) -> dict:
        """The account's values; for a verified account, what the creator typed (verified numbers
        are shown read-only beside each field, see _show_verified)."""
        initial = {field: getattr(account, field) for field in cls.base_fields}
        if account.is_metrics_verified:
            initial["audience_countries"] = initial["audience_languages"] = []
            initial.update(
                (field, value)
                for field, value in self_reported_of(account).items()
                if field in cls.base_fields
            )
        initial["account"] = account
        return initial

    def _show_verified(self, account) -> None:
        """Platform and handle come from the platform; every number field is labelled self-reported,
        with the verified number it never overrides in its help text."""
        read_on = formats.date_format(verified_on(account), "DATE_FORMAT")
        for name in ("platform", "handle"):
            self.fields[name].disabled = True
            self.fields[name].help_text = _("Comes from your connected account.")
        for name in METRIC_FIELDS:
            field = self.fields[name]
            field.label = _("%(label)s (self-reported)") % {"label": field.label}
            if name == "metrics_date":
                field.help_text = _(
                    "The day you read your own numbers. The verified numbers were read from "
                    "%(platform)s on %(date)s."
                ) % {"platform": account.get_platform_display(), "date": read_on}
                continue
            field.help_text = _(
                "Verified on %(date)s: %(value)s. Kolabo uses the verified number; what you type here "
                "is kept and shown as self-reported."
            ) % {"date": read_on, "value": _verified_text(getattr(account, name))}

    def service_data(self) -> dict:
        # An empty optional count stays None (unknown), never 0.
        return dict(self.cleaned_data)


def _verified_text(value) -> str:
    if isinstance(value, list):
        if not value:
            return str(_("not given by the platform"))
        return ", ".join(
            f"{entry.get('code')} {formats.number_format(entry.get('pct', 0))}%" for entry in value
        )
    return formats.number_format(value, force_grouping=True)


class RateCardItemForm(DomainErrorFormMixin, forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    format = forms.ChoiceField(label=_("Format"), choices=DeliverableFormat.choices)
    price = forms.DecimalField(
        label=_("Price"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"min": 0, "step": "any", "inputmode": "decimal"}),
        help_text=_("Numbers only, without dots for thousands, for example 1500000."),
        error_messages={"invalid": _("Enter the price as a number, for example 1500000 or 150.50.")},
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=300,
        required=False,
        help_text=_("Optional, for example what is included or how many revision rounds."),
    )

    def __init__(self, *args, locked: bool = False, **kwargs):
        """`locked`: editing an existing price, so platform and format stay as they are."""
        super().__init__(*args, **kwargs)
        if locked:
            self.fields["platform"].disabled = True
            self.fields["format"].disabled = True
