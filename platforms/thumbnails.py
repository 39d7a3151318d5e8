"""Copies of post thumbnails and profile pictures in Kolabo's storage (platform CDN links expire).

Best effort: anything unexpected (an error, not an image, too large) is skipped without a word, and
the next refresh tries again.
"""

import logging

import urllib3
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename

from platforms.clients.base import PlatformUnavailable, open_stream

logger = logging.getLogger(__name__)

MAX_BYTES = 1024 * 1024
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
CHUNK = 64 * 1024


def download_image(url: str) -> tuple[bytes, str] | None:
    """(bytes, extension) of the image at `url`, or None when it is not a small image."""
    if not url.startswith(("https://", "http://")):
        return None
    try:
        response = open_stream(url)
    except PlatformUnavailable:
        return None
    try:
        if response.status != 200:
            return None
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        extension = IMAGE_TYPES.get(content_type)
        declared = response.headers.get("Content-Length")
        if extension is None or (declared and declared.isdigit() and int(declared) > MAX_BYTES):
            return None
        data = bytearray()
        for chunk in response.stream(CHUNK):
            data += chunk
            if len(data) > MAX_BYTES:
                return None
    except (urllib3.exceptions.HTTPError, OSError, ValueError):
        return None
    finally:
        response.release_conn()
    return (bytes(data), extension) if data else None


def store_image(url: str, *, folder: str, name: str) -> str:
    """Download `url` into default storage under `folder`; returns the stored name, or "" if skipped."""
    image = download_image(url)
    if image is None:
        return ""
    data, extension = image
    try:
        return default_storage.save(f"{folder}/{get_valid_filename(name)}.{extension}", ContentFile(data))
    except OSError:
        logger.warning("Could not store an image under %s", folder, exc_info=True)
        return ""
