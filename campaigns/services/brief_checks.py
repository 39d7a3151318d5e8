"""What a brief is made of and the checks it must pass: its fields, consistency and completeness."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from brands.models import Organization
from campaigns.models import (
    Campaign,
    DeliverableSpec,
)
from creators.models import DeliverableFormat, Platform
from creators.taxonomy import LANGUAGE_NAMES
from marketplace.errors import ValidationFailed
from platforms.models import CONNECTABLE

S = Campaign.Status

# Plain fields a brief is made of (many-to-many niches/causes and the deliverable specs come apart).
BRIEF_FIELDS = (
    "title",
    "kind",
    "compensation",
    "objective",
    "description",
    "platforms",
    "min_followers",
    "max_followers",
    "min_engagement_rate",
    "target_countries",
    "target_languages",
    "fee_min",
    "fee_max",
    "currency",
    "slots",
    "application_deadline",
    "content_due_date",
    "usage_rights",
    "dos",
    "donts",
    "required_hashtags",
    "disclosure_required",
    "disclosure_tags",
    "requires_verified_accounts",
    "review_rounds",
    "nano_share",
)
# Once creators can apply, only what does not change the deal may change.
PUBLISHED_EDITABLE = (
    "description",
    "dos",
    "donts",
    "required_hashtags",
    "disclosure_tags",
    "application_deadline",
    "content_due_date",
    "slots",
    "nano_share",
)
TITLE_MAX = Campaign._meta.get_field("title").max_length
CURRENCY_CODES = {code for code, _label in settings.CURRENCIES}


class BriefInvalid(ValidationFailed):
    """Every problem with a brief at once, as (field, message) pairs; `field` is None for the brief."""

    def __init__(self, errors: list[tuple[str | None, str]], message=None):
        self.errors = list(errors)
        if message is None:
            message = (
                self.errors[0][1]
                if len(self.errors) == 1
                else ngettext(
                    "The brief has %(count)s problem.", "The brief has %(count)s problems.", len(self.errors)
                )
                % {"count": len(self.errors)}
            )
        super().__init__(message, field=self.errors[0][0] if len(self.errors) == 1 else None)


# Checking a brief


def _spec_values(deliverables: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "platform": row.get("platform") or "",
            "format": row.get("format") or "",
            "quantity": row.get("quantity") if row.get("quantity") is not None else 1,
            "notes": (row.get("notes") or "").strip(),
        }
        for row in deliverables
    ]


def _consistency_problems(
    *, organization: Organization, values: dict[str, Any], deliverables: list[dict[str, Any]]
) -> list[tuple[str | None, str]]:
    """What must hold for any saved brief, draft or not."""
    problems: list[tuple[str | None, str]] = []
    is_ngo = organization.is_ngo
    if not (values.get("title") or "").strip():
        problems.append(("title", _("Give the campaign a title.")))
    if values["kind"] not in Campaign.Kind.values:
        problems.append(("kind", _("Choose whether the campaign is commercial or for a social cause.")))
    elif values["kind"] == Campaign.Kind.CAUSE and not is_ngo:
        problems.append(
            (
                "kind",
                _(
                    "Only NGOs can run social-cause campaigns; a brand's campaign is commercial. To "
                    "support a cause, sponsor an NGO's campaign."
                ),
            )
        )
    if values["compensation"] not in Campaign.Compensation.values:
        problems.append(("compensation", _("Choose how creators are compensated.")))
    elif values["compensation"] == Campaign.Compensation.VOLUNTEER and not is_ngo:
        problems.append(("compensation", _("Only NGOs can ask creators to volunteer.")))
    elif values["kind"] == Campaign.Kind.COMMERCIAL and values["compensation"] != Campaign.Compensation.PAID:
        problems.append(("compensation", _("Creators on a commercial campaign must be paid.")))
    if values["objective"] and values["objective"] not in Campaign.Objective.values:
        problems.append(("objective", _("Choose an objective from the list.")))
    if values["usage_rights"] not in Campaign.UsageRights.values:
        problems.append(("usage_rights", _("Choose a usage-rights preset.")))
    elif values["usage_rights"] == Campaign.UsageRights.NGO_NONCOMMERCIAL and not is_ngo:
        problems.append(("usage_rights", _("The NGO non-commercial preset is only for NGOs.")))
    if values["currency"] not in CURRENCY_CODES:
        problems.append(("currency", _("Choose IDR or USD.")))

    unknown_platforms = [p for p in values["platforms"] if p not in Platform.values]
    if unknown_platforms:
        problems.append(("platforms", _("Choose platforms from the list.")))
    platforms = set(values["platforms"])
    if values["requires_verified_accounts"] and platforms and not platforms & set(CONNECTABLE):
        problems.append(
            (
                "requires_verified_accounts",
                _(
                    "Only Instagram and TikTok accounts can be connected to Kolabo. Add one of them to "
                    "the platforms, or accept self-reported numbers."
                ),
            )
        )
    if [c for c in values["target_countries"] if c not in countries]:
        problems.append(("target_countries", _("Choose target countries from the list.")))
    if [c for c in values["target_languages"] if c not in LANGUAGE_NAMES]:
        problems.append(("target_languages", _("Choose target languages from the list.")))

    low, high = values["min_followers"], values["max_followers"]
    if low is not None and high is not None and low > high:
        problems.append(("max_followers", _("The maximum number of followers is lower than the minimum.")))
    rate = values["min_engagement_rate"]
    if rate is not None and not (Decimal("0") <= rate <= Decimal("100")):
        problems.append(("min_engagement_rate", _("An engagement rate is between 0 and 100%.")))

    fee_min, fee_max = values["fee_min"], values["fee_max"]
    if (fee_min is not None and fee_min < 0) or (fee_max is not None and fee_max < 0):
        problems.append(("fee_min", _("A fee cannot be negative.")))
    elif fee_min is not None and fee_max is not None and fee_min > fee_max:
        problems.append(("fee_max", _("The minimum fee is higher than the maximum fee.")))
    if values["compensation"] == Campaign.Compensation.VOLUNTEER and any(
        fee for fee in (fee_min, fee_max) if fee is not None
    ):
        problems.append(
            ("fee_min", _("A volunteer campaign has no fee. Remove the fee or choose paid or stipend."))
        )

    if values["slots"] is None or values["slots"] < 1:
        problems.append(("slots", _("A campaign needs at least one creator slot.")))
    rounds = values["review_rounds"]
    if rounds is None or not 0 <= rounds <= 10:
        problems.append(("review_rounds", _("Revision rounds are between 0 and 10.")))
    share = values["nano_share"]
    if share is None or not 0 <= share <= 50:
        problems.append(("nano_share", _("The share kept for nano creators is between 0 and 50%.")))

    deadline, due = values["application_deadline"], values["content_due_date"]
    if deadline and due and due < deadline:
        problems.append(("content_due_date", _("Content is due before the application deadline.")))

    for number, spec in enumerate(deliverables, start=1):
        quantity = spec["quantity"]
        if spec["platform"] not in Platform.values or spec["format"] not in DeliverableFormat.values:
            problems.append(
                (
                    "deliverables",
                    _("Deliverable %(number)s needs a platform and a format.") % {"number": number},
                )
            )
        if not isinstance(quantity, int) or not 1 <= quantity <= 20:
            problems.append(
                (
                    "deliverables",
                    _("Deliverable %(number)s: the quantity is between 1 and 20.") % {"number": number},
                )
            )
        if len(spec["notes"]) > 300:
            problems.append(
                (
                    "deliverables",
                    _("Deliverable %(number)s: notes are at most 300 characters.") % {"number": number},
                )
            )
    return problems


def _completeness_problems(
    *,
    values: dict[str, Any],
    deliverables: list[dict[str, Any]],
    causes: list,
    today: datetime.date,
) -> list[tuple[str | None, str]]:
    """What a creator needs to know before applying; checked when publishing."""
    problems: list[tuple[str | None, str]] = []
    if not values["objective"]:
        problems.append(("objective", _("Choose the campaign's objective.")))
    if not (values["description"] or "").strip():
        problems.append(("description", _("Describe the campaign: what you want creators to make, and why.")))
    if not values["platforms"]:
        problems.append(("platforms", _("Choose at least one platform.")))
    if not deliverables:
        problems.append(("deliverables", _("Add at least one deliverable, for example 1 Instagram reel.")))
    elif values["platforms"]:
        for number, spec in enumerate(deliverables, start=1):
            if spec["platform"] in Platform.values and spec["platform"] not in values["platforms"]:
                problems.append(
                    (
                        "deliverables",
                        _(
                            "Deliverable %(number)s is on %(platform)s, which is not one of the brief's platforms."
                        )
                        % {"number": number, "platform": Platform(spec["platform"]).label},
                    )
                )
    if values["kind"] == Campaign.Kind.CAUSE and not causes:
        problems.append(("causes", _("Choose the cause this campaign supports.")))

    deadline, due = values["application_deadline"], values["content_due_date"]
    if deadline is None:
        problems.append(("application_deadline", _("Set an application deadline.")))
    elif deadline < today:
        problems.append(("application_deadline", _("The application deadline is in the past.")))
    if due is None:
        problems.append(("content_due_date", _("Set a content due date.")))
    elif due < today:
        problems.append(("content_due_date", _("The content due date is in the past.")))

    if values["compensation"] != Campaign.Compensation.VOLUNTEER:
        fee_min, fee_max = values["fee_min"], values["fee_max"]
        if fee_min is None or fee_max is None or fee_max <= 0:
            problems.append(
                (
                    "fee_min",
                    _("Set the fee per creator: a paid or stipend campaign needs a fixed fee or a range."),
                )
            )
    return problems


def _values_of(campaign: Campaign) -> dict[str, Any]:
    return {name: getattr(campaign, name) for name in BRIEF_FIELDS}


def _specs_of(campaign: Campaign) -> list[dict[str, Any]]:
    return [
        {"platform": s.platform, "format": s.format, "quantity": s.quantity, "notes": s.notes}
        for s in campaign.deliverables.all()
    ]


def campaign_publish_problems(
    *, campaign: Campaign, today: datetime.date | None = None
) -> list[tuple[str | None, str]]:
    """Every reason the brief cannot be published yet, as (field, message); empty when it can."""
    values = _values_of(campaign)
    specs = _specs_of(campaign)
    return _consistency_problems(
        organization=campaign.organization, values=values, deliverables=specs
    ) + _completeness_problems(
        values=values,
        deliverables=specs,
        causes=list(campaign.causes.all()),
        today=today or timezone.localdate(),
    )


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(BRIEF_FIELDS)
    if unknown:
        raise TypeError(f"Unknown campaign fields: {', '.join(sorted(unknown))}")
    values = dict(fields)
    for name in ("title", "description", "dos", "donts", "required_hashtags", "disclosure_tags"):
        if name in values:
            values[name] = (values[name] or "").strip()
    for name in ("platforms", "target_countries", "target_languages"):
        if name in values:
            # Keep the chosen order, drop repeats.
            values[name] = list(dict.fromkeys(values[name] or []))
    if "objective" in values:
        values["objective"] = values["objective"] or ""
    return values


def _write_specs(campaign: Campaign, specs: list[dict[str, Any]]) -> None:
    campaign.deliverables.all().delete()
    DeliverableSpec.objects.bulk_create(
        DeliverableSpec(campaign=campaign, position=position, **spec) for position, spec in enumerate(specs)
    )


def _defaults_for(organization: Organization) -> dict[str, Any]:
    defaults = {name: Campaign._meta.get_field(name).get_default() for name in BRIEF_FIELDS}
    defaults["kind"] = Campaign.Kind.CAUSE if organization.is_ngo else Campaign.Kind.COMMERCIAL
    defaults["currency"] = organization.default_currency
    if organization.is_ngo:
        defaults["usage_rights"] = Campaign.UsageRights.NGO_NONCOMMERCIAL
    return defaults
