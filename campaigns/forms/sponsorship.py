"""Forms for sponsorships: they check the shape of the input; campaigns.services.sponsorship checks the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Sponsorship
from marketplace.forms import DomainErrorFormMixin

AMOUNT_FIELD = {"max_digits": 14, "decimal_places": 2}
AMOUNT_ERRORS = {
    "invalid": _("Enter the amount as a number, for example 5000000."),
    "max_digits": _("Enter an amount of at most 12 digits before the decimal point."),
    "max_decimal_places": _("Enter the amount with at most 2 decimals."),
    "max_whole_digits": _("Enter an amount of at most 12 digits before the decimal point."),
}
MESSAGE_MAX = Sponsorship._meta.get_field("message").max_length


def _amount_field(campaign: Campaign, *, label, help_text="", required=True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label % {"currency": campaign.currency},
        help_text=help_text,
        required=required,
        error_messages={**AMOUNT_ERRORS, "required": _("Enter the amount.")},
        **AMOUNT_FIELD,
    )


class _AmountForm(DomainErrorFormMixin, forms.Form):
    """A form with an `amount` field (added per campaign in __init__), which must be above 0."""

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("Enter an amount above 0."))
        return amount


class _AmountMessageForm(_AmountForm):
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Keep the message under %(limit_value)d characters.")},
    )


class SponsorInviteForm(_AmountMessageForm):
    """The NGO invites a brand: found by its Kolabo address (slug) or its name."""

    field_order = ["sponsor", "amount", "message"]

    sponsor = forms.CharField(
        label=_("Brand"),
        max_length=120,
        help_text=_("The brand's name, or its Kolabo address (the part after /orgs/ in its page address)."),
        error_messages={"required": _("Enter the brand's name or its Kolabo address (slug).")},
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"] = _amount_field(
            campaign,
            label=_("Amount asked (%(currency)s)"),
            help_text=_("What you ask the brand to pay into this campaign's escrow for creators."),
        )
        self.order_fields(self.field_order)


class SponsorOfferForm(_AmountMessageForm):
    """A brand offers to sponsor: which of the user's brands, how much, and a note to the NGO."""

    field_order = ["sponsor", "amount", "message"]

    def __init__(self, *args, campaign: Campaign, brands, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sponsor"] = forms.TypedChoiceField(
            label=_("Sponsor as"),
            choices=[(org.pk, org.name) for org in brands],
            coerce=int,
            error_messages={"invalid_choice": _("Choose one of the brands you manage.")},
        )
        if len(brands) == 1:
            self.initial.setdefault("sponsor", brands[0].pk)
        self.fields["amount"] = _amount_field(
            campaign,
            label=_("Amount offered (%(currency)s)"),
            help_text=_(
                "What your brand pays into this campaign's escrow for creators once the NGO accepts; "
                "Kolabo's fee is added at checkout. What the campaign does not spend comes back to you."
            ),
        )
        self.order_fields(self.field_order)
        self.brands = {org.pk: org for org in brands}


class SponsorFundForm(_AmountForm):
    """The sponsor pays into the escrow: by default what is left of the accepted amount."""

    def __init__(self, *args, campaign: Campaign, left, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"] = _amount_field(
            campaign,
            label=_("Amount to pay now (%(currency)s)"),
            help_text=_("For the campaign's creators; Kolabo's fee is added at checkout."),
        )
        self.initial.setdefault("amount", left)
