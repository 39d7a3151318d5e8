"""The collaboration workspace pages: my collaborations, the workspace itself (drafts, thread,
trail) and its messages; the helpers its actions share (deliverables, collaboration_actions, disputes)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from brands.models import Membership
from campaigns import collaboration_selectors
from campaigns.collaboration_selectors import Viewer
from campaigns.forms.workspace import MessageForm, PublishForm, ReviewForm, SubmissionForm
from campaigns.models import Collaboration, CollaborationDeliverable, Dispute, Rating, Submission
from campaigns.services import conversation, workspace
from campaigns.services.workspace import CREATOR, ORGANIZATION
from marketplace.decorators import mfa_redirect
from marketplace.errors import DomainError, PermissionDeniedError
from platforms.selectors import with_post_evidence

PAGE_SIZE = 25


D = CollaborationDeliverable.Status


STATUS_BADGES = {
    Collaboration.Status.COMPLETED: "badge-success",
    Collaboration.Status.CANCELLED: "badge-danger",
    Collaboration.Status.DISPUTED: "badge-danger",
    Collaboration.Status.CHANGES_REQUESTED: "badge-warning",
}


# Audit actions in words, for the trail on the workspace page.
AUDIT_ACTIONS = {
    "collaboration.started": gettext_lazy("Collaboration started"),
    "collaboration.status_changed": gettext_lazy("Status updated"),
    "collaboration.cancelled": gettext_lazy("Collaboration cancelled"),
    "collaboration.disputed": gettext_lazy("Dispute raised"),
    "collaboration.dispute_settled": gettext_lazy("Dispute settled"),
    "deliverable.submitted": gettext_lazy("Draft submitted"),
    "deliverable.approved": gettext_lazy("Draft approved"),
    "deliverable.changes_requested": gettext_lazy("Changes requested"),
    "deliverable.reopened": gettext_lazy("Draft taken back into review"),
    "deliverable.published": gettext_lazy("Post published"),
    "deliverable.confirmed": gettext_lazy("Post confirmed"),
    "deliverable.auto_confirmed": gettext_lazy("Post confirmed automatically"),
    "deliverable.extra_round": gettext_lazy("Extra revision round granted"),
    "dispute.resolved": gettext_lazy("Dispute resolved"),
    "rating.created": gettext_lazy("Rating given"),
    "payments.fee_reserved": gettext_lazy("Fee reserved"),
}


# Each audited model's own status labels: "submitted" reads differently on a deliverable.
STATUS_CHOICES = {
    Collaboration: Collaboration.Status,
    CollaborationDeliverable: CollaborationDeliverable.Status,
    Submission: Submission.Decision,
    Dispute: Dispute.Status,
}


def _status_label(model, value: str) -> str:
    choices = STATUS_CHOICES.get(model)
    if not value or choices is None or value not in choices.values:
        return value
    return str(choices(value).label)


def _trail(events, labels: dict[int, str]) -> list[dict]:
    """Audit events in words; `labels` names the deliverables by primary key."""
    rows = []
    for event in events:
        model = event.target_type.model_class()
        what = str(AUDIT_ACTIONS.get(event.action, event.action))
        if model is CollaborationDeliverable and event.target_id.isdigit():
            what = f"{what} · {labels.get(int(event.target_id), '')}"
        rows.append(
            {
                "event": event,
                "action": what,
                "from": _status_label(model, event.from_status),
                "to": _status_label(model, event.to_status),
            }
        )
    return rows


def _forbidden(request: HttpRequest, collaboration: Collaboration | None, error: DomainError) -> HttpResponse:
    return render(
        request,
        "campaigns/workspace/forbidden.html",
        {"collaboration": collaboration, "message": error.message},
        status=403,
    )


def _form_error(form: Form, error: DomainError) -> bool:
    """Put a refusal next to its field; False when the form has no such field."""
    if error.field in form.fields:
        form.add_error(error.field, str(error.message))
        return True
    return False


def _back(collaboration: Collaboration, anchor: str = "") -> HttpResponse:
    url = collaboration.get_absolute_url()
    return redirect(f"{url}#{anchor}" if anchor else url)


# My collaborations


@login_required
def my_collaborations(request):
    user = request.user
    memberships = list(
        Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")
    )
    is_creator = hasattr(user, "creator_profile")
    selected = request.GET.get("org", "")
    allowed = {m.organization.slug for m in memberships} | ({CREATOR} if is_creator else set())
    if selected not in allowed:
        selected = ""
    page = Paginator(
        collaboration_selectors.collaborations_for_user(user=user, organization_slug=selected), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = []
    for collaboration in page.object_list:
        side = CREATOR if collaboration.creator.user_id == user.pk else ORGANIZATION
        action = collaboration_selectors.next_action(
            collaboration=collaboration,
            side=side,
            deliverables=list(collaboration.deliverables.all()),
            rated={rating.rated_side for rating in collaboration.ratings.all()},
        )
        rows.append(
            {
                "collaboration": collaboration,
                "side": side,
                "action": action,
                "badge": STATUS_BADGES.get(collaboration.status, ""),
            }
        )
    return render(
        request,
        "campaigns/workspace/my_collaborations.html",
        {
            "page": page,
            "rows": rows,
            "memberships": memberships,
            "is_creator": is_creator,
            "selected": selected,
            "query": urlencode({"org": selected}) if selected else "",
        },
    )


# The workspace


def _workspace(
    request: HttpRequest,
    collaboration: Collaboration,
    viewer: Viewer,
    *,
    bound: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the workspace; `bound` holds a rejected form to show with its errors."""
    bound = bound or {}
    deliverables = list(
        with_post_evidence(
            collaboration.deliverables.select_related("spec").prefetch_related(
                Prefetch(
                    "submissions",
                    queryset=Submission.objects.select_related("submitted_by", "decided_by").order_by(
                        "round"
                    ),
                )
            )
        )
    )
    review_rounds = collaboration.campaign.review_rounds
    live = collaboration.is_live
    creator_acts = live and viewer.side == CREATOR
    manager_acts = live and viewer.side == ORGANIZATION and viewer.can_act
    max_mb = workspace.upload_max_mb()
    rows = []
    for deliverable in deliverables:
        rounds = list(deliverable.submissions.all())
        latest = rounds[-1] if rounds else None
        row = {
            "deliverable": deliverable,
            "label": workspace.deliverable_label(deliverable),
            "rounds": rounds,
            "rounds_left": max(review_rounds - deliverable.rounds_used, 0),
        }
        if creator_acts and deliverable.status in (D.PENDING, D.CHANGES_REQUESTED):
            row["submit_form"] = bound.get(("submit", deliverable.pk)) or SubmissionForm(
                max_mb=max_mb, auto_id=f"id_d{deliverable.pk}_%s"
            )
        if creator_acts and deliverable.status == D.APPROVED:
            row["publish_form"] = bound.get(("publish", deliverable.pk)) or PublishForm(
                deliverable=deliverable, auto_id=f"id_p{deliverable.pk}_%s"
            )
        if manager_acts and deliverable.status == D.SUBMITTED and latest and latest.decision == "pending":
            row["review_submission"] = latest
            row["review_form"] = bound.get(("review", latest.pk)) or ReviewForm(auto_id=f"id_r{latest.pk}_%s")
            row["can_request_changes"] = deliverable.rounds_used < review_rounds
        if deliverable.status == D.PUBLISHED and deliverable.published_at:
            row["auto_confirm_on"] = deliverable.published_at + timedelta(days=workspace.AUTO_CONFIRM_DAYS)
            row["can_confirm"] = manager_acts
        rows.append(row)

    thread = list(collaboration.messages.select_related("author"))
    ratings = list(collaboration.ratings.select_related("rated_by"))
    disputes = list(collaboration.disputes.select_related("raised_by", "resolved_by"))
    acting = viewer.side in (CREATOR, ORGANIZATION) and viewer.can_act
    statuses = [d.status for d in deliverables]
    cancel_refusal = (
        workspace.cancel_refusal(collaboration=collaboration, side=viewer.side, statuses=statuses)
        if acting
        else None
    )
    can_rate = (
        acting
        and collaboration.status == Collaboration.Status.COMPLETED
        and (Rating.Side.ORGANIZATION if viewer.side == CREATOR else Rating.Side.CREATOR)
        not in {rating.rated_side for rating in ratings}
    )
    trail = _trail(
        collaboration_selectors.collaboration_audit_trail(
            collaboration=collaboration,
            deliverable_ids=[d.pk for d in deliverables],
            submission_ids=[s.pk for row in rows for s in row["rounds"]],
        ),
        {row["deliverable"].pk: row["label"] for row in rows},
    )
    next_step = None
    if viewer.side in (CREATOR, ORGANIZATION):
        next_step = collaboration_selectors.next_action(
            collaboration=collaboration,
            side=viewer.side,
            deliverables=deliverables,
            rated={rating.rated_side for rating in ratings},
        )
    return render(
        request,
        "campaigns/workspace/detail.html",
        {
            "collaboration": collaboration,
            "campaign": collaboration.campaign,
            "viewer": viewer,
            "rows": rows,
            "review_rounds": review_rounds,
            "thread": thread,
            "message_form": bound.get("message") or (MessageForm() if acting else None),
            "ratings": ratings,
            "disputes": disputes,
            "can_cancel": acting and cancel_refusal is None,
            "can_dispute": acting
            and conversation.dispute_refusal(collaboration=collaboration, deliverables=deliverables) is None,
            "can_rate": can_rate,
            "next_step": next_step,
            "badge": STATUS_BADGES.get(collaboration.status, ""),
            "trail": trail,
        },
        status=status,
    )


@login_required
def collaboration_detail(request, pk):
    collaboration, viewer = collaboration_selectors.collaboration_for_viewer(user=request.user, pk=pk)
    if viewer.side == workspace.STAFF and (needs_mfa := mfa_redirect(request)):
        return needs_mfa  # staff see disputed work as staff: MFA first, like every staff page
    return _workspace(request, collaboration, viewer)


@login_required
@require_POST
def message_create(request, pk):
    collaboration, viewer = collaboration_selectors.collaboration_for_viewer(user=request.user, pk=pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message = conversation.message_create(
                collaboration=collaboration, by_user=request.user, body=form.cleaned_data["body"]
            )
        except PermissionDeniedError as error:
            return _forbidden(request, collaboration, error)
        except DomainError as error:
            if not _form_error(form, error):
                messages.error(request, error.message)
                return _back(collaboration, "messages")
        else:
            return _back(collaboration, f"message-{message.pk}")
    return _workspace(request, collaboration, viewer, bound={"message": form}, status=400)
