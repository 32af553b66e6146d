"""The fast subset of ``make reliability`` (issue 8) as part of the suite: real ``spy worker`` and
``spy web`` processes against a scratch database, every scenario must pass. Under a minute."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_reliability_fast_subset_passes(tmp_path):
    for module in ("aiosmtpd", "psycopg"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"reliability fast subset skipped: {module} is not installed")
    if not (ROOT / "reliability" / "run.py").exists():
        pytest.skip("reliability fast subset skipped: reliability/ is missing")
    out = tmp_path / "results.json"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.pop("DATABASE_URL", None)
    completed = subprocess.run(
        [sys.executable, "-m", "reliability.run", "--fast", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert out.exists(), completed.stdout[-3000:] + completed.stderr[-3000:]
    scenarios = json.loads(out.read_text())["scenarios"]
    skipped = [name for name, row in scenarios.items() if row["passed"] is None]
    failed = {name: row["notes"] for name, row in scenarios.items() if row["passed"] is False}
    assert not failed, (failed, completed.stdout[-3000:])
    if skipped:
        print(f"reliability scenarios skipped: {skipped} (SPY_TEST_DATABASE_URL not set)")
