"""API credentials: organization API keys and personal access tokens, sent as `Authorization: Bearer`.

Tokens look like `kolabo_key_<prefix>_<secret>` or `kolabo_pat_<prefix>_<secret>`. The prefix finds
the row; only a hash of the secret is stored, compared in constant time. A key acts for its
organization only (api.access narrows every query to it), as its creator would, within its scope.
"""

import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api.models import ApiKey, PersonalToken, hash_secret

KEY_KIND = "kolabo_key"
TOKEN_KIND = "kolabo_pat"  # noqa: S105 - a token type name, not a secret
# last_used_at is written at most this often: not one UPDATE per request.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Credentials:
    key: ApiKey | None = None
    token: PersonalToken | None = None

    @property
    def principal(self) -> str:
        return f"key:{self.key.pk}" if self.key else f"token:{self.token.pk}"


def principal_of(request) -> str:
    """Who is calling, for idempotency keys and rate limits."""
    if isinstance(request.auth, Credentials):
        return request.auth.principal
    return f"user:{request.user.pk}" if request.user.is_authenticated else "anonymous"


# Credentials are looked up on every request; a short cache saves a query each time. Revoking
# deletes the cached copy at once (api.services), so only a deactivated user lingers, for at most
# CACHE_SECONDS.
CACHE_SECONDS = 60


def cache_key(model, prefix: str) -> str:
    return f"api:credential:{model._meta.model_name}:{prefix}"


def _credential(model, prefix: str):
    key = cache_key(model, prefix)
    credential = cache.get(key)
    if credential is None:
        related = ("organization", "created_by") if model is ApiKey else ("user",)
        credential = model.objects.select_related(*related).filter(prefix=prefix).first()
        if credential is not None:
            cache.set(key, credential, CACHE_SECONDS)
    return credential


def _touch(credential) -> None:
    now = timezone.now()
    if credential.last_used_at is None or now - credential.last_used_at > TOUCH_EVERY:
        type(credential).objects.filter(pk=credential.pk).update(last_used_at=now)
        credential.last_used_at = now
        cache.set(cache_key(type(credential), credential.prefix), credential, CACHE_SECONDS)


class BearerAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        parts = header[1].split("_")
        if len(parts) < 4 or "_".join(parts[:2]) not in (KEY_KIND, TOKEN_KIND):
            raise exceptions.AuthenticationFailed(_("This is not a Kolabo API key or token."))
        kind, prefix, secret = "_".join(parts[:2]), parts[2], "_".join(parts[3:])
        model = ApiKey if kind == KEY_KIND else PersonalToken
        credential = _credential(model, prefix)
        if credential is None or not hmac.compare_digest(credential.secret_hash, hash_secret(secret)):
            raise exceptions.AuthenticationFailed(_("The API key or token is not valid."))
        if not credential.is_active:
            raise exceptions.AuthenticationFailed(_("This API key or token was revoked."))
        user = credential.created_by if model is ApiKey else credential.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("The account behind this key is disabled."))
        _touch(credential)
        return user, Credentials(key=credential) if model is ApiKey else Credentials(token=credential)

    def authenticate_header(self, request):
        return self.keyword
