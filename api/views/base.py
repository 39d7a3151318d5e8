from drf_spectacular.utils import OpenApiParameter
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin

from api.idempotency import IdempotentPostMixin
from api.query import body_size_check, query_check

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID). The first response is stored for this key and your "
    "credentials and replayed for a retry; the same key with a different body answers 422.",
)


class Endpoint(IdempotentPostMixin, GenericAPIView):
    """Every API view: authentication, scope checks, idempotent POSTs, checked query parameters,
    one error shape."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        body_size_check(request)
        query_check(request)


class ListEndpoint(ListModelMixin, Endpoint):
    """An endpoint whose GET returns one page of a list: the schema documents the page envelope."""

    def get_queryset(self):
        # Only the schema generator calls this: each list builds its own queryset in get().
        model = getattr(getattr(self.get_serializer_class(), "Meta", None), "model", None)
        return model.objects.none() if model is not None else super().get_queryset()
