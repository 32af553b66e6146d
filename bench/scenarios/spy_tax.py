"""``spy_tax_<db>``: how much the capture triggers slow the ERP's writes down.

Two client processes run single-row autocommit UPDATEs of a title's amount (their own driver, as
another program would). Phases with the triggers removed and installed alternate in mirrored
order (off, empty, on, on, empty, off, …), so slow drift of the machine cancels out; the triggers
are dropped and created with the product's own SQL (``watch.triggers.statements``). Result:
``1 - tps_on/tps_off``.

The "empty" phases install, instead, a trigger on the same event and condition whose body does
nothing: what any row trigger costs the writer on this machine, the floor under the capture's
figure (reported in the details as ``empty_trigger_tax``), measured in the same run.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection

from django.db import connection

from bench.clients import server_cpu_seconds, update_client
from bench.context import Bench
from bench.fixtures import changes_settle, titles_create
from spysystem.watch.triggers import statements

CLIENTS = 2
SECONDS_PER_MODE = 10.0
OFF, EMPTY, ON = "off", "empty", "on"
MODES = [OFF, EMPTY, ON]  # a block runs them, then again in reverse: two phases each
BLOCKS = 5
TITLES_PER_CLIENT = 100

EMPTY_CREATE = {
    "postgresql": [
        "CREATE OR REPLACE FUNCTION bench_empty_trigger() RETURNS trigger LANGUAGE plpgsql"
        " AS $$BEGIN RETURN NULL; END$$",
        "CREATE TRIGGER bench_empty AFTER UPDATE OF amount, due_date ON finance_title"
        " FOR EACH ROW WHEN (OLD.amount IS DISTINCT FROM NEW.amount"
        " OR OLD.due_date IS DISTINCT FROM NEW.due_date) EXECUTE FUNCTION bench_empty_trigger()",
    ],
    "sqlite": [
        "CREATE TRIGGER bench_empty AFTER UPDATE OF amount, due_date ON finance_title"
        " FOR EACH ROW WHEN OLD.amount IS NOT NEW.amount OR OLD.due_date IS NOT NEW.due_date"
        " BEGIN SELECT 1; END",
    ],
}
EMPTY_DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS bench_empty ON finance_title",
        "DROP FUNCTION IF EXISTS bench_empty_trigger()",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS bench_empty"],
}


def _triggers(mode: str) -> None:
    """Leave exactly the triggers of ``mode`` on ``finance_title``."""
    vendor = connection.vendor
    create = {OFF: [], EMPTY: EMPTY_CREATE[vendor], ON: statements(vendor, create=True)}[mode]
    with connection.cursor() as cursor:
        for sql in [*statements(vendor, create=False), *EMPTY_DROP[vendor], *create]:
            cursor.execute(sql)


def dsn() -> str:
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(params["NAME"])
    from django.conf import settings

    return settings.DATABASE_URL


def run(bench: Bench) -> dict:
    ids = titles_create(prefix="TAX", count=CLIENTS * TITLES_PER_CLIENT)
    phase_seconds = bench.scaled(SECONDS_PER_MODE, minimum=0.5) / (2 * BLOCKS)
    try:
        with update_clients(ids) as clients:
            blocks = mirrored_blocks(clients, MODES, _triggers, phase_seconds, BLOCKS)
    finally:
        _triggers(ON)
        changes_settle()
    totals = {mode: Tally.total(block[mode] for block in blocks) for mode in MODES}
    seconds = phase_seconds * 2 * BLOCKS
    bench.details[f"spy_tax_{bench.suffix}"] = {
        "tps_triggers_off": round(totals[OFF].done / seconds, 1),
        "tps_triggers_on": round(totals[ON].done / seconds, 1),
        "tps_empty_trigger": round(totals[EMPTY].done / seconds, 1),
        "empty_trigger_tax": tax(totals, EMPTY),
        "tax_per_block": [tax(block, ON) for block in blocks],
        **cpu_per_update(totals),
        "clients": CLIENTS,
        "seconds_per_mode": round(seconds, 1),
    }
    return {f"spy_tax_{bench.suffix}": tax(totals, ON)}


@dataclass(frozen=True)
class Tally:
    """What the clients did in one mode: UPDATEs, their own CPU seconds, and the CPU seconds of
    their PostgreSQL server processes (``None`` where this machine cannot see them, and on
    SQLite, whose engine runs inside the clients)."""

    done: int = 0
    client_cpu: float = 0.0
    server_cpu: float | None = 0.0

    def __add__(self, other: Tally) -> Tally:
        unseen = self.server_cpu is None or other.server_cpu is None
        server = None if unseen else self.server_cpu + other.server_cpu  # type: ignore[operator]
        return Tally(self.done + other.done, self.client_cpu + other.client_cpu, server)

    @staticmethod
    def total(tallies: Iterable[Tally]) -> Tally:
        return sum(tallies, Tally())


def tax(done: dict[str, Tally], mode: str) -> float:
    """``1 - done[mode] / done["off"]``: the share of the trigger-free rate ``mode`` loses."""
    return round(1 - done[mode].done / done[OFF].done, 4)


def cpu_per_update(totals: dict[str, Tally]) -> dict:
    """Microseconds of CPU per UPDATE in each mode, for the clients and for their server
    processes (PostgreSQL on this machine only; ``None`` otherwise), and what each mode adds to
    both over ``off``. Unlike the rates, CPU time barely depends on what else the machine does:
    these are the steady figures behind the noisy tax."""
    client = {mode: t.client_cpu / t.done * 1e6 for mode, t in totals.items()}
    server = {mode: _per_update(t.server_cpu, t.done) for mode, t in totals.items()}
    both = {mode: client[mode] + (server[mode] or 0.0) for mode in totals}
    return {
        "client_cpu_us_per_update": {mode: round(us, 1) for mode, us in client.items()},
        "server_cpu_us_per_update": server,
        "cpu_us_added_per_update": {
            mode: round(both[mode] - both[OFF], 1) for mode in totals if mode != OFF
        },
    }


def _per_update(seconds: float | None, done: int) -> float | None:
    return None if seconds is None else round(seconds / done * 1e6, 1)


@dataclass(frozen=True)
class Client:
    pipe: Connection
    server_pid: int | None  # its PostgreSQL server process


@contextlib.contextmanager
def update_clients(ids: list[int]) -> Iterator[list[Client]]:
    """``CLIENTS`` UPDATE client processes, each over its share of ``ids``."""
    ctx = multiprocessing.get_context("spawn")
    pipes, procs, clients = [], [], []
    share = len(ids) // CLIENTS
    try:
        for n in range(CLIENTS):
            ours, theirs = ctx.Pipe()
            chunk = ids[n * share : (n + 1) * share]
            args = (connection.vendor, dsn(), chunk, theirs)
            proc = ctx.Process(target=update_client, args=args)
            proc.start()
            pipes.append(ours)
            procs.append(proc)
        for pipe in pipes:
            if not pipe.poll(60) or (answer := pipe.recv())[0] != "ready":
                raise RuntimeError("an UPDATE client did not start")
            clients.append(Client(pipe, answer[1]))
        yield clients
    finally:
        for pipe in pipes:
            with contextlib.suppress(OSError):  # a client that died has nothing to stop
                pipe.send(None)
        for proc in procs:
            proc.join(timeout=30)


def mirrored_blocks(
    clients: list[Client],
    modes: list[str],
    install: Callable[[str], None],
    phase_seconds: float,
    blocks: int,
) -> list[dict[str, Tally]]:
    """``blocks`` times: each mode, then each mode again in reverse order (``install(mode)``
    before each phase); returns what the clients did per mode in each block."""
    order = [*modes, *reversed(modes)]
    return [_block(clients, order, install, phase_seconds) for _ in range(blocks)]


def _block(
    clients: list[Client], order: list[str], install: Callable[[str], None], seconds: float
) -> dict[str, Tally]:
    done = dict.fromkeys(order, Tally())
    for mode in order:
        install(mode)
        done[mode] += _phase(clients, seconds)
    return done


def _phase(clients: list[Client], seconds: float) -> Tally:
    server_before = _server_cpu(clients)
    start = time.monotonic() + 0.2
    for client in clients:
        client.pipe.send((start, start + seconds))
    done, client_cpu = 0, 0.0
    for client in clients:
        if not client.pipe.poll(seconds + 120):
            raise RuntimeError("an UPDATE client stopped answering")
        updates, cpu = client.pipe.recv()
        done, client_cpu = done + updates, client_cpu + cpu
    server_after = _server_cpu(clients)
    unseen = server_before is None or server_after is None
    return Tally(done, client_cpu, None if unseen else server_after - server_before)


def _server_cpu(clients: list[Client]) -> float | None:
    seconds = [server_cpu_seconds(c.server_pid) if c.server_pid else None for c in clients]
    return None if None in seconds else sum(seconds)  # type: ignore[arg-type]
