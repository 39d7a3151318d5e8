"""The caller, their organizations and members."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.access import caller, membership
from api.serializers import core as s
from api.views.base import Endpoint, ListEndpoint
from brands.models import Membership, Organization
from brands.selectors import memberships_visible_to, organizations_visible_to


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


__all__ = ["MeView", "MemberList", "OrganizationDetail", "OrganizationList", "membership"]
