"""Forms of the tracking pages: settings (with goals and commission), CSV upload, list filters."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from tracking.conversion_import import MAX_FILE_BYTES
from tracking.models import ConversionGoal, TrackingSettings

Kind = ConversionGoal.Kind


class TrackingSettingsForm(forms.Form):
    target_url = forms.URLField(
        label=_("Destination link"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        help_text=_("Where every creator's short link sends people, e.g. your sign-up or shop page."),
    )
    utm_source = forms.CharField(label="utm_source", max_length=100, required=False)
    utm_medium = forms.CharField(label="utm_medium", max_length=100, required=False)
    utm_campaign = forms.CharField(
        label="utm_campaign",
        max_length=100,
        required=False,
        help_text=_("Added to the destination link so your own analytics see the campaign."),
    )
    attribution_window_days = forms.IntegerField(
        label=_("Attribution window (days)"),
        min_value=1,
        max_value=90,
        initial=30,
        help_text=_(
            "A conversion counts for a creator when it happens at most this many days after a click "
            "on their link (1 to 90)."
        ),
    )
    commission_kind = forms.ChoiceField(
        label=_("Commission"),
        choices=TrackingSettings.CommissionKind.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Paid to the creator for each conversion attributed to them, on top of the fee. A "
            "percentage needs a goal with an amount (donation or sale); other goals then earn nothing."
        ),
    )
    commission_amount = forms.DecimalField(
        label=_("Fixed amount per conversion"),
        max_digits=16,
        decimal_places=2,
        required=False,
        min_value=Decimal("0.01"),
    )
    commission_percent = forms.DecimalField(
        label=_("Percentage of the sale or donation"),
        max_digits=5,
        decimal_places=2,
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["commission_amount"].help_text = _("In %(currency)s, the campaign's currency.") % {
            "currency": campaign.currency
        }
        for kind, label in Kind.choices:
            self.fields[f"goal_{kind}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"label_{kind}"] = forms.CharField(
                label=_("Label for %(goal)s") % {"goal": label},
                max_length=80,
                required=False,
            )

    def goal_rows(self):
        return [
            {
                "kind": kind,
                "checkbox": self[f"goal_{kind}"],
                "label": self[f"label_{kind}"],
                "has_amount": kind in ConversionGoal.WITH_AMOUNT,
            }
            for kind in Kind.values
        ]

    def goals(self) -> dict[str, str]:
        return {
            kind: self.cleaned_data.get(f"label_{kind}", "")
            for kind in Kind.values
            if self.cleaned_data.get(f"goal_{kind}")
        }

    def clean(self):
        data = super().clean()
        kind = data.get("commission_kind") or ""
        if kind == TrackingSettings.CommissionKind.FIXED and not data.get("commission_amount"):
            self.add_error("commission_amount", _("Enter the fixed commission per conversion, more than 0."))
        if kind == TrackingSettings.CommissionKind.PERCENT:
            if not data.get("commission_percent"):
                self.add_error(
                    "commission_percent", _("Enter the commission percentage, between 0.01 and 100.")
                )
            if not set(self.goals()) & set(ConversionGoal.WITH_AMOUNT):
                self.add_error(
                    "commission_kind",
                    _(
                        "A percentage commission needs a goal with an amount: tick Donation or Sale, "
                        "or pay a fixed amount per conversion instead."
                    ),
                )
        return data

    def settings_fields(self) -> dict:
        names = ("target_url", "utm_source", "utm_medium", "utm_campaign", "attribution_window_days")
        fields = {name: self.cleaned_data[name] for name in names}
        kind = self.cleaned_data.get("commission_kind") or ""
        fields["commission_kind"] = kind
        fields["commission_amount"] = self.cleaned_data.get("commission_amount") if kind == "fixed" else None
        fields["commission_percent"] = (
            self.cleaned_data.get("commission_percent") if kind == "percent" else None
        )
        return fields


def settings_initial(settings: TrackingSettings, goals) -> dict:
    initial = {
        "target_url": settings.target_url,
        "utm_source": settings.utm_source,
        "utm_medium": settings.utm_medium,
        "utm_campaign": settings.utm_campaign,
        "attribution_window_days": settings.attribution_window_days,
        "commission_kind": settings.commission_kind,
        "commission_amount": settings.commission_amount,
        "commission_percent": settings.commission_percent,
    }
    for goal in goals:
        initial[f"goal_{goal.kind}"] = True
        initial[f"label_{goal.kind}"] = goal.label
    return initial


class ConversionImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 CSV, at most 5 MB and 20,000 rows."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 5 MB. Split it into smaller files and upload each one.")
            )
        return upload


class ConversionFilterForm(forms.Form):
    ATTRIBUTED_CHOICES = [("", _("All")), ("yes", _("Attributed to a creator")), ("no", _("Not attributed"))]

    goal = forms.ChoiceField(label=_("Goal"), required=False)
    attributed = forms.ChoiceField(label=_("Creator"), choices=ATTRIBUTED_CHOICES, required=False)

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = [("", _("All goals"))] + [(goal.kind, str(goal)) for goal in goals]
