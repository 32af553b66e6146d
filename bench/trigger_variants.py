"""``python -m bench.trigger_variants``: run ``bench/scenarios/trigger_variants.py`` on SQLite (a
temporary file) and, with ``SPY_TEST_DATABASE_URL``, on a scratch PostgreSQL database of that server
(like ``make bench``), and print the tax of each trigger variant. A side measurement for
docs/performance.md; it writes no file."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from bench import run


def main() -> int:
    url = os.environ.get("SPY_TEST_DATABASE_URL")
    workdir = Path(tempfile.mkdtemp(prefix="spy-bench-variants-"))
    env, found = run.child_env(workdir), {}
    try:
        if url:
            with run.scratch_postgres(url) as scratch:
                found["postgresql"] = _variants(env, scratch, workdir)
        found["sqlite"] = _variants(env, f"sqlite:///{workdir / 'variants.sqlite3'}", workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(found, indent=2))
    return 0


def _variants(env: dict, url: str, workdir: Path) -> dict:
    part = run.suite(env, url=url, scenarios=["trigger_variants"], workdir=workdir, scale=1.0)
    return part["details"]["trigger_variants"]


if __name__ == "__main__":
    raise SystemExit(main())
