"""Forms for applications and invitations: they check the shape of the input; services check the rules."""

import re
from dataclasses import dataclass
from urllib.parse import urlparse

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Application, Campaign, Invitation
from creators.models import CreatorProfile, SocialAccount
from creators.services import normalise_handle
from marketplace.forms import DomainErrorFormMixin
from marketplace.money import format_money

MAX_INVITE_LINES = 100
FEE_FIELD = {"max_digits": 14, "decimal_places": 2, "min_value": 0}
FEE_ERRORS = {"min_value": _("The fee cannot be negative.")}
CREATOR_PATH_RE = re.compile(r"^/creators/(?P<slug>[-\w]+)/?$")
VOLUNTEER_HINT = _("This is a volunteer brief: it pays no fee. Leave this empty.")


def fee_hint(campaign: Campaign) -> str:
    """The brief's fee in words, for help texts."""
    low, high = campaign.fee_min, campaign.fee_max
    if low is None and high is None:
        return str(_("This brief is unpaid."))
    if low is not None and high is not None and low != high:
        return str(_("The brief pays %(low)s–%(high)s.")) % {
            "low": format_money(low, campaign.currency),
            "high": format_money(high, campaign.currency),
        }
    return str(_("The brief pays %(fee)s.")) % {
        "fee": format_money(high if high is not None else low, campaign.currency)
    }


class ApplicationForm(DomainErrorFormMixin, forms.Form):
    pitch = forms.CharField(
        label=_("Your pitch"),
        max_length=Application._meta.get_field("pitch").max_length,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Why you and your audience fit this brief, and what you would make."),
    )
    proposed_fee = forms.DecimalField(
        label=_("Your fee"), required=False, error_messages=FEE_ERRORS, **FEE_FIELD
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["proposed_fee"]
        field.label = _("Your fee (%(currency)s)") % {"currency": campaign.currency}
        if campaign.is_paid:
            field.help_text = " ".join(
                [fee_hint(campaign), str(_("A fee outside it is sent as a counter-offer, marked as such."))]
            )
        else:
            field.help_text = VOLUNTEER_HINT
        if campaign.fee_max is not None or campaign.fee_min is not None:
            self.initial.setdefault(
                "proposed_fee", campaign.fee_max if campaign.fee_max is not None else campaign.fee_min
            )


class ApplicantFilterForm(forms.Form):
    SORTS = [
        ("newest", _("Newest first")),
        ("followers", _("Most followers")),
        ("engagement", _("Highest engagement")),
        ("fee", _("Lowest fee")),
    ]
    sort = forms.ChoiceField(label=_("Sort"), choices=SORTS, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *Application.Status.choices],
        required=False,
    )
    counter_offers = forms.BooleanField(label=_("Counter-offers only"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@dataclass
class CreatorLine:
    """One line of the invite list and the creator it names (None when unknown or ambiguous)."""

    text: str
    creator: CreatorProfile | None
    problem: str = ""


def _slug_from(text: str) -> str | None:
    path = urlparse(text).path if "://" in text else text
    match = CREATOR_PATH_RE.match(path)
    return match.group("slug") if match else None


def resolve_creator_lines(lines: list[str], *, platforms: list[str]) -> list[CreatorLine]:
    """Turn profile slugs, /creators/<slug>/ addresses and @handles into creator profiles (2 queries).

    A handle used by different creators on different platforms is resolved on the brief's
    platforms; if it is still ambiguous the line asks for the profile address instead.
    """
    parsed: list[tuple[str, str, str]] = []  # (line, "slug"|"handle", value)
    for text in lines:
        slug = _slug_from(text)
        if slug:
            parsed.append((text, "slug", slug.lower()))
        elif text.startswith("@") or "://" in text:
            parsed.append((text, "handle", normalise_handle(text)))
        else:
            # A bare word may be a profile slug or a handle; the slug wins.
            parsed.append((text, "either", text.lower()))

    slugs = {value for _t, kind, value in parsed if kind in ("slug", "either")}
    handles = {normalise_handle(value) for _t, kind, value in parsed if kind in ("handle", "either")}
    by_slug = {p.slug: p for p in CreatorProfile.objects.select_related("user").filter(slug__in=slugs)}
    by_handle: dict[str, list[SocialAccount]] = {}
    for account in SocialAccount.objects.select_related("profile__user").filter(handle__in=handles):
        by_handle.setdefault(account.handle, []).append(account)

    resolved = []
    for text, kind, value in parsed:
        if kind in ("slug", "either") and value in by_slug:
            resolved.append(CreatorLine(text, by_slug[value]))
            continue
        accounts = by_handle.get(normalise_handle(value), []) if kind != "slug" else []
        owners = {a.profile_id: a.profile for a in accounts}
        if len(owners) > 1 and platforms:
            owners = {a.profile_id: a.profile for a in accounts if a.platform in platforms}
        if len(owners) == 1:
            resolved.append(CreatorLine(text, next(iter(owners.values()))))
        elif len(owners) > 1:
            resolved.append(
                CreatorLine(
                    text,
                    None,
                    str(_("Several creators use this handle. Paste their Kolabo profile address.")),
                )
            )
        else:
            resolved.append(CreatorLine(text, None, str(_("No creator on Kolabo matches this."))))
    return resolved


class InviteForm(DomainErrorFormMixin, forms.Form):
    creators = forms.CharField(
        label=_("Creators"),
        error_messages={"required": _("Name at least one creator.")},
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "ayu-lestari\n@ayu.cooks\n/creators/budi-santoso/"}
        ),
    )
    offered_fee = forms.DecimalField(
        label=_("Offered fee"), required=False, error_messages=FEE_ERRORS, **FEE_FIELD
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=Invitation._meta.get_field("message").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why you thought of them. It is sent with the invitation."),
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["creators"].help_text = _(
            "One per line: a Kolabo profile address (/creators/<name>/), its last part, or a social handle (@handle). Up to %(limit)s."
        ) % {"limit": MAX_INVITE_LINES}
        field = self.fields["offered_fee"]
        field.label = _("Offered fee (%(currency)s)") % {"currency": campaign.currency}
        if campaign.is_paid:
            field.help_text = " ".join([fee_hint(campaign), str(_("Leave empty to offer the brief's fee."))])
        else:
            field.help_text = VOLUNTEER_HINT

    def clean_creators(self) -> list[CreatorLine]:
        lines = list(
            dict.fromkeys(line.strip() for line in self.cleaned_data["creators"].splitlines() if line.strip())
        )
        if not lines:
            raise forms.ValidationError(_("Name at least one creator."))
        if len(lines) > MAX_INVITE_LINES:
            raise forms.ValidationError(
                _("Invite at most %(limit)s creators at once; you listed %(count)s.")
                % {"limit": MAX_INVITE_LINES, "count": len(lines)}
            )
        return resolve_creator_lines(lines, platforms=self.campaign.platforms)


class CounterForm(DomainErrorFormMixin, forms.Form):
    fee = forms.DecimalField(label=_("Your fee"), error_messages=FEE_ERRORS, **FEE_FIELD)
    message = forms.CharField(
        label=_("Message (optional)"),
        max_length=Invitation._meta.get_field("counter_message").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fee"].label = _("Your fee (%(currency)s)") % {"currency": invitation.campaign.currency}
