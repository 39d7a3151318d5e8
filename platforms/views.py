"""The creator's connected accounts page, the OAuth round trip, and Meta's removal callbacks.

Who may act is the creators' rule: `creator_required` gives the view the user's own profile, and a
connection is looked up within it, so another creator's connection answers 404.
"""

import contextlib

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from creators.models import Platform
from creators.views.profiles import creator_required
from marketplace.errors import DomainError
from platforms import oauth
from platforms.models import CONNECTABLE, PlatformConnection
from platforms.selectors import platform_rows
from platforms.services import connections


def _connectable(platform: str) -> str:
    if platform not in CONNECTABLE:
        raise Http404(_("Kolabo cannot connect this platform."))
    return platform


@never_cache
@creator_required
@require_http_methods(["GET", "HEAD"])
def connections_page(request, profile):
    return render(
        request,
        "platforms/connections.html",
        {"profile": profile, "rows": platform_rows(profile)},
    )


@creator_required
@require_POST
def connect(request, platform, profile):
    platform = _connectable(platform)
    redirect_uri = request.build_absolute_uri(reverse("platforms:callback", args=[platform]))
    state = oauth.state_issue(request, platform=platform, redirect_uri=redirect_uri)
    return redirect(oauth.authorize_url(platform, redirect_uri=redirect_uri, state=state))


@never_cache
@creator_required
@require_GET  # not HEAD: a link prefetcher must not spend the code
def callback(request, platform, profile):
    platform = _connectable(platform)
    label = Platform(platform).label
    state = request.GET.get("state", "")
    if request.GET.get("error"):
        # The state is spent either way, so the same link cannot be replayed.
        with contextlib.suppress(oauth.PlatformAuthError):
            oauth.state_consume(request, platform=platform, state=state)
        _tell_why_not_connected(request, platform, request.GET)
        return redirect("platforms:connections")
    try:
        redirect_uri = oauth.state_consume(request, platform=platform, state=state)
        code = request.GET.get("code", "")
        if not code:
            raise oauth.PlatformAuthError()
        token_bundle = oauth.code_exchange(platform, code=code, redirect_uri=redirect_uri)
        platform_profile = oauth.profile_fetch(platform, token_bundle)
        connection = connections.connection_create(
            profile=profile,
            by_user=request.user,
            platform=platform,
            token_bundle=token_bundle,
            platform_profile=platform_profile,
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _(
                "Your %(platform)s account @%(username)s is connected. "
                "Kolabo is reading your numbers now; they show as verified once read."
            )
            % {"platform": label, "username": connection.username},
        )
    return redirect("platforms:connections")


def _tell_why_not_connected(request, platform: str, query) -> None:
    label = Platform(platform).label
    if query.get("error_reason") == "not_professional_account":
        messages.error(request, connections.personal_account_message())
    elif query.get("error") == "access_denied":
        messages.warning(
            request,
            _(
                "You did not allow Kolabo to read your %(platform)s account, so nothing was connected. "
                "You can connect it any time, or keep entering your numbers yourself."
            )
            % {"platform": label},
        )
    else:
        messages.error(
            request,
            _("%(platform)s could not complete the connection. Please try again in a few minutes.")
            % {"platform": label},
        )


@creator_required
@require_POST
def disconnect(request, pk, profile):
    connection = get_object_or_404(PlatformConnection, pk=pk, profile=profile)
    delete_data = request.POST.get("delete_data") == "1"
    try:
        connections.connection_disconnect(
            connection=connection, by_user=request.user, delete_data=delete_data
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        if delete_data:
            text = _(
                "%(account)s is disconnected and the data Kolabo read from it is deleted. "
                "Your profile shows the numbers you entered yourself."
            )
        else:
            text = _(
                "%(account)s is disconnected. Its last verified numbers stay on your profile with their date."
            )
        messages.success(request, text % {"account": connection})
    return redirect("platforms:connections")


# Meta's callbacks (Instagram): authenticated by the signed_request, not by a session.


@csrf_exempt
@require_POST
def meta_deauthorize(request):
    try:
        connections.deauthorize(request.POST.get("signed_request", ""))
    except connections.SignedRequestInvalid:
        return JsonResponse({"error": "invalid signed_request"}, status=400)
    return JsonResponse({"success": True})


@csrf_exempt
@require_POST
def meta_data_deletion(request):
    """Answers as Meta documents: where the person can check the deletion, and its code."""
    try:
        receipt = connections.data_deletion(request.POST.get("signed_request", ""))
    except connections.SignedRequestInvalid:
        return JsonResponse({"error": "invalid signed_request"}, status=400)
    status_url = request.build_absolute_uri(
        reverse("platforms:deletion_status", args=[receipt.confirmation_code])
    )
    return JsonResponse({"url": status_url, "confirmation_code": receipt.confirmation_code})


@require_http_methods(["GET", "HEAD"])
def deletion_status(request, code):
    status = connections.deletion_status(code)
    if status is None:
        raise Http404(_("Kolabo has no deletion request with this confirmation code."))
    return render(request, "platforms/deletion_status.html", {"status": status, "code": code})
