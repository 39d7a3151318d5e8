"""Short links: /r/<code> redirects to the campaign's destination and counts the click; the QR
codes of the short link for posters and workshops."""

import io

import segno
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from tracking import clicks, links

QR_CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


@require_safe
def link_redirect(request, code):
    # HEAD (link checkers, previews) is answered without counting.
    visit = clicks.visit_record(request, code, count=request.method == "GET")
    if visit is None:
        raise Http404("No tracked link with this code")
    if not visit.target.target_url:
        response = render(request, "tracking/links/no_destination.html", status=404)
    else:
        response = HttpResponseRedirect(links.destination_url(visit.target, click_token=visit.token))
    # Every visit must reach us to be counted: no browser or proxy may keep the redirect.
    patch_cache_control(response, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def link_qr(request, code, kind):
    """The short link's QR code, as SVG or PNG; ?download=1 to save it as a file."""
    target = links.link_target(code)
    if target is None or kind not in QR_CONTENT_TYPES:
        raise Http404("No tracked link with this code")
    url = request.build_absolute_uri(reverse("tracking:link_redirect", args=[target.code]))
    qr = segno.make(url, error="m")
    buffer = io.BytesIO()
    if kind == "svg":
        qr.save(buffer, kind="svg", scale=8, border=4, title=url, xmldecl=True)
    else:
        qr.save(buffer, kind="png", scale=12, border=4)
    response = HttpResponse(buffer.getvalue(), content_type=QR_CONTENT_TYPES[kind])
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="kolabo-{target.code}.{kind}"'
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response
