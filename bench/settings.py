"""Settings of the benchmark processes: the product's settings plus django-post-office.

Only the benchmark uses these (the suite that prepares data and post_office's ``send_queued_mail``).
``spy worker`` runs with the product's own settings, as operators run it; the product never imports
post_office. ``BENCH_SMTP_PORT`` and ``BENCH_PO_THREADS`` are set per scenario by the suite.
"""

import os

from spysystem.settings import *  # noqa: F403
from spysystem.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "post_office"]

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("BENCH_SMTP_PORT", "25"))
EMAIL_TIMEOUT = 30

# post_office's defaults (batches of 100, log level 2: a Log row per sent e-mail), except the
# number of sending threads, which each scenario sets.
POST_OFFICE = {
    "BACKENDS": {"default": "django.core.mail.backends.smtp.EmailBackend"},
    "THREADS_PER_PROCESS": int(os.environ.get("BENCH_PO_THREADS", "5")),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "spysystem": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "post_office": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
