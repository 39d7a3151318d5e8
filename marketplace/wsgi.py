import os
import re

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application
from django.middleware.security import SecurityMiddleware
from django.urls import set_urlconf

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
site = get_wsgi_application()

SHORT_LINK = re.compile(r"^/r/[0-9a-z]{1,16}/?$")


class ShortLinkHandler(WSGIHandler):
    """/r/<code> with only SecurityMiddleware: a redirect that counts a click needs no session,
    CSRF, locale, messages or CSP, and it is the hottest path (benchmarks/tracking.py). Anything
    but a redirect (an unknown code, no destination yet) is answered by the whole site instead, so
    its page has the visitor's language and the usual headers."""

    def load_middleware(self, is_async=False):
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        view = convert_exception_to_response(self._get_response)
        self._middleware_chain = convert_exception_to_response(SecurityMiddleware(view))

    def get_response(self, request):
        # BaseHandler.get_response, less its logging of 4xx answers: those are the site's to log.
        set_urlconf(settings.ROOT_URLCONF)
        response = self._middleware_chain(request)
        if response.status_code != 302:
            return site.get_response(request)
        response._resource_closers.append(request.close)
        return response


short_links = ShortLinkHandler()


def application(environ, start_response):
    if environ.get("REQUEST_METHOD") in ("GET", "HEAD") and SHORT_LINK.match(environ.get("PATH_INFO", "")):
        return short_links(environ, start_response)
    return site(environ, start_response)
