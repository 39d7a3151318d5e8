"""API credentials: organization API keys and personal access tokens, sent as `Authorization: Bearer`.

Tokens look like `kolabo_key_<prefix>_<secret>` or `kolabo_pat_<prefix>_<secret>`. The prefix finds
the row; only a hash of the secret is stored, compared in constant time. A key acts for its
organization only (api.access narrows every query to it), as its creator would, within its scope.

A key acts with its creator's *current* role: on every request the creator's membership of the
key's organization, and that the account is active, are read from the database, outside the
credential cache. A creator who was removed, or whose account was deactivated, makes the key
answer 401 at once; a creator demoted to viewer makes it read-only (api.access).
"""

import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api.models import ApiKey, PersonalToken, hash_secret
from brands.models import Membership
from marketplace.models import User

KEY_KIND = "kolabo_key"
TOKEN_KIND = "kolabo_pat"  # noqa: S105 - a token type name, not a secret
# last_used_at is written at most this often: not one UPDATE per request.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Credentials:
    key: ApiKey | None = None
    token: PersonalToken | None = None
    # The key creator's role in the key's organization, read on this request (keys only).
    role: str | None = None

    @property
    def principal(self) -> str:
        return f"key:{self.key.pk}" if self.key else f"token:{self.token.pk}"


def principal_of(request) -> str:
    """Who is calling, for idempotency keys and rate limits."""
    if isinstance(request.auth, Credentials):
        return request.auth.principal
    return f"user:{request.user.pk}" if request.user.is_authenticated else "anonymous"


# Credentials are looked up on every request; a short cache saves a query each time. Revoking
# deletes the cached copy at once (api.services). Who stands behind the credential (the user's
# active flag, a key creator's membership) is never taken from this cache: see _current_membership.
CACHE_SECONDS = 60


def cache_key(model, prefix: str) -> str:
    return f"api:credential:{model._meta.model_name}:{prefix}"


def _credential(model, prefix: str):
    key = cache_key(model, prefix)
    credential = cache.get(key)
    if credential is None:
        # Only the credential row: its owner is read fresh on every request.
        related = ("organization",) if model is ApiKey else ()
        credential = model.objects.select_related(*related).filter(prefix=prefix).first()
        if credential is not None:
            cache.set(key, credential, CACHE_SECONDS)
    return credential


DISABLED = _("The account behind this key or token is disabled.")
NOT_A_MEMBER = _(
    "The person who created this API key is no longer a member of its organization; "
    "ask an owner or a manager for a new key."
)


def _current_membership(key: ApiKey) -> Membership:
    """The key creator's membership of the key's organization as it is now (one query, never
    cached), with the active user; 401 when they left, were removed or were deactivated."""
    membership = (
        Membership.objects.filter(organization_id=key.organization_id, user_id=key.created_by_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise exceptions.AuthenticationFailed(NOT_A_MEMBER)
    if not membership.user.is_active:
        raise exceptions.AuthenticationFailed(DISABLED)
    return membership


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
        if model is ApiKey:
            membership = _current_membership(credential)
            _touch(credential)
            return membership.user, Credentials(key=credential, role=membership.role)
        user = User.objects.filter(pk=credential.user_id, is_active=True).first()
        if user is None:
            raise exceptions.AuthenticationFailed(DISABLED)
        _touch(credential)
        return user, Credentials(token=credential)

    def authenticate_header(self, request):
        return self.keyword
