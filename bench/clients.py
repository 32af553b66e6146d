"""The ERP side of ``spy_tax``: a client process that UPDATEs titles with its own driver.

No Django here: the ERP is another program, and the triggers must cost little whoever writes.
Each client runs in a spawned process and obeys its pipe. It first answers ``("ready", pid)``,
``pid`` being its PostgreSQL server process (``None`` on SQLite, where the database engine runs
inside the client). Then ``(start, end)`` on the shared monotonic clock → it runs single-row
autocommit UPDATEs until ``end`` and answers ``(updates done, CPU seconds it spent)``; ``None`` →
it exits.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

Update = Callable[[int], None]


def _postgres(dsn: str) -> tuple[Update, int]:
    import psycopg

    db = psycopg.connect(dsn, autocommit=True)
    sql = "UPDATE finance_title SET amount = amount + 0.01 WHERE id = %s"
    return lambda title_id: db.execute(sql, (title_id,), prepare=True), db.info.backend_pid


def _sqlite(path: str) -> tuple[Update, None]:
    import sqlite3

    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute("PRAGMA synchronous=NORMAL")  # what the product's own connections use
    sql = "UPDATE finance_title SET amount = amount + 0.01 WHERE id = ?"
    return lambda title_id: db.execute(sql, (title_id,)), None


def update_client(vendor: str, dsn: str, title_ids: list[int], pipe: Connection) -> None:
    """Process body: one connection, UPDATEs round-robin over ``title_ids`` in each phase."""
    update, server_pid = _postgres(dsn) if vendor == "postgresql" else _sqlite(dsn)
    update(title_ids[0])  # connect and prepare before the first phase
    pipe.send(("ready", server_pid))
    position = 0
    while (phase := pipe.recv()) is not None:
        start, end = phase
        time.sleep(max(0.0, start - time.monotonic()))
        done, cpu = 0, time.process_time()
        while time.monotonic() < end:
            update(title_ids[position])
            position = (position + 1) % len(title_ids)
            done += 1
        pipe.send((done, time.process_time() - cpu))


def server_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of PostgreSQL server process ``pid`` so far, or ``None`` when this
    machine cannot see it (a database server on another host, or in another PID namespace)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            if not cmdline.read().startswith(b"postgres"):
                return None  # the same number, but not a server process of this machine
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
