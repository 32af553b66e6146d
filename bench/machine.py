"""What the numbers were measured on: CPU, memory, OS, Python and the database servers."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _postgres(url: str) -> dict:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        knobs = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]
            for name in ("fsync", "synchronous_commit", "shared_buffers")
        }
    return {"server_version": version, **knobs}


def describe(*, postgres_url: str | None) -> dict:
    """A JSON-able description of this machine (and of the PostgreSQL server when used)."""
    import sqlite3

    import django

    machine = {
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    if postgres_url:
        machine["postgresql"] = _postgres(postgres_url)
    return machine


def one_line(machine: dict) -> str:
    """The machine in one sentence, for the table's caption."""
    text = (
        f"{machine['cpus']} × {machine['cpu']}, {machine['memory_gib']} GiB, {machine['os']}, "
        f"Python {machine['python']}, Django {machine['django']}, SQLite {machine['sqlite']}"
    )
    pg = machine.get("postgresql")
    if pg:
        text += (
            f", PostgreSQL {pg['server_version']} on loopback (fsync={pg['fsync']}, "
            f"synchronous_commit={pg['synchronous_commit']}, shared_buffers={pg['shared_buffers']})"
        )
    return text
