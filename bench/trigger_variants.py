"""``python -m bench.trigger_variants``: run ``bench/scenarios/trigger_variants.py`` on a scratch
PostgreSQL database (``SPY_TEST_DATABASE_URL``'s server, like ``make bench``) and print the tax of
each trigger variant. A side measurement for docs/performance.md; it writes no file."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from bench import run


def main() -> int:
    url = os.environ.get("SPY_TEST_DATABASE_URL")
    if not url:
        raise SystemExit(
            "set SPY_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)"
        )
    workdir = Path(tempfile.mkdtemp(prefix="spy-bench-variants-"))
    try:
        with run.scratch_postgres(url) as scratch:
            part = run.suite(
                run.child_env(workdir),
                url=scratch,
                scenarios=["trigger_variants"],
                workdir=workdir,
                scale=1.0,
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(part["details"]["trigger_variants"], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
