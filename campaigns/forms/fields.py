"""Fields and cleaning shared by the brief form and the brief filters; the API cleans hashtags here too."""

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


HASHTAG_RE = re.compile(r"^#\w{1,100}$")


def hashtags_clean(text: str) -> str:
    """Hashtags separated by spaces or commas, each once: "#iklan, #ad #iklan" becomes "#iklan #ad"."""
    tags = [tag for tag in re.split(r"[\s,]+", text or "") if tag]
    for tag in tags:
        if not HASHTAG_RE.match(tag):
            raise forms.ValidationError(
                _(
                    "“%(tag)s” is not a hashtag. Write each one with # and letters, numbers or _, like #iklan."
                ),
                code="invalid",
                params={"tag": tag},
            )
    # Hashtags match whatever their case: keep the first spelling of each.
    kept: dict[str, str] = {}
    for tag in tags:
        kept.setdefault(tag.lower(), tag)
    return " ".join(kept.values())


def _money_field(label, help_text=""):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": 0, "step": "any", "inputmode": "decimal"}),
        error_messages={"invalid": _("Enter an amount without dots or commas, for example 1500000.")},
    )


def _count_field(label, help_text=""):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
        error_messages={"invalid": _("Enter a whole number without dots or commas, for example 5000.")},
    )
