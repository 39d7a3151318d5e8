"""The app's routes plus /bench/baseline/: the same 50 campaigns as the API page, as plain JSON."""

from django.http import JsonResponse
from django.urls import include, path

from campaigns.models import Campaign

FIELDS = (
    "id",
    "organization__slug",
    "title",
    "kind",
    "compensation",
    "objective",
    "description",
    "status",
    "platforms",
    "fee_min",
    "fee_max",
    "currency",
    "slots",
    "published_at",
    "created_at",
)


def baseline(request):
    page_size = min(int(request.GET.get("page_size", 20)), 100)
    rows = list(
        Campaign.objects.filter(organization__slug="brand-0")
        .order_by("-created_at", "-pk")
        .values(*FIELDS)[:page_size]
    )
    return JsonResponse({"results": rows})


urlpatterns = [path("bench/baseline/", baseline), path("", include("marketplace.urls"))]
