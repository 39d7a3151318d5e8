"""OpenAPI: how our Bearer credentials appear in the schema, the error responses every operation
documents, and the schema view that builds the schema once per process."""

import contextlib
import threading

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An organization API key (kolabo_key_…) or a personal access token (kolabo_pat_…).",
        }


ERROR_SCHEMA = {
    "type": "object",
    "description": "The one error body of the API.",
    "properties": {
        "type": {
            "type": "string",
            "description": "validation_error, authentication_error, permission_error, not_found, "
            "conflict, request_too_large, idempotency_error, rate_limited, server_error, …",
        },
        "code": {"type": "string", "description": "A stable machine-readable code."},
        "detail": {"type": "string", "description": "What went wrong and what to do, in words."},
        "fields": {
            "type": "object",
            "description": "Validation errors per field (400 only).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "code", "detail"],
}
ERRORS = {
    "400": "Invalid input: `fields` says which field and why.",
    "401": "No credentials, or a bad or revoked key or token.",
    "403": "Authenticated but not allowed (a read-only key writing, a viewer managing).",
    "404": "Not found, or another organization's object.",
    "405": "Method not allowed.",
    "409": "Not possible in the object's current state (an illegal transition).",
    "415": "Unsupported media type.",
    "429": "Too many requests: slow down and retry after the Retry-After header.",
    "500": "Our fault: logged on our side; the body says nothing more. Retry later.",
}
BODY_ERRORS = {"413": "The request body is larger than the server accepts."}
POST_ERRORS = {"422": "This Idempotency-Key was used with a different request (path, query string or body)."}


def add_error_responses(result, generator, request, public):
    """Document the error responses every operation can give, with the shared Error body."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            errors = (
                ERRORS
                | (BODY_ERRORS if method in {"post", "put", "patch"} else {})
                | (POST_ERRORS if method == "post" else {})
            )
            responses = operation.setdefault("responses", {})
            for status_code, description in errors.items():
                responses.setdefault(status_code, {"description": description, "content": reference})
    return result


# The schema served at /api/schema/: built once per process (per API version and language), since
# it only changes with the code, i.e. with a deploy. Building it walks every view and serializer
# (0.4–0.8 s), and rendering it as YAML takes another 0.15 s: both are kept, per format.
_schemas: dict[tuple, dict] = {}  # (version, language) → the schema
_rendered: dict[tuple, bytes] = {}  # (version, language, media type) → its rendering
_lock = threading.Lock()
# How many times this process built the schema: read by the tests to prove the cache is used.
builds = 0


def schema_cache_clear() -> None:
    global builds
    with _lock:
        _schemas.clear()
        _rendered.clear()
        builds = 0


class CachedSpectacularAPIView(SpectacularAPIView):
    """SpectacularAPIView with the schema built once per process, per version and language, and
    rendered once per format."""

    @extend_schema(**SCHEMA_KWARGS)
    def get(self, request, *args, **kwargs):
        language = translation.get_language() or settings.LANGUAGE_CODE
        if settings.USE_I18N and request.GET.get("lang"):
            # An unknown language gets the current one (and never a cache entry of its own).
            with contextlib.suppress(LookupError):
                language = translation.get_supported_language_variant(request.GET["lang"])
        with translation.override(language):
            return self._get_schema_response(request)

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        media_type = request.accepted_media_type
        key = (version, translation.get_language())
        content = _rendered.get((*key, media_type))
        if content is None:
            with _lock:
                content = _rendered.get((*key, media_type))
                if content is None:
                    content = request.accepted_renderer.render(
                        self._schema(request, version, key), media_type, {"request": request}
                    )
                    _rendered[(*key, media_type)] = content
        response = HttpResponse(content, content_type=media_type)
        response["Content-Disposition"] = f'inline; filename="{self._get_filename(request, version)}"'
        return response

    def _schema(self, request, version, key) -> dict:
        global builds
        if key not in _schemas:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            _schemas[key] = generator.get_schema(request=request, public=self.serve_public)
            builds += 1
        return _schemas[key]
