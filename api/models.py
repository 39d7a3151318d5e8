"""Credentials for the partner API, and the record that makes POST requests idempotent."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PREFIX_BYTES = 6
SECRET_BYTES = 24


def hash_secret(secret: str) -> str:
    # The secret is 192 random bits: a fast hash is enough, nobody can guess it (unlike a password).
    return hashlib.sha256(secret.encode()).hexdigest()


def new_credential(kind: str) -> tuple[str, str, str]:
    """(visible prefix, full token shown once, hash stored). Token: `<kind>_<prefix>_<secret>`."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    return prefix, f"{kind}_{prefix}_{secret}", hash_secret(secret)


class Credential(models.Model):
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=20, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiKey(Credential):
    """An organization's key for partner tools. Read keys only read; read-write keys act as a
    manager of the organization would."""

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        READ_WRITE = "read_write", _("Read and write")

    organization = models.ForeignKey(
        "brands.Organization",
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("organization"),
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    class Meta(Credential.Meta):
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")


class PersonalToken(Credential):
    """A creator's personal access token: acts as that user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )

    class Meta(Credential.Meta):
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")


class IdempotencyRecord(models.Model):
    """The first response to a POST with an Idempotency-Key, per key and principal, replayed after."""

    principal = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="api_idempotency_key_once"),
        ]
        indexes = [models.Index(fields=["created_at"], name="api_idempotency_created")]

    def __str__(self):
        return f"{self.principal} {self.key}"
