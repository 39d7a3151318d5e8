"""Forms on a brief's recommended creators."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _


class InviteTopForm(forms.Form):
    """Invite the first N recommended creators in one action."""

    count = forms.IntegerField(
        label=_("How many of the top recommendations"),
        min_value=1,
        error_messages={"invalid": _("Enter a whole number, for example 10.")},
    )
    offered_fee = forms.DecimalField(
        label=_("Fee offered to each creator"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("Leave empty to offer the brief's own fee."),
    )
    message = forms.CharField(
        label=_("Message to the creators"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, available: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.available = available
        self.fields["count"].max_value = available
        self.fields["count"].validators.append(MaxValueValidator(available))
        self.fields["count"].widget.attrs.update({"min": 1, "max": available})


class MinimumScoreForm(forms.Form):
    """The brand's minimum match score for the brief's recommendations."""

    min_match_score = forms.IntegerField(
        label=_("Minimum match score"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("Recommend only creators who score at least this (0–100). Leave empty for no minimum."),
        error_messages={
            "invalid": _("Enter a whole number from 0 to 100, for example 60, or leave it empty."),
            "min_value": _("The minimum match score cannot be below 0."),
            "max_value": _("The minimum match score cannot be above 100."),
        },
    )
