"""The site's URLs as `DEBUG = True` builds them: marketplace/urls.py then serves MEDIA_ROOT at
MEDIA_URL (django.conf.urls.static.static only adds the route when DEBUG is on, at import time)."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from marketplace.urls import urlpatterns as site_urlpatterns


def media(request, path):
    # MEDIA_ROOT read per request: the tests point it at a temporary folder.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


# First: marketplace.urls may already hold a media route with another folder frozen in (when a
# test imported it with DEBUG on).
urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), *site_urlpatterns]
