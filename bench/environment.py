"""The environment a bench script runs the application in: as in production, with fresh secrets.

DEBUG off (so the outage and error handlers answer as they would), and secrets strong enough for
settings.refuse_weak_secrets, drawn anew for each run: nothing a run writes outlives it.
"""

import os
import secrets
from base64 import urlsafe_b64encode


def production_like(**overrides: str) -> None:
    key = urlsafe_b64encode(secrets.token_bytes(32)).decode()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "allforrwanda.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "RECEIPT_HASH_SECRET": secrets.token_urlsafe(48),
            "FIELD_ENCRYPTION_KEYS": f"bench:{key}",
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_FROM_SOURCE": "1",
            **overrides,
        }
    )
