"""The filters creators browse published briefs with."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from campaigns.forms.fields import DATE_WIDGET, _money_field
from campaigns.models import Campaign
from creators.models import Niche, Platform
from creators.taxonomy import LANGUAGES

DEADLINE_CHOICES = [
    ("", _("Any time")),
    ("3", _("Closing within 3 days")),
    ("7", _("Closing within a week")),
    ("14", _("Closing within 2 weeks")),
    ("30", _("Closing within a month")),
]
SORT_CHOICES = [
    ("newest", _("Newest first")),
    ("deadline", _("Deadline soonest")),
    ("fee", _("Highest fee")),
]


class BriefFilterForm(forms.Form):
    """Browse filters; every field is optional and an invalid one is ignored (and flagged)."""

    q = forms.CharField(label=_("Search titles"), max_length=100, required=False)
    niche = forms.ModelChoiceField(
        label=_("Niche"),
        queryset=Niche.objects.all(),
        required=False,
        empty_label=_("Any niche"),
        to_field_name="slug",
    )
    platform = forms.ChoiceField(
        label=_("Platform"), choices=[("", _("Any platform")), *Platform.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any kind")), *Campaign.Kind.choices], required=False
    )
    country = forms.ChoiceField(
        label=_("Country"), choices=lambda: [("", _("Any country")), *countries], required=False
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Any language")), *LANGUAGES], required=False
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[("", _("Any currency")), *settings.CURRENCIES], required=False
    )
    fee_min = _money_field(_("Fee at least"), help_text=_("In the brief's currency."))
    fee_max = _money_field(_("Fee at most"))
    deadline_within = forms.ChoiceField(label=_("Deadline"), choices=DEADLINE_CHOICES, required=False)
    deadline_before = forms.DateField(label=_("Deadline on or before"), required=False, widget=DATE_WIDGET)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def filters(self) -> dict[str, Any]:
        """The valid filters only; call after is_valid()."""
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
