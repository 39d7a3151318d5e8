"""A creator's own connected platform accounts (Instagram, TikTok), read-only.

For the person (a session or a personal token): organization API keys get 403, and a person sees
the connections of their own creator profile only (an empty list without one). Brands learn what a
connection means for the numbers through `metrics_source` and `metrics_verified_at` on the creator
and recommendation outputs, never through these rows. Connecting and disconnecting stay on the web
(they go through the platform's consent pages).
"""

from drf_spectacular.utils import extend_schema

from api.query import query_choice
from api.serializers import connections as s
from api.views.base import ListEndpoint
from api.views.offers import STATUS, personal, status_parameter
from platforms.models import PlatformConnection
from platforms.selectors import connections_of, with_latest_metrics


class MyConnections(ListEndpoint):
    serializer_class = s.ConnectionOut
    filter_backends = []  # filters are explicit query parameters, documented per operation

    @extend_schema(
        summary="Your connected Instagram and TikTok accounts (as a creator), with their latest verified numbers",
        description=(
            "Every connection of your creator profile, connected or not, newest first per platform. "
            "Tokens are never shown. Organization API keys get 403: use a personal access token."
        ),
        operation_id="me_connections_list",
        parameters=[status_parameter(PlatformConnection)],
    )
    def get(self, request):
        personal(request)
        queryset = connections_of(request.user)
        status_value = query_choice(request, STATUS, PlatformConnection.Status.values)
        if status_value:
            queryset = queryset.filter(status=status_value)
        page = with_latest_metrics(self.paginate_queryset(queryset))
        return self.get_paginated_response(s.ConnectionOut(page, many=True).data)
