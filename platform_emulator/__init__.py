"""A small local Instagram and TikTok for Kolabo's tests and demo: `python -m platform_emulator --help`.

It answers the app's HTTP clients on the paths of the API with Instagram Login (consent page, token
exchange, long-lived tokens and their refresh, profile, media with paging, media insights, follower
demographics) and of TikTok's Login Kit v2 and Display API (consent page, tokens with rotating refresh
tokens, revoke, user info, video list and query), with each platform's documented error shapes:
instagram.py and tiktok.py list their paths and errors. Seed accounts and posts are deterministic. A
control API under /_emulator/ (control.py) adds accounts and posts, expires and revokes tokens, moves
the clock, injects rate limits, timeouts and 500s, posts Meta's signed deauthorize and data-deletion
requests, and counts every call by endpoint and account. Standard library only: the app never imports
it, it runs as a separate process.
"""
