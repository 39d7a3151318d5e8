"""The pages a person sees, plain forms without JavaScript: the consent pages instead of Instagram's
and TikTok's, and the demo pages (every account at /, one account's posts and a "New post" form at
/<platform>/@<username>), so whoever walks the demo can publish a post and then pick it in Kolabo."""

import html
import re
import time
from urllib.parse import quote, urlencode

from platform_emulator import instagram, tiktok
from platform_emulator.state import ControlError
from platform_emulator.wire import PageError, Response, html_response, redirect

PATHS = {
    "/instagram/oauth/authorize": "instagram",
    "/instagram/oauth/authorize/": "instagram",
    "/tiktok/v2/auth/authorize/": "tiktok",
    "/tiktok/v2/auth/authorize": "tiktok",
}
NAMES = {"instagram": "Instagram", "tiktok": "TikTok"}
KINDS = {"BUSINESS": "Business", "MEDIA_CREATOR": "Creator", "PERSONAL": "Personal"}
# The request's parameters that the form carries from the page to its POST.
CARRIED = ("client_id", "client_key", "redirect_uri", "response_type", "scope", "state")


def handle(emu, request):
    platform = PATHS[request.path]
    if request.method == "GET":
        return _consent(emu, platform, request.query)
    if request.method != "POST":
        return _page(platform, "Method not allowed", "<p>Use GET or POST.</p>", status=405)
    form = request.form
    try:
        kind, location = emu.authorize(
            platform, form, form.get("account"), allow=form.get("action") != "cancel"
        )
    except PageError as error:
        return _page(
            platform, "Something went wrong", f"<p>{html.escape(error.message)}</p>", status=error.status
        )
    if kind == "refused":
        content = f"""<p>This account is not a professional account. Switch it to a Business or
Creator account in the Instagram app, then try again.</p>
<p><a href="{html.escape(location)}">Back to the app</a></p>"""
        return _page(platform, "This account is not a professional account", content, status=400)
    return redirect(location)


def _consent(emu, platform, params):
    module = instagram if platform == "instagram" else tiktok
    with emu.lock:
        try:
            checked = module.check_authorize(emu, params)
        except PageError as error:
            return _page(
                platform, "Something went wrong", f"<p>{html.escape(error.message)}</p>", error.status
            )
        accounts = [
            (account["username"], account["name"], account["account_type"])
            for account in emu.accounts.values()
            if account["platform"] == platform
        ]
    chosen = params.get("account")
    options = "".join(
        f'<option value="{html.escape(username)}"{" selected" if username == chosen else ""}>'
        f"@{html.escape(username)} ({html.escape(name)}{', ' + KINDS[kind] if kind else ''})</option>"
        for username, name, kind in accounts
    )
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(params[name])}">'
        for name in CARRIED
        if params.get(name) is not None
    )
    scopes = "".join(f"<li><code>{html.escape(scope)}</code></li>" for scope in checked["scopes"])
    content = f"""<p>An app wants to access your {NAMES[platform]} account:</p><ul>{scopes}</ul>
<form method="post">{hidden}
<p><label for="account">Log in as</label>
<select name="account" id="account">{options}</select></p>
<p><button type="submit" name="action" value="allow">Allow</button>
<button type="submit" name="action" value="cancel">Cancel</button></p></form>"""
    return _page(platform, f"Allow access to your {NAMES[platform]} account?", content)


def _page(platform, title, content, status=200):
    return html_response(
        status,
        f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} · {NAMES[platform]} emulator</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}
button,select{{font-size:1rem;padding:.4rem 1rem}}small{{color:#666}}</style></head>
<body><h1>{html.escape(title)}</h1>{content}
<p><small>Kolabo's local {NAMES[platform]} emulator: no real account is involved.</small></p></body></html>
""",
    )


# The demo pages: every account, and one account's posts with a form to post as it.

ACCOUNT_PAGE = re.compile(r"/(?P<platform>instagram|tiktok)/@(?P<username>[a-z0-9._]+)/?")
# Instagram's own caption limit; TikTok's is longer, but a demo needs no more.
CAPTION_MAX = 2200
INSTAGRAM_TYPES = {"reel": ("REELS", "Reel (video)"), "feed": ("FEED", "Feed post (photo)")}
TYPE_LABELS = {"REELS": "Reel", "FEED": "Feed", "STORY": "Story", "VIDEO": "Video"}


def is_demo_path(path):
    return path == "/" or ACCOUNT_PAGE.fullmatch(path) is not None


def demo(emu, request):
    if request.path == "/":
        if request.method != "GET":
            return _demo_page("Method not allowed", "<p>Use GET.</p>", status=405)
        return _index(emu)
    match = ACCOUNT_PAGE.fullmatch(request.path)
    platform, username = match["platform"], match["username"]
    if request.method == "POST":
        return _new_post(emu, platform, username, request.form)
    if request.method != "GET":
        return _demo_page("Method not allowed", "<p>Use GET or POST.</p>", status=405)
    return _account(emu, platform, username, posted=request.query.get("posted"))


def _index(emu):
    with emu.lock:
        accounts = [emu.account_view(account) for account in emu.accounts.values()]
    sections = []
    for platform, name in NAMES.items():
        items = "".join(
            f'<li><a href="{html.escape(_account_path(platform, account["username"]))}">'
            f"@{html.escape(account['username'])}</a> · {html.escape(account['name'])} · "
            f"{account['followers']:,} followers · {account['post_count']} posts"
            f"{' · ' + KINDS[account['account_type']] if account.get('account_type') else ''}</li>"
            for account in accounts
            if account["platform"] == platform
        )
        sections.append(f"<h2>{name}</h2><ul>{items or '<li>No accounts.</li>'}</ul>")
    content = "<p>Open an account to see its posts and post as it.</p>" + "".join(sections)
    return _demo_page("Accounts", content)


def _account(emu, platform, username, *, posted=None, error="", form=None, status=200):
    with emu.lock:
        account = emu.find_account(platform, username)
        if account is None:
            return _demo_page(
                "No such account",
                f"<p>There is no {NAMES[platform]} account @{html.escape(username)}.</p>"
                '<p><a href="/">All accounts</a></p>',
                status=404,
            )
        view = emu.account_view(account, posts=True)
    notice = ""
    new = next((post for post in view["posts"] if posted and post["id"] == posted), None)
    if new is not None:
        notice = (
            f'<p class="notice" role="status">Posted. Its link: <code>{html.escape(_link(new))}</code></p>'
        )
    if error:
        notice += f'<p class="error" role="alert">{html.escape(error)}</p>'
    content = (
        f'<p><a href="/">All accounts</a></p>{notice}'
        f"<p>{html.escape(view['name'])} · {view['followers']:,} followers · "
        f"{view['post_count']} posts</p>"
        f"{_post_form(platform, username, form or {})}"
        f"<h2>Posts</h2>{_post_list(view['posts'])}"
    )
    return _demo_page(f"{NAMES[platform]} @{username}", content, status=status)


def _post_form(platform, username, form):
    caption = html.escape(form.get("caption", ""))
    kind = ""
    if platform == "instagram":
        chosen = form.get("type", "reel")
        options = "".join(
            f'<label><input type="radio" name="type" value="{value}"'
            f"{' checked' if value == chosen else ''}> {label}</label> "
            for value, (_product, label) in INSTAGRAM_TYPES.items()
        )
        kind = f"<fieldset><legend>Type</legend>{options}</fieldset>"
    what = "a TikTok video" if platform == "tiktok" else "an Instagram post"
    return f"""<h2>New post</h2>
<form method="post" action="{html.escape(_account_path(platform, username))}">
<p><label for="caption">Caption</label><br>
<textarea name="caption" id="caption" rows="3" maxlength="{CAPTION_MAX}">{caption}</textarea></p>
{kind}<p><button type="submit">Post now</button> <small>Publishes {what} as @{html.escape(username)}
now, with generated likes, comments and views.</small></p></form>"""


def _post_list(posts):
    if not posts:
        return "<p>No posts yet.</p>"
    rows = "".join(
        f"""<li><img src="/cdn/{html.escape(post["id"])}.png" alt="" width="64" height="64">
<div><p>{html.escape(post["caption"]) or "<em>No caption</em>"}</p>
<small>{_when(post["timestamp"])} · {TYPE_LABELS.get(post["media_product_type"], "")} ·
{post["likes"]:,} likes · {post["comments"]:,} comments · {post["views"]:,} views</small><br>
<code>{html.escape(_link(post))}</code></div></li>"""
        for post in posts
    )
    return f'<ul class="posts">{rows}</ul>'


def _new_post(emu, platform, username, form):
    caption = form.get("caption", "").strip()
    data = {"caption": caption}
    error = ""
    if len(caption) > CAPTION_MAX:
        error = f"A caption has at most {CAPTION_MAX} characters."
    if platform == "instagram":
        kind = INSTAGRAM_TYPES.get(form.get("type", "reel"))
        if kind is None:
            error = "Choose a reel or a feed post."
        else:
            data["media_product_type"] = kind[0]
    if not error:
        try:
            post = emu.add_post(platform, username, data)
        except ControlError as failure:
            if failure.status == 404:
                return _account(emu, platform, username)
            error = failure.message
        else:
            location = f"{_account_path(platform, username)}?{urlencode({'posted': post['id']})}"
            return Response(303, b"", {"Location": location}, content_type="text/plain")
    return _account(emu, platform, username, error=error, form=form, status=400)


def _account_path(platform, username):
    return f"/{platform}/@{quote(username)}"


def _link(post):
    return post.get("permalink") or post.get("share_url") or ""


def _when(timestamp):
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(timestamp))


def _demo_page(title, content, status=200):
    return html_response(
        status,
        f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} · platform emulator</title>
<style>body{{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}}
button{{font-size:1rem;padding:.4rem 1rem}}textarea{{width:100%;font:inherit}}small{{color:#666}}
.posts{{list-style:none;padding:0}}.posts li{{display:flex;gap:1rem;margin:0 0 1rem}}
.posts p{{margin:0}}.notice{{background:#e8f5e9;padding:.5rem}}.error{{background:#fdecea;padding:.5rem}}
code{{word-break:break-all}}</style></head>
<body><h1>{html.escape(title)}</h1>{content}
<p><small>Kolabo's local Instagram and TikTok emulator: no real account is involved.</small></p></body></html>
""",
    )
