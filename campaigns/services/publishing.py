"""Publishing approved drafts, confirming posts (by hand or automatically) and content-due reminders."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from brands.permissions import require_org_manager
from campaigns.models import Collaboration, CollaborationDeliverable
from campaigns.notifications import notify_org
from campaigns.services.common import require_creator, transition
from campaigns.services.workspace import (
    AUTO_CONFIRM_DAYS,
    D,
    _check_url,
    _lock,
    _require_live,
    lock_collaboration,
    params_for,
    refresh,
)
from marketplace.errors import InvalidTransition, ValidationFailed
from marketplace.models import User
from marketplace.services import notify_user

REMINDER_WINDOW = timedelta(hours=48)
METRICS = ("views", "likes", "comments", "shares", "saves")


def _metric(name: str, value) -> int | None:
    """An optional metric: empty, or a whole number of 0 or more."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        number = -1
    if number < 0:
        raise ValidationFailed(_("Enter a whole number of 0 or more."), field=name)
    return number


def deliverable_publish(
    *,
    deliverable: CollaborationDeliverable,
    by_user: User,
    post_url: str,
    views=None,
    likes=None,
    comments=None,
    shares=None,
    saves=None,
) -> CollaborationDeliverable:
    """The creator publishes the approved draft and records the post link and a metrics snapshot."""
    post_url = (post_url or "").strip()
    given = {"views": views, "likes": likes, "comments": comments, "shares": shares, "saves": saves}
    with transaction.atomic():
        collaboration, deliverable = _lock(deliverable)
        require_creator(creator=collaboration.creator, user=by_user)
        _require_live(collaboration)
        if deliverable.status != D.APPROVED:
            raise InvalidTransition(_("Only an approved draft can be published."))
        _check_url(
            post_url, field="post_url", message=_("Enter the link to the published post (http or https).")
        )
        metrics = {name: _metric(name, value) for name, value in given.items()}
        deliverable.post_url = post_url
        deliverable.published_at = timezone.now()
        for name, value in metrics.items():
            setattr(deliverable, name, value)
        transition(
            deliverable,
            D.PUBLISHED,
            actor=by_user,
            action="deliverable.published",
            data={"post_url": post_url, **{k: v for k, v in metrics.items() if v is not None}},
            extra_fields=("post_url", "published_at", *METRICS),
        )
        refresh(collaboration=collaboration, actor=by_user)
        notify_org(
            organization=collaboration.campaign.organization_id,
            kind="deliverable.published",
            key=f"deliverable.published:{deliverable.pk}",
            params=params_for(collaboration, deliverable),
            url=collaboration.get_absolute_url(),
        )
    return deliverable


def _confirm(
    *, collaboration: Collaboration, deliverable: CollaborationDeliverable, actor: User | None, auto: bool
) -> None:
    deliverable.confirmed_at = timezone.now()
    deliverable.auto_confirmed = auto
    transition(
        deliverable,
        D.CONFIRMED,
        actor=actor,
        action="deliverable.auto_confirmed" if auto else "deliverable.confirmed",
        reason=_("No answer from the organization within %(days)s days.") % {"days": AUTO_CONFIRM_DAYS}
        if auto
        else "",
        extra_fields=("confirmed_at", "auto_confirmed"),
    )
    refresh(collaboration=collaboration, actor=actor)
    kind = "deliverable.auto_confirmed" if auto else "deliverable.confirmed"
    key = f"{kind}:{deliverable.pk}"
    params = params_for(collaboration, deliverable) | {"days": AUTO_CONFIRM_DAYS}
    url = collaboration.get_absolute_url()
    notify_user(user=collaboration.creator.user, kind=kind, key=key, params=params, url=url)
    if auto:
        # Nobody on the organization side clicked, so they learn it happened.
        notify_org(
            organization=collaboration.campaign.organization_id, kind=kind, key=key, params=params, url=url
        )


def deliverable_confirm(*, deliverable: CollaborationDeliverable, by_user: User) -> CollaborationDeliverable:
    with transaction.atomic():
        collaboration, deliverable = _lock(deliverable)
        require_org_manager(organization=collaboration.campaign.organization_id, user=by_user)
        _require_live(collaboration)
        if deliverable.status != D.PUBLISHED:
            raise InvalidTransition(_("Only a published post can be confirmed."))
        _confirm(collaboration=collaboration, deliverable=deliverable, actor=by_user, auto=False)
    return deliverable


def deliverables_auto_confirm_due(*, now: datetime | None = None) -> int:
    """Confirm posts the organization left unanswered for AUTO_CONFIRM_DAYS. Safe to run twice."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=AUTO_CONFIRM_DAYS)
    due = list(
        CollaborationDeliverable.objects.filter(
            status=D.PUBLISHED, published_at__lte=cutoff, collaboration__status__in=Collaboration.LIVE
        )
        .order_by("pk")
        .values_list("pk", "collaboration_id")
    )
    confirmed = 0
    for pk, collaboration_id in due:
        with transaction.atomic():
            collaboration = lock_collaboration(collaboration_id)
            deliverable = (
                CollaborationDeliverable.objects.select_for_update(of=("self",))
                .select_related("spec")
                .get(pk=pk)
            )
            if (
                collaboration.status not in Collaboration.LIVE
                or deliverable.status != D.PUBLISHED
                or deliverable.published_at > cutoff
            ):
                continue
            _confirm(collaboration=collaboration, deliverable=deliverable, actor=None, auto=True)
            confirmed += 1
    return confirmed


def collaborations_remind_content_due(*, now: datetime | None = None) -> int:
    """Remind creators whose content is due within 48 hours and still has drafts to send.

    Each collaboration and due date is reminded once, however often the task runs.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = timezone.localdate(now + REMINDER_WINDOW)
    collaborations = (
        Collaboration.objects.filter(
            status__in=Collaboration.LIVE,
            due_date__gte=today,
            due_date__lte=horizon,
            deliverables__status__in=[D.PENDING, D.CHANGES_REQUESTED],
        )
        .distinct()
        .select_related("campaign", "creator__user")
        .order_by("pk")
    )
    sent = 0
    for collaboration in collaborations:
        user = collaboration.creator.user
        key = f"deadline.content_due:{collaboration.pk}:{collaboration.due_date.isoformat()}"
        with transaction.atomic():
            if user.notifications.filter(dedupe_key=f"{key}:u{user.pk}").exists():
                continue
            notify_user(
                user=user,
                kind="deadline.content_due",
                key=key,
                params={
                    "campaign": collaboration.campaign.title,
                    "due": formats.date_format(collaboration.due_date),
                },
                url=collaboration.get_absolute_url(),
            )
            sent += 1
    return sent
