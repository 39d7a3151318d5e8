"""The caller, their organizations and members, and creator discovery."""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from api.access import caller, membership
from api.serializers import core as s
from api.views.base import Endpoint, ListEndpoint
from brands.models import Membership, Organization
from brands.selectors import memberships_visible_to, organizations_visible_to
from creators.discovery import creator_search
from creators.forms.discovery import DiscoveryForm
from creators.models import CreatorProfile, SocialAccount


class MeView(Endpoint):
    serializer_class = s.MeOut

    @extend_schema(summary="The authenticated user", operation_id="me_retrieve")
    def get(self, request):
        return Response(s.MeOut(request.user).data)


class OrganizationList(ListEndpoint):
    serializer_class = s.OrganizationOut
    queryset = Organization.objects.none()  # for the schema; the real one is per caller

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return organizations_visible_to(caller(self.request)).order_by("name", "pk")

    @extend_schema(
        summary="Organizations you belong to (an API key: its own)",
        operation_id="organizations_list",
        responses=s.OrganizationOut(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.OrganizationOut(page, many=True).data)


def organization_for(request, slug: str):
    organization = organizations_visible_to(caller(request)).filter(slug=slug).first()
    if organization is None:
        raise Http404
    return organization


class OrganizationDetail(Endpoint):
    serializer_class = s.OrganizationOut

    @extend_schema(summary="One of your organizations", operation_id="organizations_retrieve")
    def get(self, request, slug):
        return Response(s.OrganizationOut(organization_for(request, slug)).data)


class MemberList(ListEndpoint):
    serializer_class = s.MembershipOut
    queryset = Membership.objects.none()  # for the schema

    @extend_schema(
        summary="Members of one of your organizations",
        operation_id="organizations_members_list",
        responses=s.MembershipOut(many=True),
    )
    def get(self, request, slug):
        organization = organization_for(request, slug)
        queryset = (
            memberships_visible_to(caller(request))
            .filter(organization=organization)
            .select_related("user")
            .order_by("pk")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.MembershipOut(page, many=True).data)


DISCOVERY_PARAMETERS = [
    OpenApiParameter(name, str, required=False, description=description)
    for name, description in [
        ("q", "Text in the display name, bio or handle"),
        ("niche", "Niche slug"),
        ("cause", "Cause slug"),
        ("platform", "instagram, tiktok, youtube, x, facebook or threads"),
        ("tier", "starter, nano, micro, mid, macro or mega"),
        ("min_followers", "At least this many followers"),
        ("max_followers", "At most this many followers"),
        ("min_engagement", "Minimum engagement rate, in %"),
        ("audience_country", "ISO country code present in the audience"),
        ("audience_language", "Language code present in the audience"),
        ("country", "Where the creator lives (ISO code)"),
        ("city", "City contains"),
        ("fee_min", "Lowest rate-card price"),
        ("fee_max", "Highest rate-card price"),
        ("fee_currency", "IDR or USD (for the fee filters)"),
        ("min_rating", "Minimum average rating (1–5)"),
        ("verified", "true: only verified accounts"),
        ("pro_bono", "true: only creators open to pro-bono work"),
        ("sort", "relevance, followers, engagement, rating or newest"),
    ]
]


class CreatorList(ListEndpoint):
    serializer_class = s.CreatorOut
    queryset = CreatorProfile.objects.none()  # for the schema

    @extend_schema(
        summary="Discover creators (members of an organization), with the web page's filters",
        operation_id="creators_list",
        parameters=DISCOVERY_PARAMETERS,
        responses=s.CreatorOut(many=True),
    )
    def get(self, request):
        if not organizations_visible_to(caller(request)).exists():
            raise Http404
        form = DiscoveryForm(request.query_params)
        if not form.is_valid():
            from rest_framework.exceptions import ValidationError

            raise ValidationError(form.errors)
        queryset = creator_search(filters=form.cleaned_data, viewer=request.user).prefetch_related(
            "niches",
            "causes",
            Prefetch("social_accounts", queryset=SocialAccount.objects.order_by("-followers", "pk")),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.CreatorOut(page, many=True).data)


__all__ = ["CreatorList", "MeView", "MemberList", "OrganizationDetail", "OrganizationList", "membership"]
