from django import template
from django.template.loader import render_to_string
from django.urls import reverse

from brands.permissions import membership_of
from tracking.links import link_for_collaboration, link_target_for

register = template.Library()

SIDES = ("creator", "organization")


def _side(context, collaboration, user) -> str:
    """ "creator", "organization" or "" (anyone else, staff settling a dispute included)."""
    viewer = context.get("viewer")
    if viewer is not None and getattr(viewer, "side", None):
        return viewer.side if viewer.side in SIDES else ""
    if user is None or not user.is_authenticated:
        return ""
    if collaboration.creator.user_id == user.pk:
        return "creator"
    return "organization" if membership_of(user, collaboration.campaign.organization_id) else ""


@register.simple_tag(takes_context=True)
def collaboration_link(context, collaboration, user):
    """The collaboration's short link, promo code, QR code and clicks, for its creator and the
    organization's members. Two queries (the link, with its destination); the link is created on
    first view for collaborations that started before tracking existed."""
    side = _side(context, collaboration, user)
    if not side:
        return ""
    link = link_for_collaboration(collaboration)
    target = link_target_for(link)
    request = context.get("request")
    path = reverse("tracking:link_redirect", args=[link.code])
    return render_to_string(
        "tracking/_collaboration_link.html",
        {
            "link": link,
            "side": side,
            "short_url": request.build_absolute_uri(path) if request else path,
            "has_destination": bool(target.target_url),
            "creator_name": collaboration.creator.display_name,
        },
        request=request,
    )
