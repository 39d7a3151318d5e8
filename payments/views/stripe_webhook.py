"""The endpoint Stripe sends its events to; payments/stripe_events.py verifies, stores and applies them."""

from django.db import OperationalError
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import gateway, stripe_events


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Verified over the raw body; 400 with no side effect when it does not verify or is malformed."""
    try:
        event = stripe_events.stripe_event_verify(request.body, request.headers.get("Stripe-Signature", ""))
    except stripe_events.MalformedEvent:
        return HttpResponseBadRequest("malformed event")
    except gateway.BadSignature:
        return HttpResponseBadRequest("invalid signature")
    stored, done = stripe_events.stripe_event_store(event)
    if done:
        return HttpResponse("duplicate")
    try:
        outcome = stripe_events.stripe_event_process(event_id=stored.event_id)
    except OperationalError:
        # A row lock we could not get in time (or the database is busy): Stripe retries a 503.
        return HttpResponse("busy, retry", status=503)
    except gateway.Unclear:
        return HttpResponse("Stripe did not answer, retry", status=503)
    return HttpResponse(outcome)
