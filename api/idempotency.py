"""`Idempotency-Key` on every POST: the first response is stored per key and principal and replayed.

The same key with a different body, path or query string answers 422. A second request while the first is
still running answers 409. Server errors (5xx) are not stored, so the client may retry them.
"""

import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpResponse

from api.authentication import principal_of
from api.errors import IdempotencyInProgress, IdempotencyMismatch
from api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class Replay(Exception):
    def __init__(self, record: IdempotencyRecord):
        self.record = record


class IdempotentPostMixin:
    """For DRF views: call `idempotency_begin` after authentication and `idempotency_end` on the way out."""

    _idempotency_record: IdempotencyRecord | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        key = request.headers.get(HEADER, "").strip()
        if request.method != "POST" or not key:
            return
        if len(key) > MAX_KEY_LENGTH:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({HEADER: [f"Use at most {MAX_KEY_LENGTH} characters."]})
        # The fingerprint covers the path, the query string and the body: the same key sent with
        # any of them changed is a different request (422), not a retry.
        query = request.META.get("QUERY_STRING", "").encode()
        body_hash = hashlib.sha256(request.path.encode() + b"\n" + query + b"\n" + request.body).hexdigest()
        principal = principal_of(request)
        existing = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
        if existing is None:
            try:
                with transaction.atomic():
                    self._idempotency_record = IdempotencyRecord.objects.create(
                        principal=principal,
                        key=key,
                        method=request.method,
                        path=request.path,
                        body_hash=body_hash,
                    )
                return
            except IntegrityError:
                existing = IdempotencyRecord.objects.get(principal=principal, key=key)
        if existing.body_hash != body_hash:
            raise IdempotencyMismatch()
        if existing.status_code is None:
            raise IdempotencyInProgress()
        raise Replay(existing)

    def handle_exception(self, exc):
        if isinstance(exc, Replay):
            response = HttpResponse(
                bytes(exc.record.response_body or b""),
                status=exc.record.status_code,
                content_type=exc.record.content_type or "application/json",
            )
            response["Idempotent-Replayed"] = "true"
            return response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record = self._idempotency_record
        if record is None:
            return response
        self._idempotency_record = None
        if response.status_code >= 500:
            record.delete()  # a server error is not an answer: let the client retry
            return response
        if hasattr(response, "render"):
            response.render()
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status_code=response.status_code,
            response_body=response.content,
            content_type=response.get("Content-Type", ""),
        )
        return response
