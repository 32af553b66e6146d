"""``logical_decoding`` (not part of ``make bench``): the capture triggers against the one
alternative that leaves the writer's transaction alone — PostgreSQL's logical decoding — measured
like ``spy_tax`` (the same UPDATE clients, mirrored blocks) in one run.

Needs a server with ``wal_level = logical`` (``python -m bench.logical_decoding`` says how to start
a throw-away one). Modes: ``off`` (no trigger, no slot), ``capture`` (the product's triggers) and
``decoding`` (no trigger; a ``test_decoding`` slot streamed to ``/dev/null`` by ``pg_recvlogical``,
the lightest consumer there is). The figure of each is ``1 - tps_mode / tps_off``; the decoding's
CPU is spent in the walsender, not in the clients' server processes, so only the rates compare.
"""

from __future__ import annotations

import subprocess
import time

from django.db import connection

from bench.context import Bench
from bench.fixtures import changes_settle, titles_create
from bench.scenarios.spy_tax import (
    CLIENTS,
    TITLES_PER_CLIENT,
    Tally,
    dsn,
    mirrored_blocks,
    tax,
    update_clients,
)
from spysystem.watch.triggers import statements

SECONDS_PER_MODE = 10.0
BLOCKS = 5
MODES = ["off", "capture", "decoding"]
SLOT = "spy_bench_decoding"


class _Modes:
    """Installs a mode: the triggers, or a slot and its ``pg_recvlogical`` consumer."""

    def __init__(self) -> None:
        self.consumer: subprocess.Popen | None = None

    def __call__(self, mode: str) -> None:
        self._stop_decoding()
        with connection.cursor() as cursor:
            for sql in statements("postgresql", create=False):
                cursor.execute(sql)
            if mode == "capture":
                for sql in statements("postgresql", create=True):
                    cursor.execute(sql)
            elif mode == "decoding":
                cursor.execute(
                    "SELECT pg_create_logical_replication_slot(%s, 'test_decoding')", [SLOT]
                )
        if mode == "decoding":
            command = ["pg_recvlogical", "-d", dsn(), "-S", SLOT, "--start", "-f", "/dev/null"]
            self.consumer = subprocess.Popen([*command, "-F", "1"])  # noqa: S603
            time.sleep(0.3)  # connected and streaming before the phase starts

    def _stop_decoding(self) -> None:
        if self.consumer is not None:
            self.consumer.terminate()
            self.consumer.wait(timeout=30)
            self.consumer = None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                " WHERE slot_name = %s",
                [SLOT],
            )


def run(bench: Bench) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SHOW wal_level")
        if cursor.fetchone()[0] != "logical":
            raise SystemExit("logical_decoding needs a server with wal_level = logical")
    ids = titles_create(prefix="DEC", count=CLIENTS * TITLES_PER_CLIENT)
    phase_seconds = bench.scaled(SECONDS_PER_MODE, minimum=0.5) / (2 * BLOCKS)
    install = _Modes()
    try:
        with update_clients(ids) as clients:
            blocks = mirrored_blocks(clients, MODES, install, phase_seconds, BLOCKS)
    finally:
        install("capture")  # the product's triggers back, no slot left holding WAL
        changes_settle()
    totals = {mode: Tally.total(block[mode] for block in blocks) for mode in MODES}
    bench.details["logical_decoding"] = {
        "tax": {mode: tax(totals, mode) for mode in MODES if mode != "off"},
        "tax_per_block": {
            mode: [tax(block, mode) for block in blocks] for mode in MODES if mode != "off"
        },
        "tps_off": round(totals["off"].done / (phase_seconds * 2 * BLOCKS), 1),
        "seconds_per_mode": round(phase_seconds * 2 * BLOCKS, 1),
    }
    return {}
