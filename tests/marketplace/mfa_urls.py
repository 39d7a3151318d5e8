from django.http import HttpResponse
from django.urls import path

from marketplace.decorators import require_mfa
from marketplace.urls import urlpatterns as site_urlpatterns


@require_mfa
def money_view(request):
    return HttpResponse("money moves here")


urlpatterns = [path("test/money/", money_view, name="test_money"), *site_urlpatterns]
