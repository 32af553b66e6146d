"""``trigger_variants`` (not part of ``make bench``): where the capture's cost on PostgreSQL comes
from, measured like ``spy_tax`` (the same UPDATE clients, mirrored blocks) over several triggers.

Run with ``python -m bench.trigger_variants`` (needs ``SPY_TEST_DATABASE_URL``). Each variant is
installed alone on ``finance_title``; the figure is ``1 - tps_variant / tps_off`` of the same run:

- ``empty_after`` / ``empty_before``: a plpgsql row trigger on the capture's event and condition
  whose body only returns (a BEFORE UPDATE trigger makes PostgreSQL lock the old row first);
- ``capture``: the product's triggers (``watch.triggers.statements``);
- ``capture_check_inside``: the same function, its condition checked in the body, no ``WHEN``;
- ``capture_lean``: the same function writing to a copy of ``watch_change`` with only its
  primary key and pending-fan-out index (what the two secondary indexes cost).
"""

from __future__ import annotations

from django.db import connection

from bench.context import Bench
from bench.fixtures import titles_create
from bench.scenarios.spy_tax import (
    CLIENTS,
    TITLES_PER_CLIENT,
    mirrored_blocks,
    tax,
    update_clients,
)
from spysystem.watch import triggers

SECONDS_PER_MODE = 6.0
BLOCKS = 3
_CONDITION = "OLD.amount IS DISTINCT FROM NEW.amount OR OLD.due_date IS DISTINCT FROM NEW.due_date"
_EVENT = "UPDATE OF amount, due_date ON finance_title FOR EACH ROW"
_FUNCTION, _UPDATE_TRIGGER = triggers.PG_CREATE[2], triggers.PG_CREATE[3]
_LEAN_TABLE = [
    "CREATE TABLE IF NOT EXISTS bench_change_lean"
    " (LIKE watch_change INCLUDING DEFAULTS INCLUDING IDENTITY)",
    "ALTER TABLE bench_change_lean DROP CONSTRAINT IF EXISTS bench_change_lean_pkey",
    "ALTER TABLE bench_change_lean ADD PRIMARY KEY (id)",
    "CREATE INDEX IF NOT EXISTS bench_change_lean_pending ON bench_change_lean (id)"
    " WHERE fanned_out_at IS NULL",
]


def _empty(when: str) -> list[str]:
    returned = "NEW" if when == "BEFORE" else "NULL"
    return [
        "CREATE FUNCTION bench_variant() RETURNS trigger LANGUAGE plpgsql"
        f" AS $$BEGIN RETURN {returned}; END$$",
        f"CREATE TRIGGER bench_variant {when} {_EVENT} WHEN ({_CONDITION})"
        " EXECUTE FUNCTION bench_variant()",
    ]


VARIANTS: dict[str, list[str]] = {
    "off": [],
    "empty_after": _empty("AFTER"),
    "empty_before": _empty("BEFORE"),
    "capture": triggers.PG_CREATE[2:],
    "capture_check_inside": [
        _FUNCTION.replace(
            "IF TG_OP = 'DELETE' THEN",
            f"IF TG_OP = 'UPDATE' AND NOT ({_CONDITION}) THEN RETURN NULL; END IF;\n"
            "        IF TG_OP = 'DELETE' THEN",
        ),
        f"CREATE TRIGGER spy_title_update AFTER {_EVENT}"
        " EXECUTE FUNCTION spy_capture_title_change()",
    ],
    "capture_lean": [
        _FUNCTION.replace("INSERT INTO watch_change", "INSERT INTO bench_change_lean"),
        _UPDATE_TRIGGER,
    ],
}
_DROP = [
    *triggers.PG_DROP,
    "DROP TRIGGER IF EXISTS bench_variant ON finance_title",
    "DROP FUNCTION IF EXISTS bench_variant()",
]


def _install(variant: str) -> None:
    with connection.cursor() as cursor:
        for sql in [*_DROP, *VARIANTS[variant]]:
            cursor.execute(sql)


def run(bench: Bench) -> dict:
    if connection.vendor != "postgresql":
        bench.details["trigger_variants"] = "not measured: PostgreSQL only"
        return {}
    with connection.cursor() as cursor:
        for sql in _LEAN_TABLE:
            cursor.execute(sql)
    ids = titles_create(prefix="VAR", count=CLIENTS * TITLES_PER_CLIENT)
    phase_seconds = bench.scaled(SECONDS_PER_MODE, minimum=0.5) / (2 * BLOCKS)
    try:
        with update_clients(ids) as pipes:
            blocks = mirrored_blocks(pipes, list(VARIANTS), _install, phase_seconds, BLOCKS)
    finally:
        _install("capture")
    totals = {name: sum(block[name] for block in blocks) for name in VARIANTS}
    bench.details["trigger_variants"] = {
        "tax": {name: tax(totals, name) for name in VARIANTS if name != "off"},
        "tps_off": round(totals["off"] / (phase_seconds * 2 * BLOCKS), 1),
        "seconds_per_variant": round(phase_seconds * 2 * BLOCKS, 1),
    }
    return {}
