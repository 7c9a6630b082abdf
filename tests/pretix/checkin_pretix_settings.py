"""Django settings for the test pretix: pretix's own, plus what a local SQLite peer needs.

Loaded by the pretix process that tests/pretix_server.py starts (DJANGO_SETTINGS_MODULE),
never by the project's own code.
"""

import os

from pretix.settings import *  # noqa: F403  (pretix's settings are the base)
from pretix.settings import DATABASES

# Concurrent requests against stock SQLite settings answer HTTP 500 "database is locked":
# wait for the lock instead, and take it at the start of each transaction.
DATABASES["default"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS") or {},
                                       timeout=30, transaction_mode="IMMEDIATE")
# No mail leaves the machine.
EMAIL_BACKEND = EMAIL_CUSTOM_SMTP_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.path.join(os.environ["CHECKIN_PRETIX_DIR"], "mail")


class _NoMigrations(dict[str, None]):
    """Tables straight from the models ("migrate --run-syncdb"): a few seconds instead of
    the minute and a half that pretix's migrations take on a 2-core machine."""

    def __contains__(self, item: object) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


MIGRATION_MODULES = _NoMigrations()
