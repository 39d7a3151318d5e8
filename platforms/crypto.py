"""Platform tokens encrypted at rest with MultiFernet.

PLATFORM_TOKEN_KEYS holds one or more Fernet keys, newest first: the first encrypts, every key
decrypts, so a key is rotated by putting a new one in front, running
`manage.py platform_tokens_rotate`, then dropping the old one. Tokens are never logged or shown.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


class TokenUnreadable(Exception):
    """A stored token no current key can decrypt (its key was dropped too early)."""


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.PLATFORM_TOKEN_KEYS])


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs):
    if setting == "PLATFORM_TOKEN_KEYS":
        _fernet.cache_clear()


def encrypt_token(token: str) -> str:
    return _fernet().encrypt(token.encode()).decode() if token else ""


def decrypt_token(stored: str) -> str:
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        raise TokenUnreadable from None


def rotate_token(stored: str) -> str:
    """The same token encrypted under the newest key."""
    return _fernet().rotate(stored.encode()).decode() if stored else ""
