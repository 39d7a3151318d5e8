"""Briefs: create, edit, publish, close, cancel and duplicate campaigns.

Lock order, as in every campaign-wide service: the campaign first, then its open applications and
invitations (pk order), then its live collaborations. An accept racing a close or a cancel waits for
the campaign lock, then finds the campaign no longer published.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from brands.models import Organization
from brands.permissions import require_org_manager
from campaigns import tasks
from campaigns.models import (
    Application,
    Campaign,
    Collaboration,
    DeliverableSpec,
    Dispute,
    Invitation,
)
from campaigns.notifications import notify_org
from campaigns.services.collaborations import queue_campaign_completion_check
from campaigns.services.common import transition
from creators.models import Cause, DeliverableFormat, Niche, Platform
from creators.taxonomy import LANGUAGE_NAMES
from marketplace.errors import InvalidTransition, ValidationFailed
from marketplace.models import User
from marketplace.queueing import enqueue_on_commit
from marketplace.services import audit_record, notify_user
from payments import services as payments
from webhooks import events as webhook_events

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
    "review_rounds",
    "nano_share",
)
# Once creators can apply, only what does not change the deal may change.
PUBLISHED_EDITABLE = (
    "description",
    "dos",
    "donts",
    "required_hashtags",
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
            ("kind", _("Only NGOs can run social-cause campaigns; a brand's campaign is commercial."))
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
    for name in ("title", "description", "dos", "donts", "required_hashtags"):
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


# Writing


def campaign_create(
    *,
    organization: Organization,
    by_user: User,
    deliverables: Iterable[dict[str, Any]] = (),
    niches: Iterable[Niche] = (),
    causes: Iterable[Cause] = (),
    **fields: Any,
) -> Campaign:
    """A new draft brief. Drafts may be incomplete (publishing checks that) but never inconsistent."""
    require_org_manager(organization=organization, user=by_user)
    values = _defaults_for(organization) | _normalise(fields)
    specs = _spec_values(deliverables)
    problems = _consistency_problems(organization=organization, values=values, deliverables=specs)
    if problems:
        raise BriefInvalid(problems)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            organization=organization, created_by=by_user, status=S.DRAFT, **values
        )
        campaign.niches.set(list(niches))
        campaign.causes.set(list(causes))
        _write_specs(campaign, specs)
        audit_record(actor=by_user, action="campaign.created", target=campaign, to_status=S.DRAFT)
    return campaign


def _ids(objects: Iterable[Model]) -> set[int]:
    return {obj.pk for obj in objects}


def campaign_update(
    *,
    campaign: Campaign,
    by_user: User,
    deliverables: Iterable[dict[str, Any]] | None = None,
    niches: Iterable[Niche] | None = None,
    causes: Iterable[Cause] | None = None,
    **fields: Any,
) -> Campaign:
    """Edit a brief. A draft is fully editable. A published brief keeps its deal (fee, currency,
    deliverables, audience, rights) because creators applied to it: only the description, do's and
    don'ts, hashtags, future deadlines and the number of slots may change. Nothing else can be edited.
    """
    require_org_manager(organization=campaign.organization_id, user=by_user)
    changes = _normalise(fields)
    specs = _spec_values(deliverables) if deliverables is not None else None
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("organization").get(pk=campaign.pk)
        if campaign.status not in (S.DRAFT, S.PUBLISHED):
            raise InvalidTransition(
                _("A %(status)s campaign can no longer be edited.")
                % {"status": campaign.get_status_display().lower()}
            )
        current = _values_of(campaign)
        current_specs = _specs_of(campaign)
        changed = {name for name, value in changes.items() if value != current[name]}
        niches = list(niches) if niches is not None else None
        causes = list(causes) if causes is not None else None
        if niches is not None and _ids(niches) != _ids(campaign.niches.all()):
            changed.add("niches")
        if causes is not None and _ids(causes) != _ids(campaign.causes.all()):
            changed.add("causes")
        if specs is not None and specs != current_specs:
            changed.add("deliverables")

        values = current | changes
        problems: list[tuple[str | None, str]] = []
        if campaign.status == S.PUBLISHED:
            problems += [
                (name, _("This cannot be changed once the campaign is published."))
                for name in sorted(changed - set(PUBLISHED_EDITABLE))
            ]
            problems += _published_edit_problems(campaign=campaign, values=values, changed=changed)
        problems += _consistency_problems(
            organization=campaign.organization,
            values=values,
            deliverables=specs if specs is not None else current_specs,
        )
        if problems:
            raise BriefInvalid(problems)
        if not changed:
            return campaign

        plain = [name for name in BRIEF_FIELDS if name in changed]
        for name in plain:
            setattr(campaign, name, values[name])
        campaign.save(update_fields=[*plain, "updated_at"])
        if "niches" in changed:
            campaign.niches.set(niches)
        if "causes" in changed:
            campaign.causes.set(causes)
        if "deliverables" in changed:
            _write_specs(campaign, specs)
        audit_record(
            actor=by_user,
            action="campaign.updated",
            target=campaign,
            data={"fields": sorted(changed)},
        )
        if campaign.status == S.PUBLISHED:
            queue_recommendations_refresh(campaign_id=campaign.pk)
    return campaign


def _published_edit_problems(
    *, campaign: Campaign, values: dict[str, Any], changed: set[str]
) -> list[tuple[str | None, str]]:
    problems: list[tuple[str | None, str]] = []
    today = timezone.localdate()
    for name, missing, past in (
        (
            "application_deadline",
            _("A published campaign needs an application deadline."),
            _("The application deadline is in the past."),
        ),
        (
            "content_due_date",
            _("A published campaign needs a content due date."),
            _("The content due date is in the past."),
        ),
    ):
        if name in changed:
            if values[name] is None:
                problems.append((name, missing))
            elif values[name] < today:
                problems.append((name, past))
    if "slots" in changed and values["slots"] is not None:
        taken = campaign.collaborations.exclude(status=Collaboration.Status.CANCELLED).count()
        if values["slots"] < taken:
            problems.append(
                (
                    "slots",
                    ngettext(
                        "%(taken)s creator is already accepted; keep at least %(taken)s slot.",
                        "%(taken)s creators are already accepted; keep at least %(taken)s slots.",
                        taken,
                    )
                    % {"taken": taken},
                )
            )
    return problems


def queue_recommendations_refresh(*, campaign_id: int) -> None:
    """Re-rank the brief's recommended creators after commit (a closed brief's are removed)."""
    enqueue_on_commit(tasks.recommendations_refresh, campaign_id)


def campaign_publish(*, campaign: Campaign, by_user: User) -> Campaign:
    """Draft → published, once the brief is complete; refused with every problem listed."""
    require_org_manager(organization=campaign.organization_id, user=by_user)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("organization").get(pk=campaign.pk)
        if campaign.status == S.DRAFT:
            problems = campaign_publish_problems(campaign=campaign)
            if problems:
                raise BriefInvalid(
                    problems,
                    message=ngettext(
                        "The brief cannot be published yet: fix %(count)s problem.",
                        "The brief cannot be published yet: fix %(count)s problems.",
                        len(problems),
                    )
                    % {"count": len(problems)},
                )
        campaign.published_at = timezone.now()
        transition(
            campaign, S.PUBLISHED, actor=by_user, action="campaign.published", extra_fields=("published_at",)
        )
        queue_recommendations_refresh(campaign_id=campaign.pk)
    return campaign


def _params(campaign: Campaign, **extra: str) -> dict[str, str]:
    return {"campaign": campaign.title, "organization": campaign.organization.name, **extra}


def _lock_open_offers(campaign: Campaign) -> tuple[list[Application], list[Invitation]]:
    applications = list(
        Application.objects.select_for_update(of=("self",))
        .select_related("creator__user")
        .filter(campaign=campaign, status__in=Application.OPEN)
        .order_by("pk")
    )
    invitations = list(
        Invitation.objects.select_for_update(of=("self",))
        .select_related("creator__user")
        .filter(campaign=campaign, status__in=Invitation.OPEN)
        .order_by("pk")
    )
    return applications, invitations


def _lock_campaign_and_offers(campaign: Campaign) -> tuple[Campaign, list[Application], list[Invitation]]:
    campaign = Campaign.objects.select_for_update().select_related("organization").get(pk=campaign.pk)
    applications, invitations = _lock_open_offers(campaign)
    return campaign, applications, invitations


def _close_offers(
    *,
    applications: list[Application],
    invitations: list[Invitation],
    by_user: User,
    reason: str,
) -> None:
    now = timezone.now()
    for application in applications:
        application.decided_at = now
        application.decided_by = by_user
        transition(
            application,
            Application.Status.CLOSED,
            actor=by_user,
            action="application.closed",
            reason=reason,
            extra_fields=("decided_at", "decided_by"),
        )
    for invitation in invitations:
        invitation.responded_at = now
        transition(
            invitation,
            Invitation.Status.CLOSED,
            actor=by_user,
            action="invitation.closed",
            reason=reason,
            extra_fields=("responded_at",),
        )


def campaign_close(*, campaign: Campaign, by_user: User) -> Campaign:
    """Published → closed: no more applications. Open applications and invitations are closed and
    their creators told; accepted creators carry on with their collaborations."""
    require_org_manager(organization=campaign.organization_id, user=by_user)
    with transaction.atomic():
        campaign, applications, invitations = _lock_campaign_and_offers(campaign)
        campaign.closed_at = timezone.now()
        transition(campaign, S.CLOSED, actor=by_user, action="campaign.closed", extra_fields=("closed_at",))
        reason = _("The campaign has closed.")
        _close_offers(applications=applications, invitations=invitations, by_user=by_user, reason=reason)
        url = campaign.get_absolute_url()
        for application in applications:
            notify_user(
                user=application.creator.user,
                kind="application.closed",
                key=f"application.closed:{application.pk}",
                params=_params(campaign),
                url=url,
            )
        for invitation in invitations:
            notify_user(
                user=invitation.creator.user,
                kind="invitation.closed",
                key=f"invitation.closed:{invitation.pk}",
                params=_params(campaign, reason=reason),
                url=url,
            )
        queue_campaign_completion_check(campaign_id=campaign.pk)
        queue_recommendations_refresh(campaign_id=campaign.pk)
        payments.campaign_refund_unspent(campaign=campaign, by_user=by_user)
    return campaign


def campaign_complete_if_finished(*, campaign_id: int) -> bool:
    """Closed → completed once every collaboration has finished and at least one was completed.

    Safe to run any number of times: it only acts on a closed campaign.
    """
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or campaign.status != S.CLOSED:
            return False
        statuses = set(campaign.collaborations.values_list("status", flat=True))
        finished = {Collaboration.Status.COMPLETED, Collaboration.Status.CANCELLED}
        if Collaboration.Status.COMPLETED not in statuses or not statuses <= finished:
            return False
        transition(
            campaign,
            S.COMPLETED,
            actor=None,
            action="campaign.completed",
            reason=_("Every collaboration has finished."),
        )
        return True


def campaign_cancel(*, campaign: Campaign, by_user: User, reason: str) -> Campaign:
    """Draft, published or closed → cancelled, with a reason everyone affected reads.

    Open applications and invitations are closed; live collaborations are cancelled with the same
    reason. Refused while a dispute is open: staff decide that collaboration's outcome first.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Tell the creators why you cancel the campaign."), field="reason")
    require_org_manager(organization=campaign.organization_id, user=by_user)
    with transaction.atomic():
        campaign, applications, invitations = _lock_campaign_and_offers(campaign)
        if not campaign.can_transition(S.CANCELLED):
            raise InvalidTransition(
                _("A %(status)s campaign cannot be cancelled.")
                % {"status": campaign.get_status_display().lower()}
            )
        if Dispute.objects.filter(collaboration__campaign=campaign, status=Dispute.Status.OPEN).exists():
            raise InvalidTransition(
                _("A dispute on this campaign is open. Kolabo staff must resolve it before you can cancel.")
            )
        collaborations = list(
            Collaboration.objects.select_for_update(of=("self",))
            .select_related("creator__user")
            .filter(campaign=campaign, status__in=Collaboration.LIVE)
            .order_by("pk")
        )
        now = timezone.now()
        campaign.cancelled_at = now
        campaign.cancel_reason = reason
        transition(
            campaign,
            S.CANCELLED,
            actor=by_user,
            action="campaign.cancelled",
            reason=reason,
            extra_fields=("cancelled_at", "cancel_reason"),
        )
        _close_offers(applications=applications, invitations=invitations, by_user=by_user, reason=reason)
        for collaboration in collaborations:
            from_status = collaboration.status
            collaboration.status = Collaboration.Status.CANCELLED
            collaboration.cancelled_at = now
            collaboration.cancelled_by = by_user
            collaboration.cancel_reason = reason
            collaboration.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
            audit_record(
                actor=by_user,
                action="collaboration.cancelled",
                target=collaboration,
                from_status=from_status,
                to_status=Collaboration.Status.CANCELLED,
                reason=reason,
                data={
                    "fee": str(collaboration.fee),
                    "currency": collaboration.currency,
                    "campaign_cancelled": True,
                },
            )
            webhook_events.collaboration_status_changed(
                collaboration, from_status, Collaboration.Status.CANCELLED
            )
            payments.collaboration_fee_release(collaboration=collaboration, by_user=by_user, refund=False)
        payments.campaign_refund_unspent(campaign=campaign, by_user=by_user)

        # One notice per affected creator, whatever mix of offers and collaboration they had.
        key = f"campaign.cancelled:{campaign.pk}"
        params = _params(campaign, reason=reason)
        creators = {
            row.creator.user_id: row.creator.user for row in [*applications, *invitations, *collaborations]
        }
        for user_id in sorted(creators):
            notify_user(
                user=creators[user_id],
                kind="campaign.cancelled",
                key=key,
                params=params,
                url=campaign.get_absolute_url(),
            )
        if collaborations:
            notify_org(
                organization=campaign.organization_id,
                kind="campaign.cancelled",
                key=key,
                params=params,
                url=campaign.get_absolute_url(),
            )
        queue_recommendations_refresh(campaign_id=campaign.pk)
    return campaign


def campaign_duplicate(*, campaign: Campaign, by_user: User) -> Campaign:
    """A new draft with the same brief (specs, niches, causes) and no dates, to adjust and publish."""
    require_org_manager(organization=campaign.organization_id, user=by_user)
    with transaction.atomic():
        values = _values_of(campaign)
        suffix = _(" (copy)")
        values["title"] = campaign.title[: TITLE_MAX - len(suffix)] + suffix
        values["application_deadline"] = None
        values["content_due_date"] = None
        copy = Campaign.objects.create(
            organization_id=campaign.organization_id, created_by=by_user, status=S.DRAFT, **values
        )
        copy.niches.set(campaign.niches.all())
        copy.causes.set(campaign.causes.all())
        _write_specs(copy, _specs_of(campaign))
        audit_record(
            actor=by_user,
            action="campaign.duplicated",
            target=copy,
            to_status=S.DRAFT,
            data={"source": campaign.pk},
        )
    return copy
