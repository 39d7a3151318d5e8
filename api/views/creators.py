"""Creator discovery: the web discovery page's search and filters, for organization members."""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError

from api.access import caller
from api.serializers import core as s
from api.views.base import ListEndpoint
from brands.selectors import organizations_visible_to
from creators.discovery import creator_search
from creators.forms.discovery import DiscoveryForm
from creators.models import CreatorProfile, SocialAccount

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
        ("verified", "true: only accounts checked by Kolabo staff"),
        (
            "metrics_verified",
            "true: only accounts whose numbers are verified (connected to Kolabo: read from Instagram "
            "or TikTok, not typed in); see `metrics_source` in the results",
        ),
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
            raise ValidationError(form.errors)
        queryset = creator_search(filters=form.cleaned_data, viewer=request.user).prefetch_related(
            "niches",
            "causes",
            Prefetch("social_accounts", queryset=SocialAccount.objects.order_by("-followers", "pk")),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.CreatorOut(page, many=True).data)
