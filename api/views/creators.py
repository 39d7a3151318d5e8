"""Creator discovery: the web discovery page's search and filters, for organization members."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError

from api.access import caller
from api.serializers import discovery as s
from api.views.base import ListEndpoint
from brands.selectors import organizations_visible_to
from campaigns.selectors.brief_matches import brief_matches
from campaigns.visibility import organization_campaigns_visible_to
from creators.discovery import DEFAULT_AUDIENCE_MIN_SHARE, creator_search
from creators.forms.discovery import DiscoveryForm
from creators.models import CreatorProfile, SocialAccount

DISCOVERY_PARAMETERS = (
    [
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
            (
                "audience_country",
                "ISO country code making up at least `audience_country_min_share` % of the account's audience",
            ),
            (
                "audience_language",
                "Language code making up at least `audience_language_min_share` % of the audience",
            ),
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
    + [
        OpenApiParameter(
            name,
            int,
            required=False,
            description=(
                f"Minimum share of the audience, a whole percent from 1 to 100, for `{of}` (ignored "
                f"without it: a 400 says so). Default {DEFAULT_AUDIENCE_MIN_SHARE}: `{of}=ID` alone "
                f"means at least {DEFAULT_AUDIENCE_MIN_SHARE}% of the audience in Indonesia."
            ),
        )
        for name, of in [
            ("audience_country_min_share", "audience_country"),
            ("audience_language_min_share", "audience_language"),
        ]
    ]
    + [
        OpenApiParameter(
            "brief",
            int,
            required=False,
            description=(
                "Id of one of your organization's briefs: each result then carries `match` (the match "
                "score with the brief and its top reasons, as in recommendations). Another "
                "organization's brief answers 404."
            ),
        )
    ]
)


class CreatorList(ListEndpoint):
    serializer_class = s.DiscoveredCreatorOut
    queryset = CreatorProfile.objects.none()  # for the schema

    @extend_schema(
        summary="Discover creators (members of an organization), with the web page's filters",
        operation_id="creators_list",
        parameters=DISCOVERY_PARAMETERS,
        responses=s.DiscoveredCreatorOut(many=True),
    )
    def get(self, request):
        if not organizations_visible_to(caller(request)).exists():
            raise Http404
        brief = self._brief(request)
        form = DiscoveryForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        queryset = creator_search(filters=form.cleaned_data, viewer=request.user).prefetch_related(
            "niches",
            "causes",
            Prefetch("social_accounts", queryset=SocialAccount.objects.order_by("-followers", "pk")),
        )
        page = self.paginate_queryset(queryset)
        matches = brief_matches(campaign=brief, creators=list(page)) if brief is not None else {}
        return self.get_paginated_response(
            s.DiscoveredCreatorOut(page, many=True, context={"matches": matches}).data
        )

    def _brief(self, request):
        """The brief to score against, from the caller's organizations only (else 404), or None."""
        value = request.query_params.get("brief", "")
        if not value:
            return None
        if not value.isdigit():
            raise ValidationError(
                {"brief": [_("Brief must be the id (a number) of one of your organization's briefs.")]}
            )
        return get_object_or_404(organization_campaigns_visible_to(caller(request)), pk=int(value))
