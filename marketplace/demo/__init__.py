"""The demo world that `manage.py seed_demo` loads: its people (people.py) and campaigns (campaigns.py).

The same every time: each part draws from its own seeded random generator.
"""

SEED = 2026
PASSWORD = "kolabo-demo-2026"  # noqa: S105 - the documented demo password, never used outside seed_demo
DOMAIN = "kolabo.demo"
CREATOR_COUNT = 200
