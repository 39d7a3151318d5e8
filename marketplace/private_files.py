"""Private files (draft submissions): stored outside MEDIA_ROOT, with no URL, handed out only by
views that check permissions first.

Public files (logos, creator photos) stay in the default storage under MEDIA_URL. Private files live
in STORAGES["private"] under PRIVATE_MEDIA_ROOT, which the web server never serves directly. A view
that has checked access answers with `private_file_response`: Django streams the file itself, or
(settings.PRIVATE_MEDIA_SERVE) hands the sending to nginx (X-Accel-Redirect to an `internal`
location) or Apache (X-Sendfile).
"""

import mimetypes
import os
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header

SERVE_MODES = ("django", "x-accel-redirect", "x-sendfile")


class PrivateFileSystemStorage(FileSystemStorage):
    """A FileSystemStorage rooted at PRIVATE_MEDIA_ROOT that refuses to build URLs."""

    def __init__(self, location=None, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(location=location, **kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":  # tests point it at a temporary folder
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Private files have no URL: link to the view that checks who may open them.")


def private_storage():
    """The storage of private FileFields (a callable, so migrations do not freeze its options)."""
    return storages["private"]


def private_file_response(file: FieldFile, *, as_attachment: bool = False) -> HttpResponse:
    """Answer with a private file. Call only after checking that the requester may see it."""
    name = file.name
    filename = os.path.basename(name)
    mode = settings.PRIVATE_MEDIA_SERVE
    if mode == "django":
        response = FileResponse(file.open("rb"), as_attachment=as_attachment, filename=filename)
    else:
        content_type, _encoding = mimetypes.guess_type(filename)
        response = HttpResponse(content_type=content_type or "application/octet-stream")
        if mode == "x-accel-redirect":
            # nginx serves it from a location marked `internal` that maps the prefix to the root.
            prefix = settings.PRIVATE_MEDIA_INTERNAL_PREFIX.rstrip("/") + "/"
            response["X-Accel-Redirect"] = quote(prefix + name)
        else:  # x-sendfile: Apache's mod_xsendfile reads the absolute path
            response["X-Sendfile"] = file.storage.path(name)
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    # Shared caches must never keep someone's draft.
    patch_cache_control(response, private=True)
    return response
