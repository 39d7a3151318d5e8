"""Issuing and revoking API credentials. The full token is returned once and never stored."""

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.authentication import cache_key
from api.models import ApiKey, PersonalToken, new_credential
from brands.models import Organization
from brands.permissions import require_org_manager
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import User
from marketplace.services import audit_record

NAME_MAX = ApiKey._meta.get_field("name").max_length


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(
            _("Name the key after the tool that uses it, for example “Agency CRM”."), field="name"
        )
    if len(name) > NAME_MAX:
        raise ValidationFailed(_("Keep the name under %(max)s characters.") % {"max": NAME_MAX}, field="name")
    return name


def api_key_create(*, organization: Organization, by_user: User, name: str, scope: str) -> tuple[ApiKey, str]:
    """A new key and its token (show it once: only a hash is kept)."""
    require_org_manager(organization=organization, user=by_user)
    if scope not in ApiKey.Scope.values:
        raise ValidationFailed(_("Choose read only, or read and write."), field="scope")
    prefix, token, secret_hash = new_credential("kolabo_key")
    with transaction.atomic():
        key = ApiKey.objects.create(
            organization=organization,
            created_by=by_user,
            name=_clean_name(name),
            scope=scope,
            prefix=prefix,
            secret_hash=secret_hash,
        )
        audit_record(
            actor=by_user, action="api_key.created", target=key, data={"scope": scope, "prefix": prefix}
        )
    return key, token


def api_key_revoke(*, key: ApiKey, by_user: User) -> ApiKey:
    require_org_manager(organization=key.organization_id, user=by_user)
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is not None:
            raise InvalidTransition(_("This key is already revoked."))
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(actor=by_user, action="api_key.revoked", target=key)
    cache.delete(cache_key(ApiKey, key.prefix))
    return key


def personal_token_create(*, user: User, name: str) -> tuple[PersonalToken, str]:
    prefix, token, secret_hash = new_credential("kolabo_pat")
    with transaction.atomic():
        created = PersonalToken.objects.create(
            user=user, name=_clean_name(name), prefix=prefix, secret_hash=secret_hash
        )
        audit_record(actor=user, action="personal_token.created", target=created, data={"prefix": prefix})
    return created, token


def personal_token_revoke(*, token: PersonalToken, by_user: User) -> PersonalToken:
    if token.user_id != by_user.pk:
        raise PermissionDeniedError(_("You can only revoke your own tokens."))
    with transaction.atomic():
        token = PersonalToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise InvalidTransition(_("This token is already revoked."))
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=by_user, action="personal_token.revoked", target=token)
    cache.delete(cache_key(PersonalToken, token.prefix))
    return token
