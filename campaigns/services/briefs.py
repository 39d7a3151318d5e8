"""Briefs: create, edit, publish and duplicate campaigns.

Checking a brief lives in `brief_checks`; closing, completing and cancelling in `campaign_closing`.
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from brands.models import Organization
from brands.permissions import require_org_manager
from brands.verification_limits import PUBLISH, unverified_limits_refusal
from campaigns import tasks
from campaigns.models import (
    Campaign,
    Collaboration,
)
from campaigns.services.brief_checks import (
    BRIEF_FIELDS,
    PUBLISHED_EDITABLE,
    TITLE_MAX,
    BriefInvalid,
    S,
    _consistency_problems,
    _defaults_for,
    _normalise,
    _spec_values,
    _specs_of,
    _values_of,
    _write_specs,
    campaign_publish_problems,
)
from campaigns.services.common import lock_campaign, transition
from creators.models import Cause, Niche
from marketplace.errors import InvalidTransition
from marketplace.models import User
from marketplace.queueing import enqueue_on_commit
from marketplace.services import audit_record

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
        campaign = lock_campaign(campaign.pk)
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
        # The organization before the campaign: an organization that is not verified may have only
        # so many published briefs, and two drafts published at once must not both pass the count.
        organization = Organization.objects.select_for_update(no_key=True).get(pk=campaign.organization_id)
        campaign = lock_campaign(campaign.pk)
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
            refusal = unverified_limits_refusal(organization, action=PUBLISH, campaign=campaign)
            if refusal is not None:
                raise refusal
        campaign.published_at = timezone.now()
        transition(
            campaign, S.PUBLISHED, actor=by_user, action="campaign.published", extra_fields=("published_at",)
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
