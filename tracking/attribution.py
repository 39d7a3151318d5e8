"""Last-touch attribution of a conversion to one collaboration (pure rules plus two look-ups).

A touch is a moment a creator's link or code reached the person who converted:
- a click id (kclid) touches at the click's time (tracking.clicks.click_for_token);
- a promo code touches at the conversion's own time (the code was typed at checkout).

The later touch wins (a promo code therefore beats an earlier click; on a tie the click wins, it
names a real visit). A touch counts only when it is not after the conversion and not more than
the campaign's attribution window before it: exactly at the window's edge still counts.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from tracking.models import Conversion


class Reason:
    """Why a conversion was recorded without a creator (shown in reports and postback answers)."""

    NO_TOUCH = "no_touch"  # neither a click id nor a promo code was given
    UNKNOWN_CLICK = "unknown_click"
    UNKNOWN_PROMO = "unknown_promo"
    CLICK_AFTER = "click_after_conversion"
    OUTSIDE_WINDOW = "outside_window"
    WINDOW_CLOSED = "window_closed"  # the collaboration's commissions were already accrued


@dataclass(frozen=True)
class Touch:
    kind: str  # Conversion.Touch
    collaboration_id: int
    link_id: int
    at: datetime
    click_id: int | None = None


@dataclass(frozen=True)
class Attribution:
    touch: Touch | None
    reason: str = ""  # a Reason when touch is None
    unknown_click: bool = False
    unknown_promo: bool = False


def click_touch(*, campaign_id: int, token: str) -> Touch | None:
    """The click named by `token`, if it is a click on one of this campaign's links."""
    if not token:
        return None
    from tracking.clicks import click_for_token  # H1's module: the DB and the unflushed buffer

    found = click_for_token(token)
    if found is None or found.campaign_id != campaign_id:
        return None
    return Touch(
        kind=Conversion.Touch.LINK,
        collaboration_id=found.collaboration_id,
        link_id=found.link_id,
        at=found.clicked_at,
        click_id=found.click_id,
    )


def promo_touch(*, campaign_id: int, promo_code: str, occurred_at: datetime) -> Touch | None:
    if not promo_code:
        return None
    from tracking.links import link_by_promo_code  # H1's module; case-insensitive

    link = link_by_promo_code(campaign_id, promo_code)
    if link is None:
        return None
    return Touch(
        kind=Conversion.Touch.PROMO,
        collaboration_id=link.collaboration_id,
        link_id=link.pk,
        at=occurred_at,
    )


def touch_in_window(touch: Touch, *, occurred_at: datetime, window_days: int) -> str:
    """An empty string when the touch may take the conversion, else the Reason it may not."""
    if touch.at > occurred_at:
        return Reason.CLICK_AFTER
    if occurred_at - touch.at > timedelta(days=window_days):
        return Reason.OUTSIDE_WINDOW
    return ""


def attribute(
    *, campaign_id: int, window_days: int, occurred_at: datetime, click_token: str, promo_code: str
) -> Attribution:
    """The winning touch, or None with the reason (the first failing rule of the best candidate)."""
    click = click_touch(campaign_id=campaign_id, token=click_token)
    promo = promo_touch(campaign_id=campaign_id, promo_code=promo_code, occurred_at=occurred_at)
    unknown_click = bool(click_token) and click is None
    unknown_promo = bool(promo_code) and promo is None
    reasons = []
    candidates = []
    for touch in (click, promo):
        if touch is None:
            continue
        reason = touch_in_window(touch, occurred_at=occurred_at, window_days=window_days)
        if reason:
            reasons.append(reason)
        else:
            candidates.append(touch)
    if candidates:
        # Later touch wins; max() keeps the first of equals, so a click ties ahead of a promo code.
        best = max(candidates, key=lambda touch: touch.at)
        return Attribution(touch=best, unknown_click=unknown_click, unknown_promo=unknown_promo)
    if reasons:
        reason = reasons[0]
    elif unknown_click:
        reason = Reason.UNKNOWN_CLICK
    elif unknown_promo:
        reason = Reason.UNKNOWN_PROMO
    else:
        reason = Reason.NO_TOUCH
    return Attribution(touch=None, reason=reason, unknown_click=unknown_click, unknown_promo=unknown_promo)
