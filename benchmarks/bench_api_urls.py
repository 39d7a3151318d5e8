"""The app's routes plus /bench/baseline/: the same 50 campaign rows as the API page, with the same
columns, through .values() and JsonResponse."""

from django.http import JsonResponse
from django.urls import include, path

from api.serializers.campaigns import CampaignOut
from campaigns.models import Campaign

# Every column the API's campaign shows (the API adds niches, causes and deliverables on top).
FIELDS = (
    *(
        name
        for name in CampaignOut.Meta.fields
        if name not in ("organization", "niches", "causes", "deliverables")
    ),
    "organization__slug",
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
