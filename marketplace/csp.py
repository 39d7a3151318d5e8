"""Content-Security-Policy (django-csp), with one narrow exception for the API docs.

The site's policy is in settings.CONTENT_SECURITY_POLICY: everything from our own origin, scripts
only from files or with the per-request nonce (`<script nonce="{{ request.csp_nonce }}">`).
Swagger UI and Redoc (served from drf-spectacular-sidecar's local files) inject <style> elements and
Redoc runs its search in a blob: worker, so their two pages also allow inline styles and blob:
workers; their inline scripts carry the nonce (templates/drf_spectacular/).
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts

API_DOCS_VIEWS = {"api:docs", "api:redoc"}
API_DOCS_POLICY = {
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
    "worker-src": [SELF, "blob:"],
}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in API_DOCS_VIEWS:
            parts.replace = {**(parts.replace or {}), **API_DOCS_POLICY}
        return parts

    def process_response(self, request, response):
        # A redirect carries no document for a policy to protect, and building the policy is most
        # of this middleware's cost on /r/<code>, which must answer in milliseconds.
        if 300 <= response.status_code < 400:
            return response
        return super().process_response(request, response)
