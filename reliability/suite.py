"""One database's share of ``make reliability``, in its own process (Django is set up once).

``python -m reliability.suite --scenarios a,b --out FILE --workdir DIR [--fast]`` with
``DATABASE_URL`` naming the scratch database ``reliability.run`` created: migrates it, runs the
scenarios in order (a scenario that raises is reported as failed with the error) and writes
``{name: result}`` to ``FILE``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import time
import traceback
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", required=True)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--workdir", required=True, type=Path)
    parser.add_argument("--fast", action="store_true")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "spysystem.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from reliability.common import Ctx, Result

    call_command("migrate", verbosity=0, interactive=False)
    ctx = Ctx(workdir=args.workdir, vendor=connection.vendor, fast=args.fast)
    results: dict = {}
    for name in args.scenarios.split(","):
        started = time.monotonic()
        print(f"-- {name} on {ctx.vendor} …", flush=True)
        try:
            result = importlib.import_module(f"reliability.scenarios.{name}").run(ctx)
        except Exception as exc:  # a scenario that crashes failed; the others still run
            traceback.print_exc()
            result = Result(notes=[f"erro: {type(exc).__name__}: {exc}"[:500]])
        finally:
            connection.close()
        row = result.as_dict()
        row["database"] = ctx.vendor
        row["seconds"] = round(time.monotonic() - started, 1)
        results[name] = row
        verdict = "passed" if row["passed"] else "FAILED"
        print(f"   {name}: {verdict} in {row['seconds']:.0f} s {row['notes']}", flush=True)
        args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
