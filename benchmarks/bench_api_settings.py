"""The app's settings plus the benchmark's baseline route (benchmarks/api.py)."""

from marketplace.settings import *  # noqa: F403

ROOT_URLCONF = "bench_api_urls"
