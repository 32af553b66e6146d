"""The ERP side of ``spy_tax``: a client process that UPDATEs titles with its own driver.

No Django here: the ERP is another program, and the triggers must cost little whoever writes.
Each client runs in a spawned process and obeys its pipe: ``(start, end)`` on the shared
monotonic clock → it runs single-row autocommit UPDATEs until ``end`` and answers how many; ``None``
→ it exits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from multiprocessing.connection import Connection


def _postgres(dsn: str) -> Callable[[int], None]:
    import psycopg

    db = psycopg.connect(dsn, autocommit=True)
    sql = "UPDATE finance_title SET amount = amount + 0.01 WHERE id = %s"
    return lambda title_id: db.execute(sql, (title_id,), prepare=True)


def _sqlite(path: str) -> Callable[[int], None]:
    import sqlite3

    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute("PRAGMA synchronous=NORMAL")  # what the product's own connections use
    sql = "UPDATE finance_title SET amount = amount + 0.01 WHERE id = ?"
    return lambda title_id: db.execute(sql, (title_id,))


def update_client(vendor: str, dsn: str, title_ids: list[int], pipe: Connection) -> None:
    """Process body: one connection, UPDATEs round-robin over ``title_ids`` in each phase."""
    update = _postgres(dsn) if vendor == "postgresql" else _sqlite(dsn)
    update(title_ids[0])  # connect and prepare before the first phase
    pipe.send("ready")
    position = 0
    while (phase := pipe.recv()) is not None:
        start, end = phase
        time.sleep(max(0.0, start - time.monotonic()))
        done = 0
        while time.monotonic() < end:
            update(title_ids[position])
            position = (position + 1) % len(title_ids)
            done += 1
        pipe.send(done)
