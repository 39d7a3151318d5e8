"""HTTP clients for the platforms Kolabo connects (see base.py for the errors and results)."""

from creators.models import Platform

from .base import (
    PlatformError,
    PlatformRefused,
    PlatformUnavailable,
    Post,
    PostInsights,
    Profile,
    RateLimited,
    TokenGrant,
    TokenInvalid,
)
from .instagram import InstagramClient
from .tiktok import TikTokClient

__all__ = [
    "InstagramClient",
    "PlatformError",
    "PlatformRefused",
    "PlatformUnavailable",
    "Post",
    "PostInsights",
    "Profile",
    "RateLimited",
    "TikTokClient",
    "TokenGrant",
    "TokenInvalid",
    "client_for",
]


def client_for(platform: str, access_token: str) -> InstagramClient | TikTokClient:
    if platform == Platform.INSTAGRAM:
        return InstagramClient(access_token)
    if platform == Platform.TIKTOK:
        return TikTokClient(access_token)
    raise ValueError(f"Kolabo cannot connect {platform!r} accounts")
