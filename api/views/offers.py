"""Applications and invitations: apply, withdraw, accept, decline; invite one or many, answer,
counter. Each endpoint calls the same service as the web page (campaigns/views/offers.py).

Who sees what: an organization's side (its members, or its API key) sees the offers on its
campaigns; a creator (session or personal token) sees their own. An organization API key never
acts as a creator. Anything else is 404.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from api.access import api_key, caller
from api.limits import sensitive_limit
from api.query import query_choice
from api.serializers import offers as w
from api.serializers import workspace as ws
from api.views.base import IDEMPOTENCY_KEY, Endpoint, ListEndpoint
from api.views.campaigns import campaign_for, require_write
from campaigns import visibility
from campaigns.models import Application, Invitation
from campaigns.selectors import browsing as selectors
from campaigns.services import applications as application_services
from campaigns.services import invitation_answers as answer_services
from campaigns.services import invitation_batches as batch_services
from campaigns.services import invitations as invitation_services
from creators.models import CreatorProfile
from creators.selectors import creators_listed_for
from marketplace.errors import PermissionDeniedError, ValidationFailed

STATUS = "status"


def status_parameter(model) -> OpenApiParameter:
    return OpenApiParameter(STATUS, str, enum=[c for c, _l in model.Status.choices], required=False)


def personal(request) -> None:
    """Creator actions and personal data are for the person: a session or a personal token."""
    if api_key(request) is not None:
        raise PermissionDeniedError(
            _("Organization API keys act for the organization only; use a personal access token.")
        )


def creator_profile(request) -> CreatorProfile:
    personal(request)
    profile = selectors.creator_for_browsing(user=request.user)
    if profile is None:
        raise PermissionDeniedError(_("Create your creator profile first."))
    return profile


def _filtered(request, queryset: QuerySet) -> QuerySet:
    status_value = query_choice(request, STATUS, queryset.model.Status.values)
    if status_value:
        queryset = queryset.filter(status=status_value)
    return queryset.order_by("-created_at", "-pk")


def campaign_page(view, request, pk: int, queryset: QuerySet, serializer):
    """One page of `queryset` on a campaign of the caller's organizations (else 404)."""
    campaign = campaign_for(request, pk)
    page = view.paginate_queryset(_filtered(request, queryset.filter(campaign=campaign)))
    return view.get_paginated_response(serializer(page, many=True).data)


def own_page(view, request, queryset: QuerySet, serializer):
    """One page of `queryset` for the caller's own creator profile (not for organization keys)."""
    personal(request)
    page = view.paginate_queryset(_filtered(request, queryset.filter(visibility.as_creator(caller(request)))))
    return view.get_paginated_response(serializer(page, many=True).data)


# Applications


def applications(request) -> QuerySet[Application]:
    return visibility.applications_visible_to(caller(request)).select_related(
        "campaign__organization", "creator", "collaboration"
    )


def application_for(request, pk: int) -> Application:
    found = applications(request).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


class CampaignApplications(ListEndpoint):
    serializer_class = w.ApplicationOut

    @extend_schema(
        summary="Applications to one of your organization's campaigns",
        operation_id="campaigns_applications_list",
        parameters=[status_parameter(Application)],
    )
    def get(self, request, pk):
        return campaign_page(self, request, pk, applications(request), w.ApplicationOut)

    @extend_schema(
        summary="Apply to a published campaign (as a creator)",
        description="A proposed fee outside the brief's range is sent as a counter-offer.",
        operation_id="campaigns_applications_create",
        request=w.ApplicationIn,
        responses={201: w.ApplicationOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        profile = creator_profile(request)
        campaign = selectors.brief_for_viewer(user=request.user, pk=pk)
        data = w.ApplicationIn(data=request.data)
        data.is_valid(raise_exception=True)
        sensitive_limit(request, "applications")
        application = application_services.application_create(
            campaign=campaign, creator=profile, by_user=request.user, **data.validated_data
        )
        return Response(
            w.ApplicationOut(application_for(request, application.pk)).data, status=status.HTTP_201_CREATED
        )


class MyApplications(ListEndpoint):
    serializer_class = w.ApplicationOut

    @extend_schema(
        summary="Your own applications (as a creator)",
        operation_id="applications_list",
        parameters=[status_parameter(Application)],
    )
    def get(self, request):
        return own_page(self, request, applications(request), w.ApplicationOut)


class ApplicationDetail(Endpoint):
    serializer_class = w.ApplicationOut

    @extend_schema(
        summary="One application (yours, or to your campaign)", operation_id="applications_retrieve"
    )
    def get(self, request, pk):
        return Response(w.ApplicationOut(application_for(request, pk)).data)


class ApplicationWithdraw(Endpoint):
    serializer_class = w.ApplicationOut

    @extend_schema(
        summary="Withdraw your application",
        operation_id="applications_withdraw",
        request=None,
        responses={200: w.ApplicationOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        personal(request)
        application = application_for(request, pk)
        application_services.application_withdraw(application=application, by_user=request.user)
        return Response(w.ApplicationOut(application_for(request, pk)).data)


class ApplicationAccept(Endpoint):
    serializer_class = ws.CollaborationOut

    @extend_schema(
        summary="Accept an application: the collaboration starts with the fee frozen",
        operation_id="applications_accept",
        request=None,
        responses={201: ws.CollaborationOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        from api.views.workspace import collaboration_out

        application = application_for(request, pk)
        require_write(request, application.campaign.organization_id)
        collaboration = application_services.application_accept(application=application, by_user=request.user)
        return Response(collaboration_out(request, collaboration.pk), status=status.HTTP_201_CREATED)


class ApplicationDecline(Endpoint):
    serializer_class = w.ApplicationOut

    @extend_schema(
        summary="Decline an application, with an optional reason the creator sees",
        operation_id="applications_decline",
        request=w.ReasonIn,
        responses={200: w.ApplicationOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        application = application_for(request, pk)
        require_write(request, application.campaign.organization_id)
        data = w.ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        application_services.application_decline(
            application=application, by_user=request.user, reason=data.validated_data["reason"]
        )
        return Response(w.ApplicationOut(application_for(request, pk)).data)


# Invitations


def invitations(request) -> QuerySet[Invitation]:
    return visibility.invitations_visible_to(caller(request)).select_related(
        "campaign__organization", "creator", "collaboration"
    )


def invitation_for(request, pk: int) -> Invitation:
    found = invitations(request).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _creator_by_slug(slug: str, campaign) -> CreatorProfile:
    profile = creators_listed_for(organization_id=campaign.organization_id).filter(slug=slug).first()
    if profile is None:
        raise ValidationFailed(_("No creator has this slug."), field="creator")
    return profile


class CampaignInvitations(ListEndpoint):
    serializer_class = w.InvitationOut

    @extend_schema(
        summary="Invitations sent for one of your organization's campaigns",
        operation_id="campaigns_invitations_list",
        parameters=[status_parameter(Invitation)],
    )
    def get(self, request, pk):
        return campaign_page(self, request, pk, invitations(request), w.InvitationOut)

    @extend_schema(
        summary="Invite one creator to a published campaign",
        operation_id="campaigns_invitations_create",
        request=w.InvitationIn,
        responses={201: w.InvitationOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        campaign = campaign_for(request, pk)
        require_write(request, campaign.organization_id)
        data = w.InvitationIn(data=request.data)
        data.is_valid(raise_exception=True)
        creator = _creator_by_slug(data.validated_data["creator"], campaign)
        sensitive_limit(request, "invitations")
        invitation = invitation_services.invitation_create(
            campaign=campaign,
            by_user=request.user,
            creator=creator,
            offered_fee=data.validated_data["offered_fee"],
            message=data.validated_data["message"],
        )
        return Response(
            w.InvitationOut(invitation_for(request, invitation.pk)).data, status=status.HTTP_201_CREATED
        )


class CampaignInvitationsBulk(Endpoint):
    serializer_class = w.InvitationBatchOut

    @extend_schema(
        summary="Invite many creators in the background",
        description="Starts a batch and answers 202; follow it at /invitation-batches/{id}/. Sending the "
        "same creators, fee and message again returns the same batch. Slugs that match no creator are "
        "left out and listed in unknown_creators.",
        operation_id="campaigns_invitations_bulk",
        request=w.InvitationBulkIn,
        responses={202: w.InvitationBatchOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        campaign = campaign_for(request, pk)
        require_write(request, campaign.organization_id)
        data = w.InvitationBulkIn(data=request.data)
        data.is_valid(raise_exception=True)
        slugs = list(dict.fromkeys(data.validated_data["creators"]))
        ids = dict(
            creators_listed_for(organization_id=campaign.organization_id)
            .filter(slug__in=slugs)
            .values_list("slug", "pk")
        )
        unknown = [slug for slug in slugs if slug not in ids]
        if not ids:
            raise ValidationFailed(_("None of these slugs matches a creator."), field="creators")
        sensitive_limit(request, "invitations")
        batch = batch_services.invitation_batch_start(
            campaign=campaign,
            by_user=request.user,
            creator_ids=[ids[slug] for slug in slugs if slug in ids],
            offered_fee=data.validated_data["offered_fee"],
            message=data.validated_data["message"],
        )
        batch.refresh_from_db()
        body = w.InvitationBatchOut(batch, context={"unknown_creators": unknown}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class InvitationBatchDetail(Endpoint):
    serializer_class = w.InvitationBatchOut

    @extend_schema(summary="Progress of a bulk invitation", operation_id="invitation_batches_retrieve")
    def get(self, request, pk):
        batch = visibility.invitation_batches_visible_to(caller(request)).filter(pk=pk).first()
        if batch is None:
            raise Http404
        return Response(w.InvitationBatchOut(batch).data)


class MyInvitations(ListEndpoint):
    serializer_class = w.InvitationOut

    @extend_schema(
        summary="Invitations you received (as a creator)",
        operation_id="invitations_list",
        parameters=[status_parameter(Invitation)],
    )
    def get(self, request):
        return own_page(self, request, invitations(request), w.InvitationOut)


class InvitationDetail(Endpoint):
    serializer_class = w.InvitationOut

    @extend_schema(
        summary="One invitation (to you, or from your organization)", operation_id="invitations_retrieve"
    )
    def get(self, request, pk):
        return Response(w.InvitationOut(invitation_for(request, pk)).data)


def _invitation_answer(name: str, summary: str, service, *, side: str, request_body=None, starts=False):
    """POST /invitations/{id}/<name>/: the creator answers (side "creator") or the organization does."""

    def post(self, request, pk):
        if side == "creator":
            personal(request)
        invitation = invitation_for(request, pk)
        if side == "organization":
            require_write(request, invitation.campaign.organization_id)
        extra = {}
        if request_body is not None:
            data = request_body(data=request.data)
            data.is_valid(raise_exception=True)
            extra = dict(data.validated_data)
        result = service(invitation=invitation, by_user=request.user, **extra)
        if starts:
            from api.views.workspace import collaboration_out

            return Response(collaboration_out(request, result.pk), status=status.HTTP_201_CREATED)
        return Response(w.InvitationOut(invitation_for(request, pk)).data)

    out = ws.CollaborationOut if starts else w.InvitationOut
    schema = extend_schema(
        summary=summary,
        operation_id=f"invitations_{name.replace('-', '_')}",
        request=request_body,
        responses={201 if starts else 200: out, 403: OpenApiResponse(description="Not your side of it")},
        parameters=[IDEMPOTENCY_KEY],
    )
    class_name = "Invitation" + "".join(part.title() for part in name.split("-"))
    return type(class_name, (Endpoint,), {"serializer_class": out, "post": schema(post)})


InvitationAccept = _invitation_answer(
    "accept",
    "Accept the invitation (as the creator): the collaboration starts",
    answer_services.invitation_accept,
    side="creator",
    starts=True,
)
InvitationDecline = _invitation_answer(
    "decline",
    "Decline the invitation (as the creator)",
    answer_services.invitation_decline,
    side="creator",
    request_body=w.ReasonIn,
)
InvitationCounter = _invitation_answer(
    "counter",
    "Counter the offer with your fee (as the creator)",
    answer_services.invitation_counter,
    side="creator",
    request_body=w.CounterIn,
)
InvitationCounterAccept = _invitation_answer(
    "counter-accept",
    "Accept the creator's counter-offer: the collaboration starts at their fee",
    answer_services.invitation_counter_accept,
    side="organization",
    starts=True,
)
InvitationCounterDecline = _invitation_answer(
    "counter-decline",
    "Decline the creator's counter-offer (they can still take the original offer)",
    answer_services.invitation_counter_decline,
    side="organization",
)
InvitationRevoke = _invitation_answer(
    "revoke",
    "Withdraw an open invitation",
    answer_services.invitation_revoke,
    side="organization",
    request_body=w.ReasonIn,
)
