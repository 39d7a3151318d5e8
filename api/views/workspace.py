"""Collaborations: detail and lists, drafts and their review, publishing and confirmation, cancel,
dispute, messages and ratings; and the caller's notifications. Each endpoint calls the same service
as the workspace pages (campaigns/views/workspace.py).

The creator (session or personal token) and the organization's side (members, or its API key) see
a collaboration; everyone else gets 404. Whether a member may act is the service's decision.
"""

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from api.access import api_key, caller
from api.query import query_choice, query_flag
from api.serializers import workspace as w
from api.views.base import IDEMPOTENCY_KEY, Endpoint, ListEndpoint
from api.views.campaigns import campaign_for, require_write
from api.views.offers import STATUS, personal, status_parameter
from campaigns import visibility
from campaigns.models import Collaboration, CollaborationDeliverable, Message, Rating, Submission
from campaigns.services import conversation, drafts, publishing, workspace
from marketplace import services as marketplace_services
from marketplace.errors import PermissionDeniedError
from marketplace.models import Notification
from platforms.selectors import with_post_evidence


def _with_deliverables(queryset: QuerySet[Collaboration]) -> QuerySet[Collaboration]:
    # Each deliverable's verified post comes with it; its snapshots are one more query for the page.
    deliverables = with_post_evidence(CollaborationDeliverable.objects.select_related("spec").order_by("pk"))
    return queryset.select_related("campaign__organization", "creator").prefetch_related(
        Prefetch("deliverables", queryset=deliverables)
    )


def collaborations(request) -> QuerySet[Collaboration]:
    """Lists: the caller's own collaborations, as the creator and across their organizations."""
    return _with_deliverables(visibility.collaborations_of(caller(request)))


def collaboration_for(request, pk: int) -> Collaboration:
    """One collaboration: the caller's own, or a disputed one for a dispute handler in a staff
    session verified with MFA (campaigns.visibility)."""
    visible = visibility.collaborations_visible_to(caller(request))
    found = _with_deliverables(visible).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def collaboration_out(request, pk: int) -> dict:
    return w.CollaborationOut(collaboration_for(request, pk)).data


def require_side(request, collaboration: Collaboration) -> None:
    """An organization API key acts for the organization only, and only with write scope."""
    if api_key(request) is None:
        return
    if collaboration.creator.user_id == request.user.pk:
        raise PermissionDeniedError(_("Organization API keys cannot act for the creator."))
    require_write(request, collaboration.campaign.organization_id)


def deliverable_for(request, pk: int) -> tuple[CollaborationDeliverable, Collaboration]:
    deliverable = (
        visibility.deliverables_visible_to(caller(request)).select_related("spec").filter(pk=pk).first()
    )
    if deliverable is None:
        raise Http404
    return deliverable, collaboration_for(request, deliverable.collaboration_id)


def submission_for(request, pk: int) -> tuple[Submission, Collaboration]:
    submission = (
        visibility.submissions_visible_to(caller(request))
        .select_related("deliverable__spec")
        .filter(pk=pk)
        .first()
    )
    if submission is None:
        raise Http404
    return submission, collaboration_for(request, submission.deliverable.collaboration_id)


def _page(view, queryset, serializer):
    page = view.paginate_queryset(queryset)
    return view.get_paginated_response(serializer(page, many=True).data)


ORDER = ("-created_at", "-pk")
SIDES = ["creator", "organization"]


class CollaborationList(ListEndpoint):
    serializer_class = w.CollaborationOut

    @extend_schema(
        summary="Your collaborations: as a creator and across your organizations",
        operation_id="collaborations_list",
        parameters=[
            status_parameter(Collaboration),
            OpenApiParameter("organization", str, required=False, description="Organization slug"),
            OpenApiParameter("side", str, enum=SIDES, required=False, description="Only one side"),
        ],
    )
    def get(self, request):
        queryset = collaborations(request)
        params = request.query_params
        status_value = query_choice(request, STATUS, Collaboration.Status.values)
        side = query_choice(request, "side", SIDES)
        if status_value:
            queryset = queryset.filter(status=status_value)
        if params.get("organization"):
            queryset = queryset.filter(campaign__organization__slug=params["organization"])
        if side == "creator":
            queryset = queryset.filter(visibility.as_creator(caller(request)))
        elif side == "organization":
            queryset = queryset.filter(visibility.as_organization(caller(request)))
        return _page(self, queryset.order_by(*ORDER), w.CollaborationOut)


class CampaignCollaborations(ListEndpoint):
    serializer_class = w.CollaborationOut

    @extend_schema(
        summary="Collaborations on one of your organization's campaigns",
        operation_id="campaigns_collaborations_list",
        parameters=[status_parameter(Collaboration)],
    )
    def get(self, request, pk):
        campaign = campaign_for(request, pk)
        queryset = collaborations(request).filter(campaign=campaign)
        status_value = query_choice(request, STATUS, Collaboration.Status.values)
        if status_value:
            queryset = queryset.filter(status=status_value)
        return _page(self, queryset.order_by(*ORDER), w.CollaborationOut)


class CollaborationDetail(Endpoint):
    serializer_class = w.CollaborationOut

    @extend_schema(summary="One collaboration with its deliverables", operation_id="collaborations_retrieve")
    def get(self, request, pk):
        return Response(collaboration_out(request, pk))


class CollaborationSubmissions(ListEndpoint):
    serializer_class = w.SubmissionOut

    @extend_schema(
        summary="Every draft round of the collaboration's deliverables, oldest first",
        operation_id="collaborations_submissions_list",
    )
    def get(self, request, pk):
        collaboration = collaboration_for(request, pk)
        queryset = Submission.objects.filter(deliverable__collaboration=collaboration).order_by(
            "deliverable_id", "round", "pk"
        )
        return _page(self, queryset, w.SubmissionOut)


class DeliverableSubmissionCreate(Endpoint):
    serializer_class = w.SubmissionOut

    @extend_schema(
        summary="Submit a draft round for review (as the creator): a link and a caption",
        description="Sending the same content again while the round waits for review returns that round.",
        operation_id="deliverables_submissions_create",
        request=w.SubmissionIn,
        responses={201: w.SubmissionOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        personal(request)
        deliverable, _collaboration = deliverable_for(request, pk)
        data = w.SubmissionIn(data=request.data)
        data.is_valid(raise_exception=True)
        submission = drafts.submission_create(
            deliverable=deliverable, by_user=request.user, **data.validated_data
        )
        return Response(w.SubmissionOut(submission).data, status=status.HTTP_201_CREATED)


class SubmissionApprove(Endpoint):
    serializer_class = w.SubmissionOut

    @extend_schema(
        summary="Approve the latest draft round; the creator can then publish",
        operation_id="submissions_approve",
        request=None,
        responses={200: w.SubmissionOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        submission, collaboration = submission_for(request, pk)
        require_side(request, collaboration)
        submission = drafts.submission_approve(submission=submission, by_user=request.user)
        return Response(w.SubmissionOut(submission).data)


class SubmissionRequestChanges(Endpoint):
    serializer_class = w.SubmissionOut

    @extend_schema(
        summary="Send the latest draft round back with feedback (uses one revision round)",
        operation_id="submissions_request_changes",
        request=w.FeedbackIn,
        responses={200: w.SubmissionOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        submission, collaboration = submission_for(request, pk)
        require_side(request, collaboration)
        data = w.FeedbackIn(data=request.data)
        data.is_valid(raise_exception=True)
        submission = drafts.submission_request_changes(
            submission=submission, by_user=request.user, feedback=data.validated_data["feedback"]
        )
        return Response(w.SubmissionOut(submission).data)


class DeliverablePublish(Endpoint):
    serializer_class = w.DeliverableOut

    @extend_schema(
        summary="Record the published post's link and a metrics snapshot (as the creator)",
        operation_id="deliverables_publish",
        request=w.PublishIn,
        responses={200: w.DeliverableOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        personal(request)
        deliverable, _collaboration = deliverable_for(request, pk)
        data = w.PublishIn(data=request.data)
        data.is_valid(raise_exception=True)
        deliverable = publishing.deliverable_publish(
            deliverable=deliverable, by_user=request.user, **data.validated_data
        )
        return Response(w.DeliverableOut(deliverable).data)


class DeliverableConfirm(Endpoint):
    serializer_class = w.DeliverableOut

    @extend_schema(
        summary="Confirm the published post (as the organization)",
        operation_id="deliverables_confirm",
        request=None,
        responses={200: w.DeliverableOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        deliverable, collaboration = deliverable_for(request, pk)
        require_side(request, collaboration)
        deliverable = publishing.deliverable_confirm(deliverable=deliverable, by_user=request.user)
        return Response(w.DeliverableOut(deliverable).data)


def _reason_action(name: str, summary: str, service):
    """POST /collaborations/{id}/<name>/ with a reason the other side sees."""

    def post(self, request, pk):
        collaboration = collaboration_for(request, pk)
        require_side(request, collaboration)
        data = w.RequiredReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        service(collaboration=collaboration, by_user=request.user, reason=data.validated_data["reason"])
        return Response(collaboration_out(request, pk))

    schema = extend_schema(
        summary=summary,
        operation_id=f"collaborations_{name}",
        request=w.RequiredReasonIn,
        responses={200: w.CollaborationOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    return type(
        f"Collaboration{name.title()}",
        (Endpoint,),
        {"serializer_class": w.CollaborationOut, "post": schema(post)},
    )


CollaborationCancel = _reason_action(
    "cancel", "Cancel the collaboration, with a reason the other side sees", workspace.collaboration_cancel
)
CollaborationDispute = _reason_action(
    "dispute", "Raise a dispute: Kolabo staff decide and the collaboration pauses", conversation.dispute_raise
)


class CollaborationMessages(ListEndpoint):
    serializer_class = w.MessageOut

    @extend_schema(
        summary="The collaboration's message thread, oldest first",
        operation_id="collaborations_messages_list",
    )
    def get(self, request, pk):
        collaboration = collaboration_for(request, pk)
        queryset = Message.objects.filter(collaboration=collaboration).select_related("author")
        return _page(self, queryset.order_by("created_at", "pk"), w.MessageOut)

    @extend_schema(
        summary="Write in the collaboration's thread; the other side is notified",
        operation_id="collaborations_messages_create",
        request=w.MessageIn,
        responses={201: w.MessageOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        collaboration = collaboration_for(request, pk)
        require_side(request, collaboration)
        data = w.MessageIn(data=request.data)
        data.is_valid(raise_exception=True)
        message = conversation.message_create(
            collaboration=collaboration, by_user=request.user, body=data.validated_data["body"]
        )
        return Response(w.MessageOut(message).data, status=status.HTTP_201_CREATED)


class CollaborationRatings(ListEndpoint):
    serializer_class = w.RatingOut

    @extend_schema(summary="Ratings given on the collaboration", operation_id="collaborations_ratings_list")
    def get(self, request, pk):
        collaboration = collaboration_for(request, pk)
        queryset = Rating.objects.filter(collaboration=collaboration).order_by("created_at", "pk")
        return _page(self, queryset, w.RatingOut)

    @extend_schema(
        summary="Rate the other side once the collaboration is complete",
        operation_id="collaborations_ratings_create",
        request=w.RatingIn,
        responses={201: w.RatingOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        collaboration = collaboration_for(request, pk)
        require_side(request, collaboration)
        data = w.RatingIn(data=request.data)
        data.is_valid(raise_exception=True)
        rating = conversation.rating_create(
            collaboration=collaboration, by_user=request.user, **data.validated_data
        )
        return Response(w.RatingOut(rating).data, status=status.HTTP_201_CREATED)


# Notifications (personal: not for organization API keys)


class NotificationList(ListEndpoint):
    serializer_class = w.NotificationOut

    @extend_schema(
        summary="Your notifications, newest first",
        operation_id="notifications_list",
        parameters=[OpenApiParameter("unread", bool, required=False, description="Only unread ones")],
    )
    def get(self, request):
        personal(request)
        queryset = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-pk")
        if query_flag(request, "unread"):
            queryset = queryset.filter(read_at__isnull=True)
        return _page(self, queryset, w.NotificationOut)


class NotificationRead(Endpoint):
    serializer_class = w.NotificationOut

    @extend_schema(
        summary="Mark one notification read",
        operation_id="notifications_read",
        request=None,
        responses={200: w.NotificationOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        personal(request)
        notification = Notification.objects.filter(recipient=request.user, pk=pk).first()
        if notification is None:
            raise Http404
        notification = marketplace_services.notification_mark_read(notification=notification)
        return Response(w.NotificationOut(notification).data)
