"""``make reliability``: run the fault, load and bad-input scenarios of issue 8 against the real
product, print the table and write ``reliability/results.json``.

PostgreSQL from ``SPY_TEST_DATABASE_URL`` when it is set: the harness creates its own scratch
database ``spy_reliability`` on that server and drops it at the end (it never touches the tables of
the database named in the URL). SQLite runs in a temporary file. ``--fast`` runs the small subset
that ``tests/test_reliability_fast.py`` runs in ``make test`` (under a minute).
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
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SCRATCH_DATABASE = "spy_reliability"
# Scenarios in the order they run, and the database each needs ("pg" falls back to SQLite when
# PostgreSQL is not available, "pg-only" is skipped then).
SCENARIOS = {
    "kill9_worker": "pg",
    "two_workers_pg": "pg-only",
    "pg_restart": "pg-only",
    "smtp_outage": "pg",
    "smtp_faults": "pg",
    "idle_in_transaction": "pg-only",
    "sqlite_concurrency": "sqlite",
    "bad_input": "sqlite",
    "access": "sqlite",
    "api_fuzz": "sqlite",  # last: the fuzzer writes random rows
}
FAST = [
    "kill9_worker",
    "two_workers_pg",
    "smtp_faults",
    "sqlite_concurrency",
    "bad_input",
    "access",
]
COLUMNS = ["expected", "delivered", "lost", "duplicates", "recovery_s", "passed"]
DOC_BEGIN, DOC_END = "<!-- reliability:begin -->", "<!-- reliability:end -->"


def _hide_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return urlunsplit(parts._replace(netloc=parts.netloc.replace(parts.password, "***")))
    return url


def _admin_connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=10)


def postgres_up(url: str) -> bool:
    try:
        with _admin_connect(url) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


def ensure_postgres_running(url: str) -> None:
    """pg_restart stops the local cluster: whatever happened, start it again."""
    from reliability.scenarios.pg_restart import start_cluster

    if not postgres_up(url):
        start_cluster()


def _drop_scratch(url: str) -> None:
    from psycopg import sql

    with _admin_connect(url) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(SCRATCH_DATABASE)
            )
        )


def create_scratch(url: str) -> str:
    from psycopg import sql

    if urlsplit(url).path.strip("/") == SCRATCH_DATABASE:
        raise SystemExit(f"SPY_TEST_DATABASE_URL must not name {SCRATCH_DATABASE}")
    _drop_scratch(url)
    with _admin_connect(url) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(SCRATCH_DATABASE)))
    return urlunsplit(urlsplit(url)._replace(path=f"/{SCRATCH_DATABASE}"))


def child_env(workdir: Path) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        SPY_SECRET_KEY="reliability-" + Fernet.generate_key().decode(),
        SPY_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        SPY_VAR_DIR=str(workdir / "var"),
        SPY_SECURE_COOKIES="0",
        SPY_LOG_LEVEL="INFO",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    (workdir / "var").mkdir(parents=True, exist_ok=True)
    return env


def run_suite(env, *, url: str, names: list[str], workdir: Path, fast: bool, budget: float):
    out = workdir / f"suite-{len(list(workdir.glob('suite-*.json')))}.json"
    command = [sys.executable, "-m", "reliability.suite", "--scenarios", ",".join(names)]
    command += ["--out", str(out), "--workdir", str(workdir)] + (["--fast"] if fast else [])
    try:
        subprocess.run(  # noqa: S603
            command, env={**env, "DATABASE_URL": url}, cwd=ROOT, timeout=budget, check=False
        )
    except subprocess.TimeoutExpired:
        print(f"suite timed out after {budget:.0f} s", file=sys.stderr)
    results = json.loads(out.read_text()) if out.exists() else {}
    for name in names:
        results.setdefault(name, _missing(name, "não terminou (tempo esgotado ou processo caiu)"))
    return results


def _missing(name: str, why: str) -> dict:
    row = dict.fromkeys(COLUMNS)
    row.update(passed=False, notes=[why], database=None, skipped=False)
    return row


def _skipped(why: str) -> dict:
    row = dict.fromkeys(COLUMNS)
    row.update(passed=None, notes=[why], database=None, skipped=True)
    return row


def measure(names: list[str], *, pg_url: str | None, workdir: Path, fast: bool) -> dict:
    env = child_env(workdir)
    sqlite_url = f"sqlite:///{workdir / 'reliability.sqlite3'}"
    on_pg = [n for n in names if pg_url and SCENARIOS[n] in ("pg", "pg-only")]
    on_sqlite = [
        n for n in names if SCENARIOS[n] == "sqlite" or (not pg_url and SCENARIOS[n] == "pg")
    ]
    results: dict = {}
    budget = 100 if fast else 900
    if on_pg:
        try:
            url = create_scratch(pg_url)
            results.update(
                run_suite(env, url=url, names=on_pg, workdir=workdir, fast=fast, budget=budget)
            )
        finally:
            ensure_postgres_running(pg_url)
            _drop_scratch(pg_url)
    if on_sqlite:
        results.update(
            run_suite(
                env, url=sqlite_url, names=on_sqlite, workdir=workdir, fast=fast, budget=budget
            )
        )
    for name in names:
        results.setdefault(name, _skipped("não executado: SPY_TEST_DATABASE_URL não definido"))
    return {name: results[name] for name in names}


def _cell(value) -> str:
    if value is None:
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "NO"
    return str(value)


def table(results: dict) -> str:
    header = ["scenario", "database", *COLUMNS]
    rows = [header, ["---"] * len(header)]
    for name, row in results.items():
        passed = "skipped" if row.get("skipped") else _cell(row["passed"])
        cells = [name, row.get("database") or "—", *[_cell(row[c]) for c in COLUMNS[:-1]], passed]
        rows.append(cells)
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


def update_doc(results: dict, run: dict) -> None:
    doc = ROOT / "docs" / "reliability.md"
    if not doc.exists():
        return
    text = doc.read_text()
    if DOC_BEGIN not in text or DOC_END not in text:
        return
    notes = "\n".join(
        f"- `{name}`: " + "; ".join(row.get("notes") or ["—"]) for name, row in results.items()
    )
    block = (
        f"{DOC_BEGIN}\nMeasured {run['finished']} in {run['seconds']:.0f} s with "
        f"`{run['command']}` ({run['machine']}).\n\n{table(results)}\n\n{notes}\n{DOC_END}"
    )
    head, rest = text.split(DOC_BEGIN, 1)
    doc.write_text(head + block + rest.split(DOC_END, 1)[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fast", action="store_true", help="the < 60 s subset run by make test")
    parser.add_argument("--only", help="comma-separated scenario names")
    parser.add_argument("--out", type=Path, default=ROOT / "reliability" / "results.json")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else (FAST if args.fast else list(SCENARIOS))
    unknown = set(names) - SCENARIOS.keys()
    if unknown:
        parser.error(f"unknown scenarios: {sorted(unknown)}")
    pg_url = os.environ.get("SPY_TEST_DATABASE_URL") or None
    if pg_url and not postgres_up(pg_url):
        ensure_postgres_running(pg_url)
    workdir = Path(tempfile.mkdtemp(prefix="spy-reliability-"))
    started = time.monotonic()
    results = measure(names, pg_url=pg_url, workdir=workdir, fast=args.fast)
    seconds = time.monotonic() - started
    command = "make reliability" + (" FAST=1" if args.fast else "")
    if pg_url:
        command = f"SPY_TEST_DATABASE_URL={_hide_password(pg_url)} {command}"
    run = {
        "finished": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "seconds": round(seconds, 1),
        "command": command,
        "fast": args.fast,
        "machine": f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
        "databases": ["postgresql", "sqlite"] if pg_url else ["sqlite"],
    }
    print()
    print(table(results))
    print(f"\n{seconds:.0f} s; logs in {workdir}")
    args.out.write_text(
        json.dumps({"run": run, "scenarios": results}, indent=2, ensure_ascii=False) + "\n"
    )
    if not args.no_docs and not args.fast and not args.only:
        update_doc(results, run)
    failed = [n for n, r in results.items() if r["passed"] is False]
    if not failed:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"FAILED: {', '.join(failed)} (logs kept in {workdir})", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
