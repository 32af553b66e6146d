"""Test settings: the product's settings with test secrets, and the database chosen by the run.

``SPY_TEST_DATABASE_URL`` set → the suite runs on that PostgreSQL; unset → SQLite in a temporary
file (a file, not memory, so other connections and processes can write to it like the ERP would).
"""

import os
import tempfile

os.environ.setdefault("SPY_SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)
os.environ.setdefault("SPY_ENCRYPTION_KEYS", "IfPGjTQGxYFp_0MDLsK3oEHJibBFaQYa4DY1gKePWlw=")
os.environ.setdefault("SPY_VAR_DIR", tempfile.mkdtemp(prefix="spy-test-var-"))
if os.environ.get("SPY_TEST_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["SPY_TEST_DATABASE_URL"]
else:
    os.environ["DATABASE_URL"] = "sqlite:///" + os.path.join(
        os.environ["SPY_VAR_DIR"], "spy.sqlite3"
    )

from spysystem.settings import *  # noqa: F403
from spysystem.settings import DATABASES

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(os.environ["SPY_VAR_DIR"], "test-spy.sqlite3")
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SPY_WORKER_POLL = 0.05
SPY_RETRY_BASE = 1
