"""The capture triggers on ``finance_title``, per database vendor.

They run in the writer's transaction, so no write to a watched fact — ORM, ``QuerySet.update()``,
bulk, or raw SQL from another program — can commit without its ``watch_change`` row. An UPDATE that
leaves ``amount`` and ``due_date`` as they were records nothing; one that changes both records one
change with both facts.

What a captured row costs the writer is kept small on purpose (issue 7, ``spy_tax``): an update
stores only typed columns — the watched facts before and after, the title's ledger and company,
who, how and when — and no JSON. The descriptive fields of the title (party, document, …) are
copied into ``snapshot`` later, by the fan-out (``watch.services.changes_fan_out``). A deletion
stores them at once, since the row is gone afterwards.

PostgreSQL wakes the worker with ``NOTIFY spy_work``, but only the first captured write after the
worker last found its queue empty notifies: the sequence ``watch_wake`` is the flag (``nextval``
returns 1 once, until the worker re-arms it with ``setval``; both are non-transactional, so two
writers never wait for each other on it). A notifying transaction serializes its commit with every
other notifying one, so one ``NOTIFY`` per row was a large share of the writer's cost.
"""

from __future__ import annotations

from typing import Any

# The descriptive fields a snapshot holds (the watched facts live in typed columns).
SNAPSHOT_FIELDS = (
    "id",
    "ledger",
    "company_id",
    "party_id",
    "document",
    "installment",
    "issue_date",
    "status",
    "description",
)

WAKE_SEQUENCE = "watch_wake"
WAKE_CHANNEL = "spy_work"

CAPTURE_COLUMNS = (
    "title_id, company_id, ledger, kind, amount_changed, due_date_changed, amount_before, "
    "amount_after, due_date_before, due_date_after, snapshot, actor, origin, db_user, created_at"
)


def _sqlite_snapshot(row: str) -> str:
    pairs = ", ".join(f"'{field}', {row}.{field}" for field in SNAPSHOT_FIELDS)
    return f"json_object({pairs})"


SQLITE_ACTOR = "COALESCE((SELECT actor FROM watch_writecontext WHERE id = 1), 'sqlite')"
SQLITE_ORIGIN = "COALESCE((SELECT origin FROM watch_writecontext WHERE id = 1), 'sql')"
_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"

SQLITE_CREATE = [
    f"""
    CREATE TRIGGER spy_title_update AFTER UPDATE OF amount, due_date ON finance_title
    FOR EACH ROW WHEN OLD.amount IS NOT NEW.amount OR OLD.due_date IS NOT NEW.due_date
    BEGIN
        INSERT INTO watch_change ({CAPTURE_COLUMNS})
        VALUES (OLD.id, OLD.company_id, OLD.ledger, 'update',
                OLD.amount IS NOT NEW.amount, OLD.due_date IS NOT NEW.due_date,
                OLD.amount, NEW.amount, OLD.due_date, NEW.due_date, NULL,
                {SQLITE_ACTOR}, {SQLITE_ORIGIN}, 'sqlite', {_SQLITE_NOW});
    END
    """,
    f"""
    CREATE TRIGGER spy_title_delete AFTER DELETE ON finance_title
    FOR EACH ROW
    BEGIN
        INSERT INTO watch_change ({CAPTURE_COLUMNS})
        VALUES (OLD.id, OLD.company_id, OLD.ledger, 'delete', 0, 0,
                OLD.amount, NULL, OLD.due_date, NULL, {_sqlite_snapshot("OLD")},
                {SQLITE_ACTOR}, {SQLITE_ORIGIN}, 'sqlite', {_SQLITE_NOW});
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS spy_title_update",
    "DROP TRIGGER IF EXISTS spy_title_delete",
]


def _pg_snapshot(row: str) -> str:
    pairs = ", ".join(f"'{field}', {row}.{field}" for field in SNAPSHOT_FIELDS)
    return f"jsonb_build_object({pairs})"


_PG_WHO = "COALESCE(v_actor, session_user::text), v_origin, session_user::text, clock_timestamp()"

PG_CREATE = [
    f"CREATE SEQUENCE IF NOT EXISTS {WAKE_SEQUENCE}",
    # Any writer's role may take the flag, so an ERP role granted INSERT on watch_change and
    # USAGE on its id sequence (docs/operations.md) needs nothing more.
    f"GRANT USAGE ON SEQUENCE {WAKE_SEQUENCE} TO PUBLIC",
    f"""
    CREATE OR REPLACE FUNCTION spy_capture_title_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        v_actor text := NULLIF(current_setting('spy.actor', true), '');
        v_origin text := COALESCE(NULLIF(current_setting('spy.origin', true), ''), 'sql');
    BEGIN
        IF TG_OP = 'DELETE' THEN
            INSERT INTO watch_change ({CAPTURE_COLUMNS})
            VALUES (OLD.id, OLD.company_id, OLD.ledger, 'delete', false, false,
                    OLD.amount, NULL, OLD.due_date, NULL, {_pg_snapshot("OLD")}, {_PG_WHO});
        ELSE
            INSERT INTO watch_change ({CAPTURE_COLUMNS})
            VALUES (OLD.id, OLD.company_id, OLD.ledger, 'update',
                    OLD.amount IS DISTINCT FROM NEW.amount,
                    OLD.due_date IS DISTINCT FROM NEW.due_date,
                    OLD.amount, NEW.amount, OLD.due_date, NEW.due_date, NULL, {_PG_WHO});
        END IF;
        IF nextval('{WAKE_SEQUENCE}') = 1 THEN
            PERFORM pg_notify('{WAKE_CHANNEL}', 'change');
        END IF;
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE TRIGGER spy_title_update AFTER UPDATE OF amount, due_date ON finance_title
    FOR EACH ROW
    WHEN (OLD.amount IS DISTINCT FROM NEW.amount OR OLD.due_date IS DISTINCT FROM NEW.due_date)
    EXECUTE FUNCTION spy_capture_title_change()
    """,
    """
    CREATE TRIGGER spy_title_delete AFTER DELETE ON finance_title
    FOR EACH ROW EXECUTE FUNCTION spy_capture_title_change()
    """,
]
# The wake sequence stays: the worker re-arms it even while the triggers are removed.
PG_DROP = [
    "DROP TRIGGER IF EXISTS spy_title_update ON finance_title",
    "DROP TRIGGER IF EXISTS spy_title_delete ON finance_title",
    "DROP FUNCTION IF EXISTS spy_capture_title_change()",
]

# The first version (migrations 0001–0002: whole-row JSON ``before``/``after``, one NOTIFY per
# row), frozen here so that migrating back to 0002 restores exactly what 0002 installed.
_V1_FIELDS = (
    "id",
    "ledger",
    "company_id",
    "party_id",
    "document",
    "installment",
    "issue_date",
    "due_date",
    "status",
    "description",
)
_V1_COLUMNS = (
    "title_id, company_id, ledger, kind, amount_changed, due_date_changed, before, after, "
    "actor, origin, db_user, created_at"
)


def _v1_sqlite_snapshot(row: str) -> str:
    pairs = ", ".join(f"'{field}', {row}.{field}" for field in _V1_FIELDS)
    return f"json_object({pairs}, 'amount', printf('%.2f', {row}.amount))"


def _v1_pg_snapshot(row: str) -> str:
    pairs = ", ".join(f"'{field}', {row}.{field}" for field in _V1_FIELDS)
    return f"jsonb_build_object({pairs}, 'amount', {row}.amount::text)"


_V1_SQLITE_CREATE = [
    f"""
    CREATE TRIGGER spy_title_update AFTER UPDATE OF amount, due_date ON finance_title
    FOR EACH ROW WHEN OLD.amount IS NOT NEW.amount OR OLD.due_date IS NOT NEW.due_date
    BEGIN
        INSERT INTO watch_change ({_V1_COLUMNS})
        VALUES (OLD.id, OLD.company_id, OLD.ledger, 'update',
                OLD.amount IS NOT NEW.amount, OLD.due_date IS NOT NEW.due_date,
                {_v1_sqlite_snapshot("OLD")}, {_v1_sqlite_snapshot("NEW")},
                {SQLITE_ACTOR}, {SQLITE_ORIGIN}, 'sqlite', {_SQLITE_NOW});
    END
    """,
    f"""
    CREATE TRIGGER spy_title_delete AFTER DELETE ON finance_title
    FOR EACH ROW
    BEGIN
        INSERT INTO watch_change ({_V1_COLUMNS})
        VALUES (OLD.id, OLD.company_id, OLD.ledger, 'delete', 0, 0,
                {_v1_sqlite_snapshot("OLD")}, NULL,
                {SQLITE_ACTOR}, {SQLITE_ORIGIN}, 'sqlite', {_SQLITE_NOW});
    END
    """,
]
_V1_PG_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION spy_capture_title_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        v_actor text := NULLIF(current_setting('spy.actor', true), '');
        v_origin text := COALESCE(NULLIF(current_setting('spy.origin', true), ''), 'sql');
    BEGIN
        IF TG_OP = 'DELETE' THEN
            INSERT INTO watch_change ({_V1_COLUMNS})
            VALUES (OLD.id, OLD.company_id, OLD.ledger, 'delete', false, false,
                    {_v1_pg_snapshot("OLD")}, NULL,
                    COALESCE(v_actor, session_user::text), v_origin, session_user::text,
                    clock_timestamp());
        ELSE
            INSERT INTO watch_change ({_V1_COLUMNS})
            VALUES (OLD.id, OLD.company_id, OLD.ledger, 'update',
                    OLD.amount IS DISTINCT FROM NEW.amount,
                    OLD.due_date IS DISTINCT FROM NEW.due_date,
                    {_v1_pg_snapshot("OLD")}, {_v1_pg_snapshot("NEW")},
                    COALESCE(v_actor, session_user::text), v_origin, session_user::text,
                    clock_timestamp());
        END IF;
        PERFORM pg_notify('spy_work', 'change');
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE TRIGGER spy_title_update AFTER UPDATE OF amount, due_date ON finance_title
    FOR EACH ROW
    WHEN (OLD.amount IS DISTINCT FROM NEW.amount OR OLD.due_date IS DISTINCT FROM NEW.due_date)
    EXECUTE FUNCTION spy_capture_title_change()
    """,
    """
    CREATE TRIGGER spy_title_delete AFTER DELETE ON finance_title
    FOR EACH ROW EXECUTE FUNCTION spy_capture_title_change()
    """,
]


def statements(vendor: str, *, create: bool) -> list[str]:
    """The SQL that installs (``create=True``) or removes the current triggers on ``vendor``.

    Removing them leaves the wake sequence in place (see ``wake_rearm``).
    """
    if vendor == "postgresql":
        return PG_CREATE if create else PG_DROP
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    raise NotImplementedError(f"change capture is not implemented for {vendor}")


def _schema_is_v1(connection: Any) -> bool:
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, "watch_change")
    return "amount_before" not in {column.name for column in columns}


def install(schema_editor: Any, *, create: bool = True) -> None:
    """Run ``statements`` on the schema editor's connection (used by migrations and benchmarks).

    Installing on the schema of migrations 0001–0002 (``before``/``after`` JSON columns, no typed
    ones) installs the triggers of that schema instead, so every migration state gets triggers
    that match its table. Removing drops either version (they share their names).
    """
    connection = schema_editor.connection
    sql = statements(connection.vendor, create=create)
    if create and _schema_is_v1(connection):
        sql = _V1_PG_CREATE if connection.vendor == "postgresql" else _V1_SQLITE_CREATE
    for statement in sql:
        schema_editor.execute(statement, params=None)


def wake_sequence_drop(schema_editor: Any) -> None:
    """Remove the wake sequence (only when migrating back to the first version)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {WAKE_SEQUENCE}", params=None)


def wake_rearm(connection: Any) -> bool:
    """Make the next captured write notify ``spy_work`` again; True if it had already notified.

    The worker calls this when it finds no pending change: from then on, the first write that
    captures a change sends one ``NOTIFY`` (at its commit) and the writes after it send none,
    until the worker finds the queue empty again. A no-op (False) on SQLite, which polls.

    The flag is taken when the trigger runs, not at commit, so two cases wait for the worker's
    next poll (``SPY_WORKER_POLL``, 0.25 s by default) instead of waking it at once: a write that
    took no flag because another had it, and that commits only after the worker's second look
    (``services.process_changes``); and the writes after a first one that took the flag and
    then rolled back (its NOTIFY is never sent) until the worker next finds the queue empty.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval('{WAKE_SEQUENCE}', 1, false) FROM {WAKE_SEQUENCE} WHERE is_called"
        )
        return cursor.fetchone() is not None
