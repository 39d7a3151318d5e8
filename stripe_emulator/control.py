"""Everything under /_emulator/: the JSON control API for tests (no auth: it only listens on
loopback) and the two pages a person sees instead of Stripe's hosted onboarding and checkout."""

import html
import json
import re
from urllib.parse import parse_qs

from stripe_emulator.state import Response, StripeError, dumps


def handle(emulator, method, path, query, body):
    try:
        for route_method, pattern, function in ROUTES:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                return function(emulator, _Request(query, body), **match.groupdict())
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")
    except StripeError as error:
        return Response(error.status, dumps(error.body()))


class _Request:
    def __init__(self, query, body):
        self.query = {key: values[-1] for key, values in parse_qs(query).items()}
        self.body = body

    def json(self):
        try:
            data = json.loads(self.body or "{}")
        except ValueError:
            raise StripeError(400, "The control API takes a JSON object.") from None
        if not isinstance(data, dict):
            raise StripeError(400, "The control API takes a JSON object.")
        return data


def _ok(data):
    return Response(200, dumps(data))


def _page(title, content, status=200):
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} · Stripe emulator</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}
button{{font-size:1rem;padding:.5rem 1.5rem}}small{{color:#666}}</style></head>
<body><h1>{html.escape(title)}</h1>{content}
<p><small>Kolabo's local Stripe emulator: no real money moves here.</small></p></body></html>
"""
    return Response(status, body, content_type="text/html; charset=utf-8")


def _redirect(url):
    return Response(302, "", {"Location": url}, content_type="text/plain")


def _money(amount, currency):
    return f"{currency.upper()} {amount:,} (smallest unit)"


# Control API


def reset(emulator, request):
    emulator.reset()
    return _ok({"reset": True})


def state(emulator, request):
    return _ok(emulator.dump())


def complete_checkout(emulator, request, session_id):
    return _ok(emulator.complete_checkout(session_id))


def complete_onboarding(emulator, request, account_id):
    return _ok(emulator.complete_onboarding(account_id))


def payout_failed(emulator, request, account_id):
    data = request.json()
    fields = ("amount", "currency", "failure_code", "failure_message")
    return _ok(emulator.payout_failed(account_id, **{key: data.get(key) for key in fields}))


def inject_transfer_failure(emulator, request):
    data = request.json()
    failures = emulator.inject_failure(
        data.get("mode"), data.get("count", 1), data.get("destination"), data.get("code"), data.get("message")
    )
    return _ok({"failures": failures})


def events(emulator, request):
    return _ok({"data": emulator.events(request.query.get("type"), request.query.get("account"))})


def signed_event(emulator, request, event_id):
    timestamp = request.query.get("timestamp")
    if timestamp is not None and not re.fullmatch(r"\d+", timestamp):
        raise StripeError(400, "timestamp must be a Unix time in seconds", param="timestamp")
    return _ok(emulator.signed_event(event_id, timestamp))


def webhook_status(emulator, request):
    return _ok(emulator.webhook_status())


def set_webhook(emulator, request):
    return _ok(emulator.set_webhook_url(request.json().get("url")))


def credit(emulator, request):
    data = request.json()
    return _ok(emulator.credit(data.get("amount"), data.get("currency"), data.get("account")))


# Pages


def onboarding_page(emulator, request, token):
    link = emulator.account_link(token)
    if link is None:
        return _page("Unknown onboarding link", "<p>This link does not exist.</p>", status=404)
    if not link["usable"]:
        # Expired or already used: Stripe sends the person to refresh_url for a new link.
        return _redirect(link["refresh_url"])
    account = link["account_object"]
    content = f"""<p>Account <code>{html.escape(account["id"])}</code>
({html.escape(account["email"] or "no email")}, {html.escape(account["country"])}).</p>
<p>Stripe would collect identity and bank details here. Submitting marks them all as provided.</p>
<form method="post"><button type="submit">Complete onboarding</button></form>"""
    return _page("Complete onboarding", content)


def onboarding_submit(emulator, request, token):
    target = emulator.account_link_submit(token)
    if target is None:
        return _page("Unknown onboarding link", "<p>This link does not exist.</p>", status=404)
    return _redirect(target)


def checkout_page(emulator, request, session_id):
    view = emulator.checkout_view(session_id)
    if view is None:
        return _page("Unknown checkout session", "<p>This session does not exist.</p>", status=404)
    session, lines = view
    rows = "".join(
        f"<li>{html.escape(line['name'])} × {line['quantity']}: "
        f"{html.escape(_money(line['unit_amount'] * line['quantity'], line['currency']))}</li>"
        for line in lines
    )
    total = html.escape(_money(session["amount_total"], session["currency"]))
    if session["status"] == "complete":
        link = _success_url(session)
        more = f'<p><a href="{html.escape(link)}">Back to the shop</a></p>' if link else ""
        return _page("Paid", f"<ul>{rows}</ul><p>Total {total}: paid.</p>{more}")
    cancel = session["cancel_url"]
    cancel_link = f' <a href="{html.escape(cancel)}">Cancel</a>' if cancel else ""
    content = f"""<ul>{rows}</ul><p><strong>Total {total}</strong></p>
<form method="post"><button type="submit">Pay</button>{cancel_link}</form>"""
    return _page("Pay", content)


def checkout_submit(emulator, request, session_id):
    session = emulator.complete_checkout(session_id)
    link = _success_url(session)
    return _redirect(link) if link else checkout_page(emulator, request, session_id)


def _success_url(session):
    # Stripe fills in the template variable so the success page can look the session up.
    url = session["success_url"]
    return url.replace("{CHECKOUT_SESSION_ID}", session["id"]) if url else None


ROUTES = [
    (method, re.compile("/_emulator" + pattern), function)
    for method, pattern, function in (
        ("POST", r"/reset", reset),
        ("GET", r"/state", state),
        ("POST", r"/checkout/sessions/(?P<session_id>[^/]+)/complete", complete_checkout),
        ("POST", r"/accounts/(?P<account_id>[^/]+)/complete_onboarding", complete_onboarding),
        ("POST", r"/accounts/(?P<account_id>[^/]+)/payout_failed", payout_failed),
        ("POST", r"/failures/transfers", inject_transfer_failure),
        ("GET", r"/events", events),
        ("GET", r"/events/(?P<event_id>[^/]+)/signed", signed_event),
        ("GET", r"/webhook", webhook_status),
        ("POST", r"/webhook", set_webhook),
        ("POST", r"/balance/credit", credit),
        ("GET", r"/onboarding/(?P<token>[^/]+)", onboarding_page),
        ("POST", r"/onboarding/(?P<token>[^/]+)", onboarding_submit),
        ("GET", r"/checkout/(?P<session_id>[^/]+)", checkout_page),
        ("POST", r"/checkout/(?P<session_id>[^/]+)", checkout_submit),
    )
]
