"""One database's share of ``make bench``, in its own process (Django is set up once per process).

``python -m bench.suite --scenarios spy_tax,latency --out FILE`` with ``DATABASE_URL`` pointing at a
scratch database that ``bench.run`` created: migrates it, adds the base data, runs the scenarios in
order and writes ``{"metrics": {...}, "details": {...}}`` to ``FILE``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import time
from pathlib import Path


def _setup() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", required=True, help="comma-separated module names")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--workdir", required=True, type=Path)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    _setup()
    from django.db import connection

    from bench.context import Bench
    from bench.fixtures import base_data

    base_data()
    bench = Bench(workdir=args.workdir, vendor=connection.vendor, scale=args.scale)
    metrics: dict = {}
    for name in args.scenarios.split(","):
        started = time.monotonic()
        print(f"-- {name} on {bench.vendor} …", flush=True)
        metrics.update(importlib.import_module(f"bench.scenarios.{name}").run(bench))
        seconds = time.monotonic() - started
        bench.details.setdefault("seconds", {})[f"{name}_{bench.suffix}"] = round(seconds, 1)
        print(f"   {name} done in {seconds:.0f} s", flush=True)
    args.out.write_text(json.dumps({"metrics": metrics, "details": bench.details}, indent=2))


if __name__ == "__main__":
    main()
