"""OpenAPI extensions: how our Bearer credentials appear in the schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


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
            "conflict, idempotency_error, rate_limited, …",
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
}
POST_ERRORS = {"422": "This Idempotency-Key was used with a different body."}


def add_error_responses(result, generator, request, public):
    """Document the error responses every operation can give, with the shared Error body."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            errors = ERRORS | (POST_ERRORS if method == "post" else {})
            responses = operation.setdefault("responses", {})
            for status_code, description in errors.items():
                responses.setdefault(status_code, {"description": description, "content": reference})
    return result
