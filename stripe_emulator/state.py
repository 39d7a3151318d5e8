"""The emulator's objects, balances and Stripe's rules, behind one lock. No HTTP here: server.py
reads requests and writes responses, control.py serves the /_emulator/ API and pages."""

import base64
import binascii
import copy
import json
import re
import secrets
import string
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from stripe_emulator import forms, webhooks

# What stripe-python 16 sends as Stripe-Version; events carry the version of the latest request.
API_VERSION = "2026-10-28.endive"
ID_ALPHABET = string.ascii_letters + string.digits
DEFAULT_CURRENCY = {"ID": "idr", "US": "usd", "SG": "sgd", "MY": "myr", "AU": "aud", "GB": "gbp"}
# What a new Express account must still provide; onboarding clears it.
ONBOARDING_DUE = (
    "business_profile.mcc",
    "business_profile.url",
    "business_type",
    "external_account",
    "individual.first_name",
    "individual.last_name",
    "tos_acceptance.date",
    "tos_acceptance.ip",
)
# Stripe's test PaymentMethods (docs.stripe.com/testing) and where a confirmed payment's money lands:
# 4000000000000077 (pm_card_bypassPending) "bypasses the pending balance" straight into the available
# one, which is how a test platform funds transfers; ordinary cards settle into pending first.
TEST_PAYMENT_METHODS = {
    "pm_card_bypassPending": "available",
    "pm_card_visa": "pending",
    "pm_card_mastercard": "pending",
    "pm_card_chargeDeclined": "declined",
}
ACCOUNT_LINK_TTL = 300  # seconds, as Stripe's account links
CHECKOUT_TTL = 24 * 3600
METADATA_LIMITS = (50, 40, 500)  # keys, key length, value length


def new_id(prefix, length=24):
    return prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(length))


def now():
    return int(time.time())


def dumps(data):
    return json.dumps(data, indent=2)


class StripeError(Exception):
    """An error answer in Stripe's shape. `saved` marks errors raised once the endpoint has begun to
    execute: Stripe stores those under the Idempotency-Key and replays them; it does not store
    validation errors (missing or malformed parameters, unknown objects), which may be retried."""

    def __init__(self, status, message, *, type="invalid_request_error", code=None, param=None, saved=False):
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = status, message, type, code, param
        self.saved = saved

    def body(self):
        return {"error": {"type": self.type, "code": self.code, "message": self.message, "param": self.param}}


def _missing(param):
    return StripeError(400, f"Missing required param: {param}.", code="parameter_missing", param=param)


def _invalid(param, message, code="parameter_invalid"):
    return StripeError(400, message, code=code, param=param)


def _no_such(kind, object_id, param=None):
    # An unknown id in the URL is a 404; one named in a parameter is a 400 on that parameter.
    return StripeError(
        400 if param else 404,
        f"No such {kind}: '{object_id}'",
        code="resource_missing",
        param=param or "id",
    )


def _text(params, name, *, param=None, required=False, choices=None):
    param = param or name
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise _missing(param)
        return None
    if not isinstance(value, str):
        raise _invalid(param, f"Invalid string: {param} must be a string.")
    if choices and value not in choices:
        raise _invalid(param, f"Invalid {param}: must be one of {', '.join(choices)}")
    return value


def _integer(params, name, *, param=None, required=False, minimum=None, default=None):
    param = param or name
    value = _text(params, name, param=param, required=required)
    if value is None:
        return default
    if not re.fullmatch(r"-?\d+", value):
        raise _invalid(param, f"Invalid integer: {value}", code="parameter_invalid_integer")
    number = int(value)
    if minimum is not None and number < minimum:
        raise _invalid(param, f"Invalid {param}: must be at least {minimum}")
    return number


def _boolean(params, name, *, param=None):
    value = _text(params, name, param=param)
    if value is None:
        return None
    if value not in ("true", "false"):
        raise _invalid(param or name, f"Invalid boolean: {value}")
    return value == "true"


def _currency(params, name="currency", *, param=None):
    currency = _text(params, name, param=param, required=True).lower()
    if not re.fullmatch(r"[a-z]{3}", currency):
        raise _invalid(param or name, f"Invalid currency: {currency}.")
    return currency


def _hash(params, name, *, param=None):
    value = params.get(name)
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise _invalid(param or name, f"Invalid hash: {param or name}")
    return value


def _metadata(params, current=None):
    """Stripe's metadata rules: strings, bounded; on update an empty value removes its key and an
    empty `metadata` removes them all."""
    if params.get("metadata") == "":
        return {}
    merged = dict(current or {})
    for key, value in _hash(params, "metadata").items():
        if not isinstance(value, str):
            raise _invalid(f"metadata[{key}]", f"Invalid metadata[{key}]: must be a string")
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    max_keys, max_key, max_value = METADATA_LIMITS
    if len(merged) > max_keys or any(len(k) > max_key or len(v) > max_value for k, v in merged.items()):
        raise _invalid(
            "metadata", "Metadata can have up to 50 keys, of up to 40 characters, with values of up to 500."
        )
    return merged


def _requirements(due):
    due = list(due)
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": due,
        "disabled_reason": "requirements.past_due" if due else None,
        "errors": [],
        "eventually_due": list(due),
        "past_due": list(due),
        "pending_verification": [],
    }


def _list(url, data, has_more=False):
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def _created_filter(params):
    """`created=<ts>` or `created[gte|gt|lte|lt]=<ts>`, as Stripe's list endpoints take it."""
    value = params.get("created")
    if value is None:
        return lambda created: True
    if isinstance(value, str):
        exact = _integer(params, "created")
        return lambda created: created == exact
    bounds = {op: _integer(value, op, param=f"created[{op}]") for op in ("gt", "gte", "lt", "lte")}
    tests = {
        "gt": lambda c, b: c > b,
        "gte": lambda c, b: c >= b,
        "lt": lambda c, b: c < b,
        "lte": lambda c, b: c <= b,
    }
    return lambda created: all(tests[op](created, b) for op, b in bounds.items() if b is not None)


def _page(url, items, params):
    """One page of `items` (newest first) with Stripe's limit / starting_after / ending_before."""
    limit = _integer(params, "limit", default=10)
    if not 1 <= limit <= 100:
        raise _invalid("limit", "Invalid limit: must be between 1 and 100")
    ids = [item["id"] for item in items]
    after, before = _text(params, "starting_after"), _text(params, "ending_before")
    if after:
        if after not in ids:
            raise _no_such("object", after, param="starting_after")
        items = items[ids.index(after) + 1 :]
        return _list(url, items[:limit], len(items) > limit)
    if before:
        if before not in ids:
            raise _no_such("object", before, param="ending_before")
        items = items[: ids.index(before)]
        return _list(url, items[-limit:], len(items) > limit)
    return _list(url, items[:limit], len(items) > limit)


@dataclass
class Call:
    """One API request as the handlers see it."""

    account: str | None  # the Stripe-Account header: whose objects and balance
    base_url: str  # where this emulator's pages are reached, from the request's Host
    request_id: str
    idempotency_key: str | None
    drop: bool = False  # set by an injected timeout: answer nothing, close the connection


@dataclass
class Response:
    status: int
    body: str
    headers: dict = field(default_factory=dict)
    content_type: str = "application/json"
    drop: bool = False


@dataclass
class _Replay:
    fingerprint: tuple
    status: int
    body: str
    request_id: str


ROUTES = [
    (method, re.compile(pattern), handler)
    for method, pattern, handler in (
        ("POST", r"/v1/accounts", "account_create"),
        ("GET", r"/v1/accounts/(?P<object_id>[^/]+)", "account_retrieve"),
        ("POST", r"/v1/accounts/(?P<object_id>[^/]+)", "account_update"),
        ("POST", r"/v1/account_links", "account_link_create"),
        ("POST", r"/v1/transfers", "transfer_create"),
        ("GET", r"/v1/transfers", "transfer_list"),
        ("GET", r"/v1/transfers/(?P<object_id>[^/]+)", "transfer_retrieve"),
        ("POST", r"/v1/transfers/(?P<object_id>[^/]+)/reversals", "reversal_create"),
        ("GET", r"/v1/transfers/(?P<object_id>[^/]+)/reversals", "reversal_list"),
        ("POST", r"/v1/checkout/sessions", "checkout_session_create"),
        ("GET", r"/v1/checkout/sessions/(?P<object_id>[^/]+)", "checkout_session_retrieve"),
        ("POST", r"/v1/payment_intents", "payment_intent_create"),
        ("GET", r"/v1/payment_intents/(?P<object_id>[^/]+)", "payment_intent_retrieve"),
        ("POST", r"/v1/refunds", "refund_create"),
        ("GET", r"/v1/refunds/(?P<object_id>[^/]+)", "refund_retrieve"),
        ("GET", r"/v1/payouts/(?P<object_id>[^/]+)", "payout_retrieve"),
        ("GET", r"/v1/balance", "balance_retrieve"),
        ("GET", r"/v1/events", "event_list"),
        ("GET", r"/v1/events/(?P<object_id>[^/]+)", "event_retrieve"),
    )
]


class Emulator:
    def __init__(self, api_key, webhook_secret, webhook_url=None):
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.startup_webhook_url = webhook_url
        # One lock around all state: requests are tiny, and serializing them makes concurrent
        # requests with one Idempotency-Key replay the first answer instead of racing it.
        self.lock = threading.RLock()
        self.sender = webhooks.Sender(webhook_secret)
        self.reset()

    def reset(self):
        with self.lock:
            self.objects = {}  # id -> the Stripe object, in creation order
            self.owners = {}  # id -> connected account id, or None for the platform's own
            self.balances = defaultdict(int)  # (owner, currency) -> available amount
            self.pending = defaultdict(int)  # (owner, currency) -> pending amount (never settles here)
            self.replays = {}  # (api key, Stripe-Account, Idempotency-Key) -> _Replay
            self.links = {}  # account link token -> its account, urls and state
            self.checkout_extras = {}  # session id -> payment_intent_data and line items
            self.charges = {}  # charge id -> payment intent id
            self.refunded = defaultdict(int)  # payment intent id -> amount refunded
            self.failures = []  # injected transfer failures, used in order
            self.webhook_url = self.startup_webhook_url
            self.api_version = API_VERSION
            self.sender.cancel()

    # The API entry point

    def api_request(self, method, path, headers, raw_params, base_url):
        request_id = new_id("req_", 14)
        response_headers = {
            "Request-Id": request_id,
            "Stripe-Version": headers.get("Stripe-Version") or API_VERSION,
        }
        key = headers.get("Idempotency-Key") if method == "POST" else None
        if key:
            response_headers["Idempotency-Key"] = key
        try:
            self._authenticate(headers.get("Authorization"))
            handler, arguments = self._route(method, path)
            try:
                params = forms.decode(raw_params)
            except forms.FormError as error:
                raise _invalid(error.key, f"Invalid hash: {error.key}") from None
            with self.lock:
                account = headers.get("Stripe-Account") or None
                if account and self._connected(account) is None:
                    raise StripeError(
                        403,
                        f"The provided key '{self._masked(self.api_key)}' does not have access to account "
                        f"'{account}' (or that account does not exist). Application access may have been revoked.",
                        code="account_invalid",
                    )
                self.api_version = headers.get("Stripe-Version") or API_VERSION
                scope = (self.api_key, account or "", key)
                fingerprint = (method, path, params)
                replay = self.replays.get(scope) if key else None
                if replay is not None:
                    if replay.fingerprint != fingerprint:
                        raise StripeError(
                            400,
                            "Keys for idempotent requests can only be used with the same parameters they were "
                            f"first used with. Try using a key other than '{key}' if you meant to execute a "
                            "different request.",
                            type="idempotency_error",
                        )
                    replayed = {"Idempotent-Replayed": "true", "Original-Request": replay.request_id}
                    return Response(replay.status, replay.body, {**response_headers, **replayed})
                call = Call(account, base_url, request_id, key)
                try:
                    status, body = 200, dumps(getattr(self, handler)(call, params, **arguments))
                except StripeError as error:
                    if not error.saved:
                        raise
                    status, body = error.status, dumps(error.body())
                if key:
                    self.replays[scope] = _Replay(fingerprint, status, body, request_id)
                return Response(status, body, response_headers, drop=call.drop)
        except StripeError as error:
            return Response(error.status, dumps(error.body()), response_headers)

    def _authenticate(self, authorization):
        """Bearer, or Basic with the key as user name (curl -u sk_test_...:), as Stripe accepts."""
        scheme, _, credential = (authorization or "").partition(" ")
        if scheme.lower() == "basic":
            try:
                credential = base64.b64decode(credential).decode().partition(":")[0]
            except (binascii.Error, UnicodeDecodeError):
                credential = ""
        elif scheme.lower() != "bearer":
            credential = ""
        if not credential:
            raise StripeError(
                401,
                "You did not provide an API key. You need to provide your API key in the Authorization "
                "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            )
        if not secrets.compare_digest(credential, self.api_key):
            raise StripeError(401, f"Invalid API Key provided: {self._masked(credential)}")

    @staticmethod
    def _masked(key):
        return key[:8] + "*" * max(len(key) - 12, 0) + key[-4:] if len(key) > 12 else "*" * len(key)

    @staticmethod
    def _route(method, path):
        for route_method, pattern, handler in ROUTES:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                return handler, match.groupdict()
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")

    # Storage

    def _store(self, obj, owner):
        self.objects[obj["id"]] = obj
        self.owners[obj["id"]] = owner
        return obj

    def _get(self, call, kind, object_id, param=None):
        """An object of `kind` that the caller (platform or Stripe-Account) owns."""
        obj = self.objects.get(object_id)
        if obj is None or obj["object"] != kind or self.owners[object_id] != call.account:
            raise _no_such(kind, object_id, param)
        return obj

    def _find(self, kind, object_id):
        """Any owner's object, for the control API and pages."""
        obj = self.objects.get(object_id)
        if obj is None or obj["object"] != kind:
            raise _no_such(kind, object_id)
        return obj

    def _all(self, kind, owner):
        """Newest first, as Stripe lists."""
        return [
            obj
            for obj in reversed(self.objects.values())
            if obj["object"] == kind and self.owners[obj["id"]] == owner
        ]

    def _connected(self, account_id):
        account = self.objects.get(account_id)
        return account if account is not None and account["object"] == "account" else None

    def _platform_only(self, call):
        if call.account:
            raise StripeError(
                403, "This request can only be made by the platform, without a Stripe-Account header."
            )

    def _expand(self, obj, params):
        """`expand[]=field` for top-level ids of stored objects (e.g. a session's payment_intent)."""
        expand = params.get("expand") or []
        obj = copy.deepcopy(obj)
        for name in expand if isinstance(expand, list) else [expand]:
            value = obj.get(name)
            if isinstance(value, str) and value in self.objects:
                obj[name] = copy.deepcopy(self.objects[value])
        return obj

    def _move(self, owner, currency, amount):
        self.balances[(owner, currency)] += amount

    def _emit(self, event_type, obj, owner, call=None, previous=None):
        event = {
            "id": new_id("evt_"),
            "object": "event",
            "api_version": self.api_version,
            "created": now(),
            "data": {"object": copy.deepcopy(obj)},
            "livemode": False,
            "pending_webhooks": 1 if self.webhook_url else 0,
            "request": {
                "id": call.request_id if call else None,
                "idempotency_key": call.idempotency_key if call else None,
            },
            "type": event_type,
        }
        if previous:
            event["data"]["previous_attributes"] = previous
        if owner:
            # Connect: events about a connected account's objects name that account.
            event["account"] = owner
        self._store(event, owner)
        if self.webhook_url:
            self.sender.send(self.webhook_url, event["id"], webhooks.payload(event))
        return event

    # Accounts

    def account_create(self, call, params):
        self._platform_only(call)
        controller = _hash(params, "controller")
        dashboard = _hash(controller, "stripe_dashboard", param="controller[stripe_dashboard]")
        account_type = _text(params, "type", choices=("express", "custom", "standard"))
        if account_type is None:
            # The newer way: controller properties instead of a type.
            kinds = {"express": "express", "none": "custom", "full": "standard"}
            account_type = kinds.get(dashboard.get("type"))
            if account_type is None:
                raise _missing("type")
        country = (_text(params, "country") or "US").upper()
        capabilities = {}
        for name, options in _hash(params, "capabilities").items():
            options = options if isinstance(options, dict) else {}
            if _boolean(options, "requested", param=f"capabilities[{name}][requested]"):
                capabilities[name] = "inactive"
        # Express accounts exist to receive transfers: Stripe requires that capability.
        capabilities = capabilities or {"transfers": "inactive"}
        business_type = _text(
            params, "business_type", choices=("individual", "company", "non_profit", "government_entity")
        )
        collects = account_type == "custom"
        provided = self._provided(params, collects)
        due = [item for item in ONBOARDING_DUE if item not in provided]
        account_id = new_id("acct_")
        account = {
            "id": account_id,
            "object": "account",
            "business_profile": {"mcc": None, "name": None, "product_description": None, "url": None}
            | _hash(params, "business_profile"),
            "business_type": business_type,
            "capabilities": capabilities,
            "charges_enabled": False,
            "controller": {
                "fees": {"payer": "application"},
                "is_controller": True,
                "losses": {"payments": "application"},
                "requirement_collection": "stripe",
                "stripe_dashboard": {
                    "type": {"custom": "none", "standard": "full"}.get(account_type, "express")
                },
                "type": "application",
            },
            "country": country,
            "created": now(),
            "default_currency": _text(params, "default_currency") or DEFAULT_CURRENCY.get(country, "usd"),
            "details_submitted": False,
            "email": _text(params, "email"),
            "external_accounts": _list(f"/v1/accounts/{account_id}/external_accounts", [])
            | {"total_count": 0},
            "future_requirements": _requirements([]),
            "livemode": False,
            "metadata": _metadata(params),
            "payouts_enabled": False,
            "requirements": _requirements(due),
            "tos_acceptance": {"date": None, "ip": None, "user_agent": None},
            "type": account_type,
        }
        self._prefill(account, params, provided)
        return self._store(account, None)

    @staticmethod
    def _provided(params, platform_collects):
        """Which onboarding requirements the request itself provides. Stripe lets the platform
        accept the terms of service only for accounts whose requirements it collects (Custom):
        Express and Standard accounts accept them in Stripe's hosted onboarding."""
        provided = set()
        if _text(params, "business_type"):
            provided.add("business_type")
        for group, names in (
            ("business_profile", ("mcc", "url")),
            ("individual", ("first_name", "last_name")),
            ("tos_acceptance", ("date", "ip")),
        ):
            values = _hash(params, group)
            provided |= {f"{group}.{name}" for name in names if values.get(name)}
        if _hash(params, "tos_acceptance") and not platform_collects:
            raise _invalid(
                "tos_acceptance",
                "You cannot accept the Terms of Service on behalf of an account whose requirements Stripe "
                "collects; the account holder accepts them during onboarding.",
            )
        external = params.get("external_account")
        if external:
            # Stripe's test bank tokens (btok_us_verified, btok_…) or a token of any kind.
            if not isinstance(external, str) or not external.startswith(("btok_", "tok_")):
                raise _invalid("external_account", "Invalid external_account: pass a bank account token.")
            provided.add("external_account")
        return provided

    def _prefill(self, account, params, provided):
        """Apply what the platform provided; a Custom account with nothing left due is verified at
        once, as Stripe's test mode does with its test values."""
        tos = _hash(params, "tos_acceptance")
        if tos:
            account["tos_acceptance"] = {
                "date": _integer(tos, "date", param="tos_acceptance[date]"),
                "ip": _text(tos, "ip", param="tos_acceptance[ip]"),
                "user_agent": _text(tos, "user_agent", param="tos_acceptance[user_agent]"),
            }
        if "external_account" in provided and not account["external_accounts"]["data"]:
            bank = {"id": new_id("ba_"), "object": "bank_account", "account": account["id"], "last4": "6789"}
            account["external_accounts"]["data"].append(bank)
            account["external_accounts"]["total_count"] = 1
        due = [item for item in account["requirements"]["currently_due"] if item not in provided]
        account["requirements"] = _requirements(due)
        if account["type"] == "custom" and not due and not account["details_submitted"]:
            account.update(
                details_submitted=True,
                charges_enabled=True,
                payouts_enabled=True,
                capabilities=dict.fromkeys(account["capabilities"], "active"),
            )

    def account_retrieve(self, call, params, object_id):
        account = self._connected(object_id)
        # A connected account may read itself; the platform reads all of its accounts.
        if account is None or call.account not in (None, object_id):
            raise _no_such("account", object_id)
        return self._expand(account, params)

    def account_update(self, call, params, object_id):
        self._platform_only(call)
        account = self._connected(object_id)
        if account is None:
            raise _no_such("account", object_id)
        before = copy.deepcopy(account)
        if "email" in params:
            account["email"] = _text(params, "email")
        if "business_type" in params:
            account["business_type"] = _text(
                params, "business_type", choices=("individual", "company", "non_profit", "government_entity")
            )
        if not account["details_submitted"]:
            self._prefill(account, params, self._provided(params, account["type"] == "custom"))
        if "default_currency" in params:
            account["default_currency"] = _currency(params, "default_currency")
        account["business_profile"] = account["business_profile"] | _hash(params, "business_profile")
        for name, options in _hash(params, "capabilities").items():
            options = options if isinstance(options, dict) else {}
            if (
                _boolean(options, "requested", param=f"capabilities[{name}][requested]")
                and name not in account["capabilities"]
            ):
                account["capabilities"][name] = "active" if account["details_submitted"] else "inactive"
        account["metadata"] = _metadata(params, account["metadata"])
        self._account_changed(account, before, call)
        return copy.deepcopy(account)

    def _account_changed(self, account, before, call=None):
        previous = {key: value for key, value in before.items() if account[key] != value}
        if previous:
            self._emit("account.updated", account, account["id"], call, previous)

    def complete_onboarding(self, account_id):
        """What the hosted onboarding does once the person has filled everything in."""
        with self.lock:
            account = self._connected(account_id)
            if account is None:
                raise _no_such("account", account_id)
            before = copy.deepcopy(account)
            account.update(
                details_submitted=True,
                charges_enabled=True,
                payouts_enabled=True,
                requirements=_requirements([]),
                future_requirements=_requirements([]),
                capabilities=dict.fromkeys(account["capabilities"], "active"),
            )
            if not account["tos_acceptance"]["date"]:
                account["tos_acceptance"] = {
                    "date": now(),
                    "ip": "127.0.0.1",
                    "user_agent": "stripe-emulator",
                }
            self._account_changed(account, before)
            return copy.deepcopy(account)

    def account_link_create(self, call, params):
        self._platform_only(call)
        account_id = _text(params, "account", required=True)
        if self._connected(account_id) is None:
            raise _no_such("account", account_id, param="account")
        link_type = _text(params, "type", required=True, choices=("account_onboarding", "account_update"))
        token = new_id("", 32)
        created = now()
        self.links[token] = {
            "account": account_id,
            "type": link_type,
            "refresh_url": _text(params, "refresh_url", required=True),
            "return_url": _text(params, "return_url", required=True),
            "expires_at": created + ACCOUNT_LINK_TTL,
            "used": False,
        }
        return {
            "object": "account_link",
            "created": created,
            "expires_at": created + ACCOUNT_LINK_TTL,
            "url": f"{call.base_url}/_emulator/onboarding/{token}",
        }

    def account_link(self, token):
        """The link behind an onboarding page, or None. Stripe sends the person to refresh_url when
        a link has expired or was already used, so the app must create a fresh one."""
        with self.lock:
            link = self.links.get(token)
            if link is None:
                return None
            usable = not link["used"] and now() <= link["expires_at"]
            return dict(link, usable=usable, account_object=copy.deepcopy(self._connected(link["account"])))

    def account_link_submit(self, token):
        """The onboarding form was submitted: where to send the browser next."""
        with self.lock:
            link = self.account_link(token)
            if link is None:
                return None
            if not link["usable"]:
                return link["refresh_url"]
            self.links[token]["used"] = True
            self.complete_onboarding(link["account"])
            return link["return_url"]

    # Transfers and reversals

    def transfer_create(self, call, params):
        amount = _integer(params, "amount", required=True, minimum=1)
        currency = _currency(params)
        destination_id = _text(params, "destination", required=True)
        destination = self._connected(destination_id)
        if destination is None or destination_id == call.account:
            raise _no_such("destination", destination_id, param="destination")
        metadata = _metadata(params)
        declined = self._take_failure("decline", destination_id)
        if declined:
            raise StripeError(
                400, declined["message"], code=declined["code"], param="destination", saved=True
            )
        if not destination["payouts_enabled"]:
            raise StripeError(
                400,
                "Your destination account needs to have at least one of the following capabilities enabled: "
                "transfers, crypto_transfers, legacy_payments",
                code="insufficient_capabilities_for_transfer",
                param="destination",
                saved=True,
            )
        if self.balances[(call.account, currency)] < amount:
            raise StripeError(
                400,
                "You have insufficient available funds in your Stripe account. Try adding funds directly to "
                "your available balance by creating Charges using the 4000000000000077 test card.",
                code="balance_insufficient",
                saved=True,
            )
        transfer_id = new_id("tr_")
        transfer = {
            "id": transfer_id,
            "object": "transfer",
            "amount": amount,
            "amount_reversed": 0,
            "balance_transaction": new_id("txn_"),
            "created": now(),
            "currency": currency,
            "description": _text(params, "description"),
            "destination": destination_id,
            "destination_payment": new_id("py_"),
            "livemode": False,
            "metadata": metadata,
            "reversals": _list(f"/v1/transfers/{transfer_id}/reversals", []) | {"total_count": 0},
            "reversed": False,
            "source_transaction": _text(params, "source_transaction"),
            "source_type": "card",
            "transfer_group": _text(params, "transfer_group"),
        }
        self._store(transfer, call.account)
        self._move(call.account, currency, -amount)
        self._move(destination_id, currency, amount)
        self._emit("transfer.created", transfer, call.account, call)
        if self._take_failure("timeout", destination_id):
            # The transfer exists and its event is out; only the answer is lost, as after a timeout.
            call.drop = True
        return copy.deepcopy(transfer)

    def transfer_retrieve(self, call, params, object_id):
        return self._expand(self._get(call, "transfer", object_id), params)

    def transfer_list(self, call, params):
        group = _text(params, "transfer_group")
        destination = _text(params, "destination")
        created = _created_filter(params)
        items = [
            transfer
            for transfer in self._all("transfer", call.account)
            if (group is None or transfer["transfer_group"] == group)
            and (destination is None or transfer["destination"] == destination)
            and created(transfer["created"])
        ]
        return copy.deepcopy(_page("/v1/transfers", items, params))

    def reversal_create(self, call, params, object_id):
        transfer = self._get(call, "transfer", object_id)
        remaining = transfer["amount"] - transfer["amount_reversed"]
        amount = _integer(params, "amount", minimum=1, default=remaining)
        metadata = _metadata(params)
        if amount > remaining or remaining == 0:
            raise StripeError(
                400,
                f"Reversal amount ({amount}) is greater than the amount left to reverse on transfer "
                f"{object_id} ({remaining}).",
                code="amount_too_large",
                param="amount",
                saved=True,
            )
        destination, currency = transfer["destination"], transfer["currency"]
        if self.balances[(destination, currency)] < amount:
            raise StripeError(
                400,
                f"The destination account {destination} has insufficient available funds to reverse {amount}.",
                code="balance_insufficient",
                saved=True,
            )
        reversal = {
            "id": new_id("trr_"),
            "object": "transfer_reversal",
            "amount": amount,
            "balance_transaction": new_id("txn_"),
            "created": now(),
            "currency": currency,
            "destination_payment_refund": new_id("pyr_"),
            "metadata": metadata,
            "source_refund": None,
            "transfer": object_id,
        }
        self._store(reversal, call.account)
        previous = {"amount_reversed": transfer["amount_reversed"], "reversed": transfer["reversed"]}
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        transfer["reversals"]["data"].insert(0, copy.deepcopy(reversal))
        transfer["reversals"]["total_count"] += 1
        self._move(destination, currency, -amount)
        self._move(call.account, currency, amount)
        if previous["reversed"] == transfer["reversed"]:
            del previous["reversed"]
        self._emit("transfer.reversed", transfer, call.account, call, previous)
        return copy.deepcopy(reversal)

    def reversal_list(self, call, params, object_id):
        self._get(call, "transfer", object_id)
        items = [r for r in self._all("transfer_reversal", call.account) if r["transfer"] == object_id]
        return copy.deepcopy(_page(f"/v1/transfers/{object_id}/reversals", items, params))

    # Failure injection

    def inject_failure(self, mode, count=1, destination=None, code=None, message=None):
        if mode not in ("decline", "timeout"):
            raise _invalid("mode", "mode must be 'decline' or 'timeout'")
        if not isinstance(count, int) or count < 1:
            raise _invalid("count", "count must be a positive integer")
        with self.lock:
            rule = {"mode": mode, "remaining": count, "destination": destination}
            if mode == "decline":
                rule["code"] = code or "transfers_not_allowed"
                rule["message"] = message or (
                    "The requested transfer cannot be created. Contact us if you are receiving this error."
                )
            self.failures.append(rule)
            return copy.deepcopy(self.failures)

    def _take_failure(self, mode, destination):
        for rule in self.failures:
            if rule["mode"] == mode and rule["destination"] in (None, destination):
                rule["remaining"] -= 1
                if rule["remaining"] == 0:
                    self.failures.remove(rule)
                return rule
        return None

    def payout_failed(self, account_id, amount=None, currency=None, failure_code=None, failure_message=None):
        """A payout of the connected account to its bank failed: the account's money stays on its
        Stripe balance (we never took it out), and payout.failed reaches the platform."""
        with self.lock:
            account = self._connected(account_id)
            if account is None:
                raise _no_such("account", account_id)
            created = now()
            payout = {
                "id": new_id("po_"),
                "object": "payout",
                "amount": amount if amount is not None else 1000,
                "arrival_date": created + 2 * 86400,
                "automatic": True,
                "balance_transaction": new_id("txn_"),
                "created": created,
                "currency": (currency or account["default_currency"]).lower(),
                "description": "STRIPE PAYOUT",
                "destination": new_id("ba_"),
                "failure_balance_transaction": new_id("txn_"),
                "failure_code": failure_code or "account_closed",
                "failure_message": failure_message or "The bank account has been closed.",
                "livemode": False,
                "metadata": {},
                "method": "standard",
                "source_type": "card",
                "status": "failed",
                "type": "bank_account",
            }
            self._store(payout, account_id)
            self._emit("payout.failed", payout, account_id)
            return copy.deepcopy(payout)

    def payout_retrieve(self, call, params, object_id):
        return self._expand(self._get(call, "payout", object_id), params)

    # Checkout, payment intents, refunds

    def checkout_session_create(self, call, params):
        mode = _text(params, "mode", required=True, choices=("payment", "setup", "subscription"))
        if mode != "payment":
            raise _invalid("mode", f"The emulator supports mode=payment only, not {mode}.")
        items = params.get("line_items")
        if not items:
            raise _missing("line_items")
        if not isinstance(items, list):
            raise _invalid("line_items", "Invalid array: line_items")
        lines, currencies = [], set()
        for index, item in enumerate(items):
            prefix = f"line_items[{index}]"
            if not isinstance(item, dict):
                raise _invalid(prefix, f"Invalid hash: {prefix}")
            if "price" in item:
                raise _no_such("price", item["price"], param=f"{prefix}[price]")
            price = _hash(item, "price_data", param=f"{prefix}[price_data]")
            if not price:
                raise _missing(f"{prefix}[price_data]")
            product = _hash(price, "product_data", param=f"{prefix}[price_data][product_data]")
            line = {
                "currency": _currency(price, param=f"{prefix}[price_data][currency]"),
                "unit_amount": _integer(
                    price, "unit_amount", param=f"{prefix}[price_data][unit_amount]", required=True, minimum=0
                ),
                "name": _text(
                    product, "name", param=f"{prefix}[price_data][product_data][name]", required=True
                ),
                "quantity": _integer(item, "quantity", param=f"{prefix}[quantity]", required=True, minimum=1),
            }
            currencies.add(line["currency"])
            lines.append(line)
        if len(currencies) > 1:
            raise _invalid("line_items", "Checkout does not support multiple currencies in one session.")
        intent = _hash(params, "payment_intent_data")
        total = sum(line["unit_amount"] * line["quantity"] for line in lines)
        created = now()
        session_id = new_id("cs_test_")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": _text(params, "cancel_url"),
            "client_reference_id": _text(params, "client_reference_id"),
            "created": created,
            "currency": currencies.pop(),
            "customer": None,
            "customer_details": None,
            "customer_email": _text(params, "customer_email"),
            "expires_at": created + CHECKOUT_TTL,
            "livemode": False,
            "metadata": _metadata(params),
            "mode": mode,
            "payment_intent": None,
            "payment_method_types": ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "success_url": _text(params, "success_url"),
            "url": f"{call.base_url}/_emulator/checkout/{session_id}",
        }
        self.checkout_extras[session_id] = {
            "lines": lines,
            "description": _text(intent, "description", param="payment_intent_data[description]"),
            "metadata": _metadata(intent),
            "transfer_group": _text(intent, "transfer_group", param="payment_intent_data[transfer_group]"),
        }
        return copy.deepcopy(self._store(session, call.account))

    def checkout_session_retrieve(self, call, params, object_id):
        return self._expand(self._get(call, "checkout.session", object_id), params)

    def checkout_view(self, session_id):
        """A session and its line items, for the payment page; None when unknown."""
        with self.lock:
            session = self.objects.get(session_id)
            if session is None or session["object"] != "checkout.session":
                return None
            return copy.deepcopy(session), copy.deepcopy(self.checkout_extras[session_id]["lines"])

    def complete_checkout(self, session_id):
        """The buyer paid: a succeeded payment intent, a paid session, money on the owner's balance,
        then checkout.session.completed and payment_intent.succeeded. Paying twice changes nothing."""
        with self.lock:
            session = self._find("checkout.session", session_id)
            if session["status"] == "complete":
                return copy.deepcopy(session)
            if session["status"] != "open":
                raise _invalid(
                    "id", f"This Checkout Session is {session['status']} and can no longer be paid."
                )
            owner = self.owners[session_id]
            extras = self.checkout_extras[session_id]
            charge_id = new_id("ch_")
            intent = {
                "id": new_id("pi_"),
                "object": "payment_intent",
                "amount": session["amount_total"],
                "amount_capturable": 0,
                "amount_received": session["amount_total"],
                "created": now(),
                "currency": session["currency"],
                "description": extras["description"],
                "latest_charge": charge_id,
                "livemode": False,
                "metadata": dict(extras["metadata"]),
                "payment_method_types": ["card"],
                "status": "succeeded",
                "transfer_group": extras["transfer_group"],
            }
            self._store(intent, owner)
            self.charges[charge_id] = intent["id"]
            session.update(
                status="complete",
                payment_status="paid",
                payment_intent=intent["id"],
                url=None,
                customer_details={"email": session["customer_email"] or "buyer@example.com", "name": None},
            )
            self._move(owner, session["currency"], session["amount_total"])
            self._emit("checkout.session.completed", session, owner)
            self._emit("payment_intent.succeeded", intent, owner)
            return copy.deepcopy(session)

    def payment_intent_create(self, call, params):
        """A PaymentIntent paid server-side with one of Stripe's test PaymentMethods (`confirm=true`),
        or left waiting for confirmation. pm_card_bypassPending credits the available balance at
        once; other test cards credit the pending balance, which this emulator never settles."""
        amount = _integer(params, "amount", required=True, minimum=1)
        currency = _currency(params)
        method = _text(params, "payment_method")
        confirm = _boolean(params, "confirm")
        metadata = _metadata(params)
        if method is not None and method not in TEST_PAYMENT_METHODS:
            raise _no_such("PaymentMethod", method, param="payment_method")
        if confirm and method is None:
            raise _invalid(
                "payment_method",
                "You cannot confirm this PaymentIntent because it's missing a payment method.",
                code="payment_intent_unexpected_state",
            )
        intent = {
            "id": new_id("pi_"),
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": 0,
            "created": now(),
            "currency": currency,
            "description": _text(params, "description"),
            "latest_charge": None,
            "livemode": False,
            "metadata": metadata,
            "payment_method": method,
            "payment_method_types": ["card"],
            "status": "requires_confirmation" if method else "requires_payment_method",
            "transfer_group": _text(params, "transfer_group"),
        }
        if not confirm:
            return copy.deepcopy(self._store(intent, call.account))
        if TEST_PAYMENT_METHODS[method] == "declined":
            intent.update(status="requires_payment_method", payment_method=None)
            self._store(intent, call.account)
            self._emit("payment_intent.payment_failed", intent, call.account, call)
            raise StripeError(
                402, "Your card was declined.", type="card_error", code="card_declined", saved=True
            )
        charge_id = new_id("ch_")
        intent.update(status="succeeded", amount_received=amount, latest_charge=charge_id)
        self._store(intent, call.account)
        self.charges[charge_id] = intent["id"]
        if TEST_PAYMENT_METHODS[method] == "available":
            self._move(call.account, currency, amount)
        else:
            self.pending[(call.account, currency)] += amount
        self._emit("payment_intent.succeeded", intent, call.account, call)
        return copy.deepcopy(intent)

    def payment_intent_retrieve(self, call, params, object_id):
        return self._expand(self._get(call, "payment_intent", object_id), params)

    def refund_create(self, call, params):
        charge_id = _text(params, "charge")
        intent_id = _text(params, "payment_intent")
        if charge_id and not intent_id:
            intent_id = self.charges.get(charge_id)
            if intent_id is None or self.owners[intent_id] != call.account:
                raise _no_such("charge", charge_id, param="charge")
        if not intent_id:
            raise _missing("payment_intent")
        intent = self._get(call, "payment_intent", intent_id, param="payment_intent")
        remaining = intent["amount"] - self.refunded[intent_id]
        amount = _integer(params, "amount", minimum=1, default=remaining)
        reason = _text(params, "reason", choices=("duplicate", "fraudulent", "requested_by_customer"))
        metadata = _metadata(params)
        if remaining == 0:
            raise StripeError(
                400,
                f"Charge {intent['latest_charge']} has already been refunded.",
                code="charge_already_refunded",
                saved=True,
            )
        if amount > remaining:
            currency = intent["currency"].upper()
            raise StripeError(
                400,
                f"Refund amount ({currency} {amount}) is greater than unrefunded amount on charge "
                f"({currency} {remaining})",
                code="amount_too_large",
                param="amount",
                saved=True,
            )
        refund = {
            "id": new_id("re_"),
            "object": "refund",
            "amount": amount,
            "balance_transaction": new_id("txn_"),
            "charge": intent["latest_charge"],
            "created": now(),
            "currency": intent["currency"],
            "metadata": metadata,
            "payment_intent": intent_id,
            "reason": reason,
            "status": "succeeded",
        }
        self._store(refund, call.account)
        self.refunded[intent_id] += amount
        # Stripe debits refunds even into a negative balance; the platform owes it then.
        self._move(call.account, intent["currency"], -amount)
        return copy.deepcopy(refund)

    def refund_retrieve(self, call, params, object_id):
        return self._expand(self._get(call, "refund", object_id), params)

    # Balance and events

    def balance_retrieve(self, call, params):
        return self._balance(call.account)

    def _balance(self, owner):
        currencies = sorted({currency for (who, currency) in [*self.balances, *self.pending] if who == owner})
        if not currencies:
            account = self._connected(owner) if owner else None
            currencies = [account["default_currency"] if account else "usd"]
        available = [
            {
                "amount": self.balances[(owner, c)],
                "currency": c,
                "source_types": {"card": self.balances[(owner, c)]},
            }
            for c in currencies
        ]
        pending = [
            {"amount": amount, "currency": c, "source_types": {"card": amount}}
            for (who, c), amount in sorted(self.pending.items(), key=lambda item: item[0][1])
            if who == owner and amount
        ]
        return {"object": "balance", "available": available, "livemode": False, "pending": pending}

    def credit(self, amount, currency, account=None):
        """Money on a balance without a checkout, for tests that only transfer."""
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise _invalid("amount", "amount must be an integer in the currency's smallest unit")
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
            raise _invalid("currency", "currency must be a three-letter ISO code")
        with self.lock:
            if account and self._connected(account) is None:
                raise _no_such("account", account)
            self._move(account or None, currency.lower(), amount)
            return self._balance(account or None)

    def event_retrieve(self, call, params, object_id):
        return copy.deepcopy(self._get(call, "event", object_id))

    def event_list(self, call, params):
        types = params.get("types") or []
        if not isinstance(types, list):
            raise _invalid("types", "Invalid array: types")
        single = _text(params, "type")
        patterns = [*types, single] if single else types
        created = _created_filter(params)
        items = [
            event
            for event in self._all("event", call.account)
            if (not patterns or any(_type_matches(event["type"], p) for p in patterns))
            and created(event["created"])
        ]
        return copy.deepcopy(_page("/v1/events", items, params))

    # Control API

    def events(self, event_type=None, account=None):
        """Every stored event of any owner, newest first."""
        with self.lock:
            return [
                copy.deepcopy(event)
                for event in reversed(self.objects.values())
                if event["object"] == "event"
                and (event_type is None or _type_matches(event["type"], event_type))
                and (account is None or event.get("account") == account)
            ]

    def signed_event(self, event_id, timestamp=None):
        """An event as a ready-to-post webhook. An explicit timestamp lets tests forge old ones."""
        with self.lock:
            body = webhooks.payload(self._find("event", event_id))
        timestamp = now() if timestamp is None else int(timestamp)
        return {
            "payload": body,
            "signature": webhooks.sign(body, self.webhook_secret, timestamp),
            "timestamp": timestamp,
        }

    def set_webhook_url(self, url):
        if url is not None and not re.match(r"https?://", str(url)):
            raise _invalid("url", "The webhook URL must start with http:// or https://")
        with self.lock:
            self.webhook_url = url
            return self.webhook_status()

    def webhook_status(self):
        with self.lock:
            return {"url": self.webhook_url, **self.sender.status()}

    def dump(self):
        with self.lock:
            objects = defaultdict(list)
            for obj in self.objects.values():
                objects[obj["object"]].append(obj)
            balances = [
                {"account": owner, "currency": currency, "amount": amount}
                for (owner, currency), amount in sorted(
                    self.balances.items(), key=lambda item: (item[0][0] or "", item[0][1])
                )
            ]
            return copy.deepcopy(
                {
                    "objects": dict(objects),
                    "balances": balances,
                    "failures": self.failures,
                    "webhook_url": self.webhook_url,
                    "idempotency_keys": len(self.replays),
                }
            )


def _type_matches(event_type, pattern):
    """Stripe's event filters take exact types or a trailing wildcard (`transfer.*`)."""
    if pattern.endswith("*"):
        return event_type.startswith(pattern[:-1])
    return event_type == pattern
