"""API routes (v1) for this area; api/urls.py mounts them under /api/v1/."""

v1 = []
