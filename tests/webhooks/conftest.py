from tests.webhooks.receiver import _local_http_allowed, receiver  # noqa: F401
