"""Free slugs for models whose slug appears in public URLs (organizations, creator profiles)."""

from collections.abc import Collection

from django.db import models
from django.utils.text import slugify


def unique_slug(
    *,
    model: type[models.Model],
    value: str,
    fallback: str,
    reserved: Collection[str] = frozenset(),
    max_length: int = 50,
) -> str:
    """Slugify `value` and return the first of `base`, `base-2`, `base-3`... no `model` row uses.

    `fallback` is the base when `value` has nothing to slugify, and is appended to a base that is
    in `reserved` (a path the slug would shadow): "admin" becomes "admin-<fallback>".
    """
    base = slugify(value)[:max_length].strip("-") or fallback
    if base in reserved:
        base = f"{base}-{fallback}"
    taken = set(model._default_manager.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"
