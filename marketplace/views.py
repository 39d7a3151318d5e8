from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from brands import selectors as brand_selectors
from creators import selectors as creator_selectors

from . import health
from .models import User


def home(request):
    return render(
        request,
        "marketplace/home.html",
        {"stats": creator_selectors.public_stats() | brand_selectors.public_stats()},
    )


@login_required
def dashboard(request):
    """One page per person, with a panel for each role they hold.

    Someone who has not onboarded yet is sent to the form that matches how they signed up.
    """
    user = request.user
    creator = creator_selectors.creator_dashboard(user=user)
    orgs = brand_selectors.org_dashboard(user=user)
    staff = brand_selectors.staff_dashboard() if user.is_staff else None
    if creator is None and not orgs["memberships"] and staff is None:
        if user.signup_role == User.SignupRole.CREATOR:
            return redirect("creators:onboarding")
        if user.signup_role in (User.SignupRole.BRAND, User.SignupRole.NGO):
            return redirect(f"{reverse('brands:org_create')}?kind={user.signup_role}")
    return render(request, "marketplace/dashboard.html", {"creator": creator, "orgs": orgs, "staff": staff})


@never_cache
@require_GET
def healthz(request):
    healthy, body = health.report()
    return JsonResponse(body, status=200 if healthy else 503)
