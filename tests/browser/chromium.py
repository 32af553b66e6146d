"""Debian's Chromium driven by Playwright for Python (never a browser downloaded by Playwright),
and small helpers shared by the browser tests."""

from __future__ import annotations

import importlib.util
import os
import re
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# `make screenshots` sets SPY_SCREENSHOTS_DIR=docs/screenshots; a plain test run writes them to a
# temporary folder so running the suite never dirties the work tree.
SCREENSHOTS = Path(
    os.environ.get("SPY_SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "spy-screenshots"
)
VIEWPORT = {"width": 1280, "height": 800}
PASSWORD = "senha-do-teste-123"  # every persona that logs in through the login screen


def field(page, label: str):
    """The form control labelled exactly ``label`` (a required field's label ends in " *")."""
    labelled = page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))
    return labelled.and_(page.locator("input, select, textarea"))


def missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"browser tests skipped: {CHROMIUM} not found (apt-get install -y chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "browser tests skipped: playwright is not installed (pip install -e '.[test]')"
    return None
