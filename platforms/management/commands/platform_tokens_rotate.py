"""Re-encrypt every stored platform token under the newest PLATFORM_TOKEN_KEYS key.

Rotation: put the new key first in PLATFORM_TOKEN_KEYS (keep the old ones after it), deploy, run
this, then drop the old keys. Tokens are never printed; only counts are.
"""

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from platforms.crypto import TokenUnreadable, rotate_token
from platforms.models import PlatformConnection

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt the stored platform tokens under the newest PLATFORM_TOKEN_KEYS key."

    def handle(self, *args, **options):
        rotated = unreadable = 0
        ids = list(
            PlatformConnection.objects.exclude(access_token_encrypted="", refresh_token_encrypted="")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                # Locked so a refresh storing a new token meanwhile is not overwritten with the old one.
                rows = PlatformConnection.objects.select_for_update().filter(
                    pk__in=ids[start : start + BATCH]
                )
                for row in rows.order_by("pk"):
                    try:
                        access = rotate_token(row.access_token_encrypted)
                        refresh = rotate_token(row.refresh_token_encrypted)
                    except (InvalidToken, TokenUnreadable):
                        unreadable += 1
                        self.stderr.write(
                            f"Connection {row.pk}: no current key decrypts its token; left as is."
                        )
                        continue
                    PlatformConnection.objects.filter(pk=row.pk).update(
                        access_token_encrypted=access, refresh_token_encrypted=refresh
                    )
                    rotated += 1
        self.stdout.write(f"Re-encrypted the tokens of {rotated} connections; {unreadable} unreadable.")
        if unreadable:
            raise CommandError(
                "Some tokens could not be decrypted: keep the old keys until they are resolved."
            )
