"""Publishing approved drafts (capturing the verified post where the account is connected), confirming
posts (by hand or automatically) and content-due reminders."""

from datetime import datetime, timedelta
from functools import partial

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
    check_url,
    lock_collaboration,
    lock_deliverable,
    notify_both_sides,
    params_for,
    refresh,
    require_live,
)
from marketplace.errors import InvalidTransition, ValidationFailed
from marketplace.models import User
from marketplace.services import notify_user
from platforms.services import post_capture, post_snapshots

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


def _publish_checks(
    *, collaboration: Collaboration, deliverable: CollaborationDeliverable, by_user: User, post_url: str
) -> None:
    require_creator(creator=collaboration.creator, user=by_user)
    require_live(collaboration)
    if deliverable.status != D.APPROVED:
        raise InvalidTransition(_("Only an approved draft can be published."))
    check_url(post_url, field="post_url", message=_("Enter the link to the published post (http or https)."))


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
    """The creator publishes the approved draft and records the post link and a metrics snapshot.

    With a connected account on the deliverable's platform the link must be the creator's own post
    (platforms.services.post_capture): it becomes the verified post, its numbers replace typed ones,
    its caption is checked, and its snapshots are scheduled. Otherwise the link and the numbers are
    the creator's word, shown as unverified.
    """
    post_url = (post_url or "").strip()
    given = {"views": views, "likes": likes, "comments": comments, "shares": shares, "saves": saves}
    # The post lookup may call the platform, so it runs before any lock, after the same checks the
    # locked step repeats: nobody who may not publish makes Kolabo call a platform.
    current = CollaborationDeliverable.objects.select_related(
        "spec", "collaboration__campaign__organization", "collaboration__creator__user"
    ).get(pk=deliverable.pk)
    _publish_checks(
        collaboration=current.collaboration, deliverable=current, by_user=by_user, post_url=post_url
    )
    metrics = {name: _metric(name, value) for name, value in given.items()}
    post = post_capture.post_for_deliverable(deliverable=current, url=post_url)
    with transaction.atomic():
        collaboration, deliverable = lock_deliverable(deliverable)
        _publish_checks(
            collaboration=collaboration, deliverable=deliverable, by_user=by_user, post_url=post_url
        )
        problems: list[dict] = []
        if post is not None:
            post_capture.require_unused(post=post, deliverable=deliverable)
            problems = post_capture.caption_problems(caption=post.caption, campaign=collaboration.campaign)
            metrics = post_capture.post_metrics(post)
        deliverable.post_url = post_url
        deliverable.published_at = timezone.now()
        deliverable.verified_post = post
        deliverable.caption_problems = problems
        for name, value in metrics.items():
            setattr(deliverable, name, value)
        audit = {"post_url": post_url, **{k: v for k, v in metrics.items() if v is not None}}
        if post is not None:
            audit |= {"verified_post": post.pk, "caption_problems": problems}
        transition(
            deliverable,
            D.PUBLISHED,
            actor=by_user,
            action="deliverable.published",
            data=audit,
            extra_fields=("post_url", "published_at", "verified_post", "caption_problems", *METRICS),
        )
        refresh(collaboration=collaboration, actor=by_user)
        params = params_for(collaboration, deliverable)
        notify_org(
            organization=collaboration.campaign.organization_id,
            kind="deliverable.published",
            key=f"deliverable.published:{deliverable.pk}",
            params=params,
            url=collaboration.get_absolute_url(),
        )
        if problems:
            # Before confirmation, so the creator can fix the caption and the organization knows.
            notify_both_sides(
                collaboration=collaboration,
                kind="deliverable.caption_problems",
                key=f"deliverable.caption_problems:{deliverable.pk}",
                params=params | {"missing": post_capture.missing_text(problems)},
            )
        if post is not None:
            published = post_snapshots.post_snapshots_schedule(
                deliverable=deliverable, post=post, published_at=deliverable.published_at
            )
            # Read after commit, with no lock held; a failure leaves it due for the sweep.
            transaction.on_commit(partial(post_snapshots.post_snapshot_take_after_publish, published.pk))
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
        collaboration, deliverable = lock_deliverable(deliverable)
        require_org_manager(organization=collaboration.campaign.organization_id, user=by_user)
        require_live(collaboration)
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
