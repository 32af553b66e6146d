"""``make bench``: run every scenario of issue 7, print the table, write the results.

PostgreSQL from ``SPY_TEST_DATABASE_URL`` when it is set: the benchmark creates its own scratch
database ``spy_bench`` on that server and drops it at the end (it never touches the tables of the
database named in the URL). SQLite always runs too, in a temporary file. Every figure is a ratio or
a percentile measured in this run against a baseline of this run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import machine, report

ROOT = Path(__file__).resolve().parent.parent
SCRATCH_DATABASE = "spy_bench"
EVERYTHING = ["spy_tax", "latency", "throughput", "rss", "boleto", "bulk_aviso"]
PER_DATABASE = ["spy_tax", "latency"]
NO_POSTGRES = "not measured: SPY_TEST_DATABASE_URL not set"
PG_METRICS = ["spy_tax_pg", "latency_ms_p50_pg", "latency_ms_p99_pg"]


def _hide_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


@contextmanager
def scratch_postgres(url: str) -> Iterator[str]:
    """Create ``spy_bench`` on the server of ``url`` (dropping a leftover one) and drop it after."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    if parts.path.strip("/") == SCRATCH_DATABASE:
        raise SystemExit(f"SPY_TEST_DATABASE_URL must not name {SCRATCH_DATABASE}")
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
        sql.Identifier(SCRATCH_DATABASE)
    )
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(drop)
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(SCRATCH_DATABASE)))
    try:
        yield urlunsplit(parts._replace(path=f"/{SCRATCH_DATABASE}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(drop)


def child_env(workdir: Path) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        SPY_SECRET_KEY="bench-" + Fernet.generate_key().decode(),
        SPY_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        SPY_VAR_DIR=str(workdir / "var"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    return env


def suite(env: dict, *, url: str, scenarios: list[str], workdir: Path, scale: float) -> dict:
    out = workdir / f"suite-{len(list(workdir.glob('suite-*')))}.json"
    command = [sys.executable, "-m", "bench.suite", "--scenarios", ",".join(scenarios)]
    command += ["--out", str(out), "--workdir", str(workdir), "--scale", str(scale)]
    subprocess.run(command, env={**env, "DATABASE_URL": url}, cwd=ROOT, check=True)  # noqa: S603
    return json.loads(out.read_text())


def _merge(into: dict, part: dict) -> None:
    into["metrics"].update(part["metrics"])
    for key, value in part["details"].items():
        if isinstance(value, dict) and isinstance(into["details"].get(key), dict):
            into["details"][key].update(value)
        else:
            into["details"][key] = value


def measure(*, postgres_url: str | None, workdir: Path, scale: float) -> dict:
    env = child_env(workdir)
    sqlite_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    results: dict = {"metrics": {}, "details": {}}
    if postgres_url:
        with scratch_postgres(postgres_url) as url:
            part = suite(env, url=url, scenarios=EVERYTHING, workdir=workdir, scale=scale)
        _merge(results, part)
        part = suite(env, url=sqlite_url, scenarios=PER_DATABASE, workdir=workdir, scale=scale)
        _merge(results, part)
    else:
        part = suite(env, url=sqlite_url, scenarios=EVERYTHING, workdir=workdir, scale=scale)
        _merge(results, part)
        results["metrics"].update(dict.fromkeys(PG_METRICS, NO_POSTGRES))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="shrink durations and counts (smoke runs only)"
    )
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/performance.md")
    args = parser.parse_args(argv)
    postgres_url = os.environ.get("SPY_TEST_DATABASE_URL") or None
    workdir = Path(tempfile.mkdtemp(prefix="spy-bench-"))
    started, load_before = time.monotonic(), os.getloadavg()[0]
    try:
        results = measure(postgres_url=postgres_url, workdir=workdir, scale=args.scale)
    except BaseException:
        print(f"benchmark failed; logs kept in {workdir}", file=sys.stderr)
        raise
    seconds = time.monotonic() - started
    shutil.rmtree(workdir, ignore_errors=True)

    described = machine.describe(postgres_url=postgres_url)
    command = "make bench"
    if postgres_url:
        command = f"SPY_TEST_DATABASE_URL={_hide_password(postgres_url)} make bench"
    if args.scale != 1.0:
        command += f"  (python -m bench.run --scale {args.scale})"
    run = {
        "databases": ["postgresql", "sqlite"] if postgres_url else ["sqlite"],
        "finished": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "seconds": round(seconds, 1),
        "command": command,
        "scale": args.scale,
        "load_average_1min": {"start": load_before, "end": os.getloadavg()[0]},
    }
    metrics, details = results["metrics"], results["details"]
    print()
    print(report.text_table(metrics))
    print(f"\n{seconds:.0f} s on {machine.one_line(described)}")
    report.write_results(
        ROOT / "bench" / "results.json",
        metrics=metrics,
        machine=described,
        details=details,
        run=run,
    )
    if not args.no_docs and args.scale == 1.0:
        block = report.docs_block(
            metrics=metrics, details=details, run=run, machine_line=machine.one_line(described)
        )
        key = "postgresql" if postgres_url else "sqlite"
        report.update_docs(ROOT / "docs" / "performance.md", key=key, block=block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
