"""The deliverable rows of a brief: one form per row, in a formset under the brief form."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from creators.models import DeliverableFormat, Platform


class DeliverableSpecForm(forms.Form):
    """One deliverable row. A row with neither platform nor format is empty and ignored."""

    platform = forms.ChoiceField(label=_("Platform"), choices=[("", "—"), *Platform.choices], required=False)
    format = forms.ChoiceField(
        label=_("Format"), choices=[("", "—"), *DeliverableFormat.choices], required=False
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=20,
        initial=1,
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 20, "step": 1}),
    )
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The rows sit in a table under column headings; each input still needs its own name.
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = field.label

    def clean(self):
        data = super().clean()
        platform, fmt = data.get("platform"), data.get("format")
        data["is_empty"] = not platform and not fmt
        if not data["is_empty"]:
            if not platform:
                self.add_error("platform", _("Choose a platform, or clear the row."))
            if not fmt:
                self.add_error("format", _("Choose a format, or clear the row."))
        return data


class BaseDeliverableFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Always a few empty rows to add deliverables without JavaScript.
        self.extra = max(2, 5 - len(self.initial or []))

    def deliverables(self) -> list[dict[str, Any]]:
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("is_empty"):
                continue
            rows.append(
                {
                    "platform": data["platform"],
                    "format": data["format"],
                    "quantity": data.get("quantity") or 1,
                    "notes": data.get("notes", ""),
                }
            )
        return rows

    def add_domain_error(self, message: str) -> None:
        errors = self.non_form_errors()
        if message not in errors:
            errors.append(message)


DeliverableFormSet = forms.formset_factory(
    DeliverableSpecForm, formset=BaseDeliverableFormSet, extra=5, max_num=20, validate_max=True
)


def deliverable_initial(campaign: Campaign) -> list[dict[str, Any]]:
    return [
        {"platform": s.platform, "format": s.format, "quantity": s.quantity, "notes": s.notes}
        for s in campaign.deliverables.all()
    ]
