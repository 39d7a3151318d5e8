"""Accounts and posts: the deterministic seed, and the rules for ones added through the control API.

Everything random comes from the emulator's seeded `random.Random`, so a reset (or the same control
calls after it) gives the same ids, captions and metrics on every run.
"""

import math
import string
from datetime import UTC, datetime

HOUR = 3600
DAY = 24 * HOUR
PLATFORMS = ("instagram", "tiktok")
ACCOUNT_TYPES = ("BUSINESS", "MEDIA_CREATOR", "PERSONAL")
PRODUCT_TYPES = ("FEED", "REELS", "STORY")
METRICS = ("likes", "comments", "views", "shares", "saves", "reach")
BREAKDOWNS = ("country", "city", "age", "gender")
SHORTCODE_ALPHABET = string.ascii_letters + string.digits + "_-"

# Follower mix of an Indonesian creator (weights, scaled to the follower count when answered).
AUDIENCE = {
    "country": {"ID": 78, "MY": 7, "SG": 5, "US": 3, "AU": 2, "NL": 1.2, "JP": 1, "SA": 0.9, "TW": 0.8},
    "city": {
        "Jakarta, Jakarta": 31,
        "Bandung, West Java": 12,
        "Surabaya, East Java": 9,
        "Bekasi, West Java": 7,
        "Tangerang, Banten": 6,
        "Depok, West Java": 5,
        "Yogyakarta, Yogyakarta": 5,
        "Medan, North Sumatra": 4,
        "Denpasar, Bali": 3,
        "Kuala Lumpur, Kuala Lumpur": 3,
        "Singapore, Singapore": 3,
        "Makassar, South Sulawesi": 2,
    },
    "age": {"18-24": 36, "25-34": 41, "35-44": 13, "45-54": 6, "55-64": 2.5, "65+": 1},
    "gender": {"F": 57, "M": 41, "U": 2},
}

TOPICS = {
    "coffee": (
        [
            "kopi susu gula aren",
            "es kopi pandan",
            "V60 Aceh Gayo",
            "cold brew Toraja",
            "latte art",
            "affogato",
        ],
        ["Blok M", "Kemang", "Bandung", "Jogja", "Senopati", "rumah"],
        ["#kopi", "#kopisusu", "#coffeetime", "#jakartafoodie", "#umkm", "#localbrand"],
    ),
    "lifestyle": (
        ["skincare pagi", "outfit kampus", "thrift haul", "rutinitas malam", "makeup natural", "meal prep"],
        ["Dago", "kos", "Braga", "kampus", "Paris Van Java", "rumah"],
        ["#ootd", "#skincareroutine", "#bandung", "#dailyvlog", "#racuntiktok", "#selfcare"],
    ),
    "personal": (
        ["liburan keluarga", "nasi goreng", "futsal", "nonton konser", "mudik", "kucing baru"],
        ["Surabaya", "Malang", "rumah", "Bromo", "pantai", "kantor"],
        ["#weekend", "#family", "#surabaya", "#throwback"],
    ),
}
TEMPLATES = (
    "Pagi ini nyobain {subject} di {place} ✨",
    "Review jujur: {subject} di {place}. Worth it?",
    "Behind the scenes bikin konten {subject} minggu ini",
    "3 tips {subject} yang jarang orang tahu",
    "Day in my life: {subject} + {place}",
    "Akhirnya! {subject} di {place} 🙌",
)

# (platform, username, name, account_type, followers, following, posts, span in days, engagement,
#  topic, audience weights multiplied in, index of a viral post or None)
SEED_ACCOUNTS = (
    ("instagram", "kopi.creator", "Dimas · Kopi Creator", "BUSINESS", 8400, 612, 45, 120, 0.034, "coffee",
     {}, 5),
    ("instagram", "nano.rina", "Rina Wulandari", "MEDIA_CREATOR", 1250, 388, 14, 100, 0.056, "lifestyle",
     {"city": {"Bandung, West Java": 3}}, None),
    ("instagram", "tiny.account", "Tiny Account", "BUSINESS", 60, 95, 5, 60, 0.09, "coffee", {}, None),
    ("instagram", "personal.budi", "Budi Santoso", "PERSONAL", 430, 301, 8, 90, 0.05, "personal",
     {"city": {"Surabaya, East Java": 4}}, None),
    ("tiktok", "kopi.creator", "Kopi Creator", None, 15200, 214, 40, 100, 0.9, "coffee", {}, 3),
    ("tiktok", "nano.rina", "Rina W.", None, 2300, 151, 12, 80, 0.7, "lifestyle", {}, None),
)  # fmt: skip


class InvalidInput(ValueError):
    """A control-API value the emulator cannot use (answered 400)."""


def populate(emu):
    for row in SEED_ACCOUNTS:
        platform, username, name, kind, followers, following, posts, span, engagement, topic, mix, viral = row
        account = new_account(
            emu,
            platform,
            username,
            followers=followers,
            following=following,
            account_type=kind,
            name=name,
            engagement=engagement,
            topic=topic,
        )
        for breakdown, boosts in mix.items():
            for key, factor in boosts.items():
                account["audience"][breakdown][key] *= factor
        add_generated_posts(emu, account, posts, span_days=span, viral_index=viral)


def new_account(
    emu,
    platform,
    username,
    *,
    followers,
    following=None,
    account_type=None,
    name=None,
    audience=None,
    engagement=None,
    topic=None,
    biography=None,
):
    """A new account stored in `emu`; raises InvalidInput on bad values."""
    rng = emu.rng
    if platform not in PLATFORMS:
        raise InvalidInput(f"platform must be one of {', '.join(PLATFORMS)}")
    if (
        not isinstance(username, str)
        or not username
        or not set(username) <= set(string.ascii_lowercase + string.digits + "._")
    ):
        raise InvalidInput("username must be lower-case letters, digits, '.' or '_'")
    if emu.find_account(platform, username) is not None:
        raise InvalidInput(f"{platform} already has an account @{username}")
    followers = _count(followers, "followers")
    following = _count(following if following is not None else rng.randint(80, 900), "following")
    if platform == "instagram":
        account_type = account_type or "BUSINESS"
        if account_type not in ACCOUNT_TYPES:
            raise InvalidInput(f"account_type must be one of {', '.join(ACCOUNT_TYPES)}")
    elif account_type is not None:
        raise InvalidInput("TikTok accounts have no account_type")
    if engagement is None:
        # Instagram: the usual like rate by size; TikTok: views per follower.
        engagement = 0.8 if platform == "tiktok" else 0.06 if followers < 5000 else 0.035
    if isinstance(engagement, bool) or not isinstance(engagement, int | float) or engagement <= 0:
        raise InvalidInput("engagement must be a number > 0")
    for label, text in (("name", name), ("biography", biography)):
        if text is not None and not isinstance(text, str):
            raise InvalidInput(f"{label} must be a string")
    account = {
        "platform": platform,
        "id": _unique(emu.accounts, lambda: _account_id(rng, platform)),
        "username": username,
        "name": name or username.replace(".", " ").replace("_", " ").title(),
        "account_type": account_type,
        "followers": followers,
        "following": following,
        "biography": biography if biography is not None else f"Kolabo demo · @{username}",
        "verified": False,
        "audience": {**default_audience(rng), **audience_weights(audience or {})},
        "engagement": float(engagement),
        "topic": topic if topic in TOPICS else rng.choice(sorted(TOPICS)),
    }
    if platform == "instagram":
        account["app_scoped_id"] = str(rng.randrange(10**15, 10**16))
    else:
        account["union_id"] = "-".join(
            "".join(rng.choice("0123456789abcdef") for _ in range(size)) for size in (8, 4, 4, 4, 12)
        )
    emu.store_account(account)
    return account


def default_audience(rng):
    """The default mix, each weight nudged by the seeded random."""
    return {
        breakdown: {key: weight * rng.uniform(0.85, 1.15) for key, weight in weights.items()}
        for breakdown, weights in AUDIENCE.items()
    }


def audience_weights(audience):
    """The caller's breakdowns (`{"country": {"ID": 80, "MY": 20}}`), checked: weights, not counts."""
    if not isinstance(audience, dict):
        raise InvalidInput("audience must be an object of breakdowns")
    result = {}
    for breakdown, weights in audience.items():
        if breakdown not in BREAKDOWNS:
            raise InvalidInput(f"audience breakdowns are {', '.join(BREAKDOWNS)}")
        if not isinstance(weights, dict) or not all(
            isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
            for value in weights.values()
        ):
            raise InvalidInput(f"audience.{breakdown} must map keys to non-negative numbers")
        result[breakdown] = {str(key): float(value) for key, value in weights.items()}
    return result


def demographics(account, breakdown):
    """[(key, followers)] biggest first: the weights scaled to the follower count."""
    weights = account["audience"][breakdown]
    total = sum(weights.values())
    if not total:
        return []
    counts = [(key, round(account["followers"] * weight / total)) for key, weight in weights.items()]
    return sorted(((key, value) for key, value in counts if value > 0), key=lambda item: (-item[1], item[0]))


def add_generated_posts(emu, account, count, *, span_days=90, viral_index=None, newest=None):
    """`count` posts spread over `span_days`, newest first from `newest` (default: before the seed day)."""
    rng = emu.rng
    count = _count(count, "posts")
    newest = newest if newest is not None else emu.anchor - rng.randint(4, 20) * HOUR
    gap = span_days * DAY / max(count, 1)
    posts = []
    for index in range(count):
        jitter = rng.uniform(-0.3, 0.3) * gap if index else 0
        timestamp = int(newest - index * gap + jitter)
        posts.append(new_post(emu, account, timestamp=timestamp, boost=8.0 if index == viral_index else 1.0))
    return posts


def new_post(
    emu,
    account,
    *,
    timestamp,
    boost=1.0,
    caption=None,
    title=None,
    media_product_type=None,
    media_type=None,
    duration=None,
    **metrics,
):
    rng = emu.rng
    instagram = account["platform"] == "instagram"
    if instagram:
        if media_product_type is None:
            media_product_type, default_type = rng.choices(
                [("REELS", "VIDEO"), ("FEED", "IMAGE"), ("FEED", "CAROUSEL_ALBUM")], weights=[40, 45, 15]
            )[0]
        elif media_product_type not in PRODUCT_TYPES:
            raise InvalidInput(f"media_product_type must be one of {', '.join(PRODUCT_TYPES)}")
        else:
            default_type = "VIDEO" if media_product_type == "REELS" else "IMAGE"
        media_type = media_type or default_type
        if media_type not in ("IMAGE", "VIDEO", "CAROUSEL_ALBUM"):
            raise InvalidInput("media_type must be IMAGE, VIDEO or CAROUSEL_ALBUM")
    else:
        media_product_type, media_type = "VIDEO", "VIDEO"
    generated = _metrics(rng, account, media_product_type, boost)
    unknown = set(metrics) - set(METRICS)
    if unknown:
        raise InvalidInput(f"unknown post fields: {', '.join(sorted(unknown))}")
    for name, value in metrics.items():
        if value is not None:
            generated[name] = _count(value, name)
    post_id = _unique(emu.posts, lambda: _post_id(rng, instagram))
    post = {
        "platform": account["platform"],
        "id": post_id,
        "account_id": account["id"],
        "caption": caption if caption is not None else _caption(rng, account["topic"]),
        "title": title if title is not None else "",
        "media_type": media_type,
        "media_product_type": media_product_type,
        "shortcode": "".join(rng.choice(SHORTCODE_ALPHABET) for _ in range(11)),
        "timestamp": parse_timestamp(timestamp),
        "duration": _count(duration, "duration") if duration is not None else rng.randint(7, 75),
        "deleted": False,
        **generated,
    }
    emu.store_post(post)
    return post


def parse_timestamp(value):
    """Unix seconds, or ISO 8601 (`2026-11-30T10:15:00+0000`, `...Z`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None:
            return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())
    raise InvalidInput("timestamp must be Unix seconds or ISO 8601")


def update_counts(target, data, names):
    for name in names:
        if name in data:
            target[name] = _count(data[name], name)


def _metrics(rng, account, product, boost):
    followers = account["followers"]
    if account["platform"] == "instagram":
        rate = rng.lognormvariate(math.log(account["engagement"]), 0.3) * boost
        likes = round(followers * rate)
        reach = followers * rng.uniform(0.28, 0.55) * (1.7 if product == "REELS" else 1.0) * min(boost, 6)
        views = reach * rng.uniform(1.15, 1.6)
    else:
        views = followers * rng.lognormvariate(math.log(account["engagement"]), 0.6) * boost
        likes = round(views * rng.uniform(0.04, 0.09))
        reach = views * rng.uniform(0.7, 0.9)
    return {
        "likes": likes,
        "comments": round(likes * rng.uniform(0.02, 0.08)),
        "views": round(views),
        "shares": round(likes * rng.uniform(0.01, 0.06)),
        "saves": round(likes * rng.uniform(0.02, 0.09)),
        "reach": round(reach),
    }


def _caption(rng, topic):
    subjects, places, tags = TOPICS[topic]
    text = rng.choice(TEMPLATES).format(subject=rng.choice(subjects), place=rng.choice(places))
    return f"{text} {' '.join(rng.sample(tags, 3))}"


def _account_id(rng, platform):
    if platform == "instagram":
        return "1784140" + "".join(rng.choice(string.digits) for _ in range(10))
    return "-000" + "".join(rng.choice(SHORTCODE_ALPHABET) for _ in range(28))


def _post_id(rng, instagram):
    if instagram:
        return "18" + "".join(rng.choice(string.digits) for _ in range(15))
    return "7" + "".join(rng.choice(string.digits) for _ in range(18))


def _unique(existing, make):
    while True:
        value = make()
        if value not in existing:
            return value


def _count(value, name):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{name} must be a whole number ≥ 0")
    return value
