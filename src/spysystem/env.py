"""Strict helpers that read the configuration from the environment.

Every value may also come from a file named by ``<NAME>_FILE`` (Docker/systemd secrets).
Nothing here is read at import time by application code other than ``settings``.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str | None = None) -> str | None:
    """Return ``NAME`` or the contents of the file named by ``NAME_FILE``, else ``default``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name}: {exc.strerror}") from exc
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, *, default: bool = False) -> bool:
    """Parse ``1/true/yes/on`` and ``0/false/no/off``; anything else is a configuration error."""
    value = env_str(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def env_list(name: str) -> list[str]:
    """Split a comma-separated variable, dropping blanks."""
    value = env_str(name) or ""
    return [item.strip() for item in value.split(",") if item.strip()]
