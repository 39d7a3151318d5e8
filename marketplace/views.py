from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from brands import selectors as brand_selectors
from campaigns.selectors import dashboard_panels as campaign_selectors
from creators import selectors as creator_selectors

from . import health, permissions, services
from .decorators import session_used_mfa
from .models import Notification, User


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
    staff = None
    if permissions.is_staff_member(user):
        # Queue counts and waiting organizations are staff data: shown only to an MFA-verified session.
        staff = brand_selectors.staff_dashboard() if session_used_mfa(request) else {"needs_mfa": True}
    work = campaign_selectors.creator_work_summary(user=user) if creator else None
    org_campaigns = campaign_selectors.org_campaigns_panel(user=user) if orgs["memberships"] else []
    orgs["work"] = brand_selectors.org_work_waiting(user=user) if orgs["memberships"] else []
    if staff is not None and not staff.get("needs_mfa"):
        # Each queue is listed to the staff who hold its role.
        staff["roles"] = {
            "payouts": permissions.can_review_payouts(user),
            "disputes": permissions.can_handle_disputes(user),
            "verifications": permissions.can_review_verifications(user),
        }
    if creator is None and not orgs["memberships"] and staff is None:
        if user.signup_role == User.SignupRole.CREATOR:
            return redirect("creators:onboarding")
        if user.signup_role in (User.SignupRole.BRAND, User.SignupRole.NGO):
            return redirect(f"{reverse('brands:org_create')}?kind={user.signup_role}")
    return render(
        request,
        "marketplace/dashboard.html",
        {"creator": creator, "orgs": orgs, "staff": staff, "work": work, "org_campaigns": org_campaigns},
    )


@never_cache
@require_GET
def healthz(request):
    healthy, body = health.report()
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
def notification_list(request):
    page = Paginator(request.user.notifications.all(), 30).get_page(request.GET.get("page"))
    return render(request, "marketplace/notifications.html", {"page": page})


@login_required
@require_POST
def notification_open(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(notification=notification)
    return redirect(notification.url or "notifications")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications")


@require_POST
def set_language(request):
    """Django's language switch, remembered on the account so emails use it too."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(preferred_language=language)
    return response
