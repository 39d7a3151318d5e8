from drf_spectacular.utils import OpenApiParameter
from rest_framework.generics import GenericAPIView

from api.idempotency import IdempotentPostMixin

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID). The first response is stored for this key and your "
    "credentials and replayed for a retry; the same key with a different body answers 422.",
)


class Endpoint(IdempotentPostMixin, GenericAPIView):
    """Every API view: authentication, scope checks, idempotent POSTs, one error shape."""
