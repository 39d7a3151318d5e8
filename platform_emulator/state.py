"""Accounts, posts, grants, tokens, faults, the clock and the call log, behind one lock. No HTTP here:
server.py reads requests and writes responses; instagram.py and tiktok.py hold each platform's rules."""

import bisect
import collections
import copy
import json
import random
import re
import secrets
import string
import threading
import time
from datetime import UTC, date, datetime

from platform_emulator import instagram, seed, tiktok
from platform_emulator.seed import DAY, HOUR, InvalidInput
from platform_emulator.wire import ApiError, PageError, json_response

SEED = 12112
CODE_TTL = 600  # authorization codes, both platforms
TOKEN_TTL = {
    "ig_short": HOUR,
    "ig_long": 60 * DAY,
    "tt_access": DAY,
    "tt_refresh": 365 * DAY,
}
ACCESS_KINDS = ("ig_short", "ig_long", "tt_access")
FAULT_KINDS = ("rate_limit", "timeout", "error500")
CALL_LOG_LIMIT = 20000
TOKEN_ALPHABET = string.ascii_letters + string.digits


class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


class Emulator:
    def __init__(self, credentials, seed_date=None):
        # {"instagram": (client_id, secret), "tiktok": (client_key, secret)}
        self.credentials = credentials
        # Seed posts are dated back from midnight UTC of this day, fixed for the process's life, so
        # every reset gives the same data while the posts stay recent enough to count.
        day = seed_date or datetime.now(UTC).date()
        self.anchor = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
        # One lock around all state: requests are tiny and tests want them serialized.
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.offset = 0
            self.rng = random.Random(SEED)
            self.fault_rng = random.Random(SEED + 1)  # its own, so faults never shift generated ids
            self.accounts = {}  # id -> account, in creation order
            self.posts = {}  # id -> post
            self.codes = {}  # code -> {platform, account_id, redirect_uri, scopes, issued, used}
            self.grants = {}  # id -> {platform, account_id, scopes, created, revoked}
            self.tokens = {}  # token -> {kind, grant, issued, expires, used}
            self.faults = []
            self.fault_ids = 0
            self.calls = collections.deque(maxlen=CALL_LOG_LIMIT)
            self.call_seq = 0
            self.by_endpoint = collections.Counter()
            self.by_account = collections.defaultdict(collections.Counter)
            self.graph_calls = collections.deque()  # times of Instagram Graph calls, for X-App-Usage
            # Indexes, so a request costs the same with 40 accounts or 10,000 (kept by the methods
            # below that add, rename or revoke; nothing else writes those dicts).
            self.by_name = {}  # (platform, username) -> account
            self.instagram_nodes = set()  # Instagram account ids and app-scoped ids
            self.posts_by_account = collections.defaultdict(list)  # id -> posts, oldest first
            self.grants_by_account = collections.defaultdict(list)  # id -> grant ids
            self.tokens_by_grant = collections.defaultdict(list)  # grant id -> tokens
            self.codes_by_account = collections.defaultdict(list)  # id -> codes
            self.instagram_user_count = None  # instagram_users(), until a grant changes
            seed.populate(self)

    # Clock

    def now(self):
        return int(time.time()) + self.offset

    def advance_clock(self, seconds):
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ControlError(400, "advance_seconds must be a number ≥ 0")
        with self.lock:
            self.offset += int(seconds)
            return self.clock()

    def clock(self):
        with self.lock:
            return {"now": self.now(), "offset": self.offset}

    # Lookups

    def find_account(self, platform, username):
        return self.by_name.get((platform, username))

    def store_account(self, account):
        self.accounts[account["id"]] = account
        self.by_name[(account["platform"], account["username"])] = account
        if account["platform"] == "instagram":
            self.instagram_nodes.update((account["id"], account["app_scoped_id"]))

    def store_post(self, post):
        self.posts[post["id"]] = post
        # Sorted by (timestamp, id): posts_of reads them newest first without sorting.
        bisect.insort(self.posts_by_account[post["account_id"]], post, key=_post_order)

    def _forget_account(self, account):
        """Undo store_account and its posts (add_account's all or nothing)."""
        self.accounts.pop(account["id"])
        self.by_name.pop((account["platform"], account["username"]), None)
        self.instagram_nodes.difference_update((account["id"], account.get("app_scoped_id")))
        for post in self.posts_by_account.pop(account["id"], []):
            self.posts.pop(post["id"])

    def is_instagram_user(self, node):
        return node in self.instagram_nodes

    def account_or_404(self, platform, username):
        account = self.find_account(platform, username)
        if account is None:
            raise ControlError(404, f"no {platform} account @{username}")
        return account

    def posts_of(self, account, stories=False):
        """The account's live posts, newest first (stories only when asked: /media never lists them)."""
        return [
            post
            for post in reversed(self.posts_by_account.get(account["id"], ()))
            if not post["deleted"] and (stories or post["media_product_type"] != "STORY")
        ]

    # Codes, grants and tokens

    def issue_code(self, platform, account, redirect_uri, scopes):
        code = _random(TOKEN_ALPHABET, 96 if platform == "instagram" else 64)
        if platform == "tiktok":
            # TikTok's codes carry characters that must be URL-encoded on the way back.
            code += f"*0!{secrets.randbelow(10000):04d}.va"
        self.codes[code] = {
            "platform": platform,
            "account_id": account["id"],
            "redirect_uri": redirect_uri,
            "scopes": list(scopes),
            "issued": self.now(),
            "used": False,
        }
        self.codes_by_account[account["id"]].append(code)
        return code

    def code_problem(self, platform, code, redirect_uri):
        """(None, code record) when usable, else ("unknown"|"used"|"expired"|"redirect_uri", record)."""
        record = self.codes.get(code or "")
        if record is None or record["platform"] != platform:
            return "unknown", None
        if record["used"]:
            return "used", record
        if self.now() >= record["issued"] + CODE_TTL:
            return "expired", record
        if record["redirect_uri"] != redirect_uri:
            return "redirect_uri", record
        return None, record

    def new_grant(self, code_record):
        code_record["used"] = True
        grant_id = f"g{len(self.grants) + 1}"
        self.grants[grant_id] = {
            "platform": code_record["platform"],
            "account_id": code_record["account_id"],
            "scopes": code_record["scopes"],
            "created": self.now(),
            "revoked": False,
        }
        self.grants_by_account[code_record["account_id"]].append(grant_id)
        self.instagram_user_count = None
        return grant_id

    def issue_token(self, grant_id, kind):
        prefix = {"ig_short": "IGAA", "ig_long": "IGAA", "tt_access": "act.", "tt_refresh": "rft."}[kind]
        token = prefix + _random(TOKEN_ALPHABET, 120 if kind.startswith("ig") else 72)
        now = self.now()
        self.tokens[token] = {
            "kind": kind,
            "grant": grant_id,
            "issued": now,
            "expires": now + TOKEN_TTL[kind],
            "used": False,  # a rotated TikTok refresh token
        }
        self.tokens_by_grant[grant_id].append(token)
        return token, self.tokens[token]

    def token_problem(self, token, kinds):
        """(None, record) for a live token of one of `kinds`, else ("unknown"|"revoked"|"expired"|"used")."""
        record = self.tokens.get(token or "")
        if record is None or record["kind"] not in kinds:
            return "unknown", None
        if self.grants[record["grant"]]["revoked"]:
            return "revoked", record
        if record["used"]:
            return "used", record
        if self.now() >= record["expires"]:
            return "expired", record
        return None, record

    def grant_of(self, record):
        return self.grants[record["grant"]]

    def account_of(self, record):
        return self.accounts.get(self.grants[record["grant"]]["account_id"])

    def _account_tokens(self, account, kinds):
        for grant_id in self.grants_by_account.get(account["id"], ()):
            for token in self.tokens_by_grant.get(grant_id, ()):
                record = self.tokens[token]
                if record["kind"] in kinds:
                    yield token, record

    def expire_tokens(self, platform, username, kind=None):
        kinds = {None: tuple(TOKEN_TTL), "access": ACCESS_KINDS, "refresh": ("tt_refresh",)}.get(kind)
        if kinds is None:
            raise ControlError(400, "kind must be access, refresh or absent (all)")
        with self.lock:
            account = self.account_or_404(platform, username)
            now = self.now()
            expired = 0
            for _, record in self._account_tokens(account, kinds):
                record["expires"] = min(record["expires"], now)
                expired += 1
            return {"expired": expired}

    def revoke_tokens(self, platform, username):
        with self.lock:
            return {"revoked": self._revoke(self.account_or_404(platform, username))}

    def _revoke(self, account):
        revoked = 0
        for grant_id in self.grants_by_account.get(account["id"], ()):
            grant = self.grants[grant_id]
            if not grant["revoked"]:
                grant["revoked"] = True
                revoked += 1
        for code in self.codes_by_account.get(account["id"], ()):
            self.codes[code]["used"] = True
        self.instagram_user_count = None
        return revoked

    def revoke_grant(self, grant_id):
        self.grants[grant_id]["revoked"] = True
        self.instagram_user_count = None

    def instagram_users(self):
        """Accounts that currently authorize the app: Meta's hourly budget is 200 calls per user."""
        if self.instagram_user_count is None:
            self.instagram_user_count = len(
                {
                    g["account_id"]
                    for g in self.grants.values()
                    if g["platform"] == "instagram" and not g["revoked"]
                }
            )
        return self.instagram_user_count

    # Faults

    def add_fault(self, data):
        platform, kind = data.get("platform"), data.get("kind")
        if platform not in seed.PLATFORMS:
            raise ControlError(400, "platform must be instagram or tiktok")
        if kind not in FAULT_KINDS:
            raise ControlError(400, f"kind must be one of {', '.join(FAULT_KINDS)}")
        count, ratio = data.get("count"), data.get("ratio")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
            raise ControlError(400, "count must be a whole number ≥ 1")
        if ratio is not None and (
            isinstance(ratio, bool) or not isinstance(ratio, int | float) or not 0 < ratio <= 1
        ):
            raise ControlError(400, "ratio must be a number in (0, 1]")
        if count is None and ratio is None:
            count = 1
        code = data.get("code")
        if kind == "rate_limit" and platform == "instagram":
            code = 4 if code is None else code
            if code not in instagram.RATE_LIMIT_CODES:
                raise ControlError(400, "Instagram rate-limit codes are 4, 17, 32 and 613")
        elif code is not None:
            raise ControlError(400, "code only applies to Instagram rate limits")
        seconds = data.get("seconds", 5 if kind == "timeout" else None)
        if kind == "timeout" and (
            isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= 300
        ):
            raise ControlError(400, "seconds must be a number from 0 to 300")
        endpoint = data.get("endpoint")
        if endpoint is not None:
            endpoint = endpoint if "." in endpoint else f"{platform}.{endpoint}"
            if endpoint not in instagram.ENDPOINTS + tiktok.ENDPOINTS:
                raise ControlError(400, f"unknown endpoint {endpoint}")
            if kind == "rate_limit" and endpoint in instagram.OAUTH_ENDPOINTS:
                raise ControlError(400, "api.instagram.com's code exchange has no rate limits to inject")
        with self.lock:
            self.fault_ids += 1
            fault = {
                "id": self.fault_ids,
                "platform": platform,
                "kind": kind,
                "remaining": count,
                "ratio": ratio,
                "code": code,
                "seconds": seconds,
                "endpoint": endpoint,
                "fired": 0,
            }
            self.faults.append(fault)
            return dict(fault)

    def clear_faults(self):
        with self.lock:
            cleared, self.faults = len(self.faults), []
            return {"cleared": cleared}

    def _take_fault(self, platform, endpoint):
        for fault in self.faults:
            if fault["platform"] != platform or fault["endpoint"] not in (None, endpoint):
                continue
            if fault["kind"] == "rate_limit" and endpoint in instagram.OAUTH_ENDPOINTS:
                continue  # api.instagram.com's code exchange has no Graph rate limits
            if fault["ratio"] is not None and self.fault_rng.random() >= fault["ratio"]:
                continue
            fault["fired"] += 1
            if fault["remaining"] is not None:
                fault["remaining"] -= 1
                if fault["remaining"] == 0:
                    self.faults.remove(fault)
            return dict(fault)
        return None

    # The API entry point

    def api(self, request):
        route = _route(request)
        if route is None:
            return _not_found(request)
        platform, name, handler, arguments = route
        with self.lock:
            endpoint = name(self, request, arguments) if callable(name) else name
            account = self._peek_account(request)
            fault = self._take_fault(platform, endpoint)
            graph = endpoint in instagram.GRAPH_ENDPOINTS
            if graph:
                self.graph_calls.append(self.now())
            if fault and fault["kind"] == "rate_limit":
                response = (instagram if platform == "instagram" else tiktok).rate_limited(endpoint, fault)
            elif fault and fault["kind"] == "error500":
                response = (instagram if platform == "instagram" else tiktok).server_error(endpoint)
            elif graph and self._over_budget():
                response = instagram.rate_limited(endpoint, {"code": 4})
            else:
                try:
                    response = json_response(200, handler(self, request, **arguments))
                except ApiError as error:
                    response = json_response(error.status, error.body)
            if graph:
                usage = self._graph_usage()
                if fault and fault["kind"] == "rate_limit" and fault["code"] == 4:
                    usage = 100  # the app's budget is what code 4 says is spent
                response.headers["X-App-Usage"] = json.dumps(
                    {"call_count": usage, "total_cputime": usage * 3 // 5, "total_time": usage * 4 // 5}
                )
            if fault and fault["kind"] == "timeout":
                response.delay = fault["seconds"]
            self._record(request, endpoint, account, response.status, fault)
            return response

    def _graph_budget(self):
        """Graph calls in the last hour and the app's hourly budget (200 per authorizing user)."""
        since = self.now() - HOUR
        while self.graph_calls and self.graph_calls[0] <= since:
            self.graph_calls.popleft()
        return len(self.graph_calls), 200 * max(1, self.instagram_users())

    def _graph_usage(self):
        """Percent of the budget spent, as Meta's X-App-Usage call_count."""
        used, budget = self._graph_budget()
        return min(100, used * 100 // budget)

    def _over_budget(self):
        used, budget = self._graph_budget()
        return used > budget

    def _peek_account(self, request):
        """Whose call this is, without validating anything: for the call counts."""
        values = [request.query.get("access_token"), request.bearer()]
        values += [request.form.get(name) for name in ("code", "refresh_token", "token", "access_token")]
        for value in filter(None, values):
            if value in self.codes:
                return self.accounts.get(self.codes[value]["account_id"])
            if value in self.tokens:
                return self.account_of(self.tokens[value])
        return None

    def _record(self, request, endpoint, account, status, fault):
        key = f"{account['platform']}:{account['username']}" if account else None
        self.call_seq += 1
        self.calls.append(
            {
                "seq": self.call_seq,
                "at": self.now(),
                "endpoint": endpoint,
                "account": key,
                "target": request.target,
                "status": status,
                "fault": fault["kind"] if fault else None,
            }
        )
        self.by_endpoint[endpoint] += 1
        if key:
            self.by_account[key][endpoint] += 1

    # Control

    def add_account(self, data):
        fields = ("platform", "username", "followers", "following", "account_type", "name", "audience")
        extra = set(data) - {*fields, "posts", "biography", "engagement"}
        if extra:
            raise ControlError(400, f"unknown fields: {', '.join(sorted(extra))}")
        with self.lock:
            try:
                account = seed.new_account(
                    self,
                    data.get("platform"),
                    data.get("username"),
                    followers=data.get("followers"),
                    following=data.get("following"),
                    account_type=data.get("account_type"),
                    name=data.get("name"),
                    audience=data.get("audience"),
                    biography=data.get("biography"),
                    engagement=data.get("engagement"),
                )
            except InvalidInput as error:
                raise ControlError(400, str(error)) from None
            try:
                posts = data.get("posts", 0)
                if isinstance(posts, list):
                    for post in posts:
                        self._add_post(account, post)
                else:
                    seed.add_generated_posts(self, account, posts, newest=self.now() - 6 * HOUR)
            except InvalidInput as error:
                # All or nothing: forget the account and the posts made before the bad one.
                self._forget_account(account)
                raise ControlError(400, str(error)) from None
            return self.account_view(account, posts=True)

    def update_account(self, platform, username, data):
        allowed = {"followers", "following", "name", "account_type", "audience", "username", "biography"}
        extra = set(data) - allowed
        if extra:
            raise ControlError(400, f"unknown fields: {', '.join(sorted(extra))}")
        with self.lock:
            account = self.account_or_404(platform, username)
            try:
                changed = dict(account)
                seed.update_counts(changed, data, ("followers", "following"))
                if "audience" in data:
                    changed["audience"] = {**account["audience"], **seed.audience_weights(data["audience"])}
                if "account_type" in data:
                    if platform != "instagram" or data["account_type"] not in seed.ACCOUNT_TYPES:
                        raise InvalidInput(f"account_type must be one of {', '.join(seed.ACCOUNT_TYPES)}")
                    changed["account_type"] = data["account_type"]
                for name in ("name", "biography"):
                    if name in data:
                        if not isinstance(data[name], str):
                            raise InvalidInput(f"{name} must be a string")
                        changed[name] = data[name]
                if "username" in data and data["username"] != username:
                    if not isinstance(data["username"], str) or not re.fullmatch(
                        r"[a-z0-9._]+", data["username"]
                    ):
                        raise InvalidInput("username must be lower-case letters, digits, '.' or '_'")
                    if self.find_account(platform, data["username"]):
                        raise ControlError(409, f"{platform} already has an account @{data['username']}")
                    changed["username"] = data["username"]
            except InvalidInput as error:
                raise ControlError(400, str(error)) from None
            self.by_name.pop((platform, username))
            account.update(changed)
            self.by_name[(platform, account["username"])] = account
            return self.account_view(account)

    def add_post(self, platform, username, data):
        with self.lock:
            account = self.account_or_404(platform, username)
            try:
                return self.post_view(self._add_post(account, data))
            except InvalidInput as error:
                raise ControlError(400, str(error)) from None

    def _add_post(self, account, data):
        if not isinstance(data, dict):
            raise InvalidInput("a post is a JSON object")
        allowed = {
            "caption",
            "title",
            "media_product_type",
            "media_type",
            "timestamp",
            "duration",
            *seed.METRICS,
        }
        extra = set(data) - allowed
        if extra:
            raise InvalidInput(f"unknown post fields: {', '.join(sorted(extra))}")
        if account["platform"] == "tiktok" and ("media_product_type" in data or "media_type" in data):
            raise InvalidInput("TikTok posts are all videos: no media_product_type")
        fields = {key: data[key] for key in allowed if key in data and key not in seed.METRICS}
        if "caption" in fields and not isinstance(fields["caption"], str):
            raise InvalidInput("caption must be a string")
        fields.setdefault("timestamp", self.now())
        metrics = {name: data.get(name) for name in seed.METRICS}
        return seed.new_post(self, account, **fields, **metrics)

    def post_or_404(self, post_id):
        post = self.posts.get(post_id)
        if post is None:
            raise ControlError(404, f"no post {post_id}")
        return post

    def update_post(self, post_id, data):
        allowed = {"caption", "title", "deleted", *seed.METRICS}
        extra = set(data) - allowed
        if extra:
            raise ControlError(400, f"unknown fields: {', '.join(sorted(extra))}")
        with self.lock:
            post = self.post_or_404(post_id)
            changed = dict(post)
            try:
                seed.update_counts(changed, data, seed.METRICS)
            except InvalidInput as error:
                raise ControlError(400, str(error)) from None
            for name in ("caption", "title"):
                if name in data:
                    if not isinstance(data[name], str):
                        raise ControlError(400, f"{name} must be a string")
                    changed[name] = data[name]
            if "deleted" in data:
                if not isinstance(data["deleted"], bool):
                    raise ControlError(400, "deleted must be true or false")
                changed["deleted"] = data["deleted"]
            post.update(changed)
            return self.post_view(post)

    def authorize(self, platform, params, username, allow=True):
        """What the authorize page does when the person picks `username` and presses Allow or Cancel:
        ("redirect", url) or ("refused", url of the error page's link); raises PageError."""
        module = instagram if platform == "instagram" else tiktok
        with self.lock:
            checked = module.check_authorize(self, params)
            if not allow:
                return "redirect", module.cancelled(checked)
            account = self.find_account(platform, username or "")
            if account is None:
                raise PageError(400, f"There is no {platform} account @{username}.")
            if account["account_type"] == "PERSONAL":
                return "refused", instagram.not_professional(checked)
            code = self.issue_code(platform, account, checked["redirect_uri"], checked["scopes"])
            return "redirect", module.allowed(checked, code)

    def signed_payload(self, username):
        with self.lock:
            account = self.account_or_404("instagram", username)
            return {"algorithm": "HMAC-SHA256", "issued_at": self.now(), "user_id": account["id"]}

    def app_removed(self, username):
        """The person removed the app on Instagram: its tokens stop working; returns the payload."""
        with self.lock:
            payload = self.signed_payload(username)
            self._revoke(self.account_or_404("instagram", username))
            return payload

    # Views for the control API

    def account_view(self, account, posts=False):
        view = {key: value for key, value in account.items() if key not in ("engagement", "topic")}
        view["audience"] = {
            breakdown: dict(seed.demographics(account, breakdown)) for breakdown in seed.BREAKDOWNS
        }
        live = self.posts_of(account, stories=True)
        view["post_count"] = len(live)
        if posts:
            view["posts"] = [self.post_view(post) for post in live]
        return copy.deepcopy(view)

    def post_view(self, post):
        account = self.accounts[post["account_id"]]
        view = dict(post, username=account["username"])
        if post["platform"] == "instagram":
            view["permalink"] = instagram.permalink(post)
        else:
            view["share_url"] = tiktok.share_url(account, post)
        return view

    def account_detail(self, platform, username):
        with self.lock:
            return self.account_view(self.account_or_404(platform, username), posts=True)

    def post_detail(self, post_id):
        with self.lock:
            return self.post_view(self.post_or_404(post_id))

    def call_log(self, endpoint=None, account=None):
        with self.lock:
            return [
                call
                for call in self.calls
                if endpoint in (None, call["endpoint"]) and account in (None, call["account"])
            ]

    def fault_list(self):
        with self.lock:
            return copy.deepcopy(self.faults)

    def dump(self):
        with self.lock:
            now = self.now()
            tokens = []
            for token, record in self.tokens.items():
                grant, account = self.grant_of(record), self.account_of(record)
                tokens.append(
                    {
                        "token": token,
                        "platform": grant["platform"],
                        "username": account["username"] if account else None,
                        "kind": record["kind"],
                        "scopes": list(grant["scopes"]),
                        "issued_at": record["issued"],
                        "expires_at": record["expires"],
                        "expired": now >= record["expires"],
                        "revoked": grant["revoked"],
                        "rotated": record["used"],
                    }
                )
            # Built from fresh dicts (account_view copies), so no deep copy of the whole at 10k accounts.
            return {
                "now": now,
                "clock_offset": self.offset,
                "accounts": [self.account_view(account) for account in self.accounts.values()],
                "tokens": tokens,
                "pending_codes": sum(1 for code in self.codes.values() if not code["used"]),
                "faults": [dict(fault) for fault in self.faults],
                "calls": {
                    "total": self.call_seq,
                    "by_endpoint": dict(self.by_endpoint),
                    "by_account": {key: dict(counts) for key, counts in self.by_account.items()},
                },
                "instagram_app_usage": self._graph_usage(),
            }


def _post_order(post):
    return post["timestamp"], post["id"]


def _random(alphabet, length):
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _route(request):
    for platform, routes in (("instagram", instagram.ROUTES), ("tiktok", tiktok.ROUTES)):
        for method, pattern, name, handler in routes:
            match = pattern.fullmatch(request.path)
            if match and method == request.method:
                return platform, name, handler, match.groupdict()
    return None


def _not_found(request):
    if request.path.startswith("/tiktok"):
        return tiktok.not_found(request)
    return instagram.not_found(request)


def parse_seed_date(text):
    return date.fromisoformat(text)
