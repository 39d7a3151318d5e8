"""Forms for the staff payout review: reject reason, hold note, the queue filter and bulk approval."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from payments.models import Payout
from payments.selectors import QUEUE_ALL, QUEUE_REVIEW

NOTE_MAX = Payout._meta.get_field("review_note").max_length
# Bulk approval runs one transaction per payout; a page holds 50.
BULK_MAX = 100


def queue_filter_choices() -> list[tuple[str, str]]:
    return [
        (QUEUE_REVIEW, _("To review (waiting and on hold)")),
        *Payout.Status.choices,
        (QUEUE_ALL, _("All payouts")),
    ]


class PayoutQueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Show"), choices=queue_filter_choices, required=False)

    def status_choice(self) -> str:
        if self.is_valid() and self.cleaned_data["status"]:
            return self.cleaned_data["status"]
        return QUEUE_REVIEW


class PayoutRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The creator reads this."),
        error_messages={"required": _("Say why the payout is rejected; the creator will read it.")},
    )


class PayoutHoldForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For staff: what the payout is waiting for."),
    )


class PayoutCloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is closed"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The creator reads this. The fee goes back to the campaign."),
        error_messages={"required": _("Say why the payout is closed; the creator will read it.")},
    )


class PayoutIdsField(forms.Field):
    """The ids of the ticked checkboxes (name="payouts", one value each)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one payout."),
        "invalid": _("The selection is not valid; reload the page and try again."),
    }

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        try:
            ids = sorted({int(item) for item in value})
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if any(pk <= 0 for pk in ids):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return ids

    def validate(self, value) -> None:
        super().validate(value)
        if len(value) > BULK_MAX:
            raise ValidationError(
                ngettext(
                    "Select at most %(max)s payout at a time.",
                    "Select at most %(max)s payouts at a time.",
                    BULK_MAX,
                )
                % {"max": BULK_MAX},
                code="too_many",
            )


class PayoutBulkApproveForm(forms.Form):
    payouts = PayoutIdsField(label=_("Payouts"))
    # Where the queue was, to go back to the same filter.
    status = forms.ChoiceField(choices=queue_filter_choices, required=False, widget=forms.HiddenInput)
