"""The capture triggers on ``finance_title``, per database vendor.

They run in the writer's transaction, so no write to a watched fact — ORM, ``QuerySet.update()``,
bulk, or raw SQL from another program — can commit without its ``watch_change`` row. An UPDATE that
leaves ``amount`` and ``due_date`` as they were records nothing; one that changes both records one
change with both facts.
"""

from __future__ import annotations

_SNAPSHOT_FIELDS = (
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

_CHANGE_COLUMNS = (
    "title_id, company_id, ledger, kind, amount_changed, due_date_changed, before, after, "
    "actor, origin, db_user, created_at"
)


def _sqlite_snapshot(row: str) -> str:
    pairs = ", ".join(f"'{field}', {row}.{field}" for field in _SNAPSHOT_FIELDS)
    return f"json_object({pairs}, 'amount', printf('%.2f', {row}.amount))"


_SQLITE_ACTOR = "COALESCE((SELECT actor FROM watch_writecontext WHERE id = 1), 'sqlite')"
_SQLITE_ORIGIN = "COALESCE((SELECT origin FROM watch_writecontext WHERE id = 1), 'sql')"
_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"

SQLITE_CREATE = [
    f"""
    CREATE TRIGGER spy_title_update AFTER UPDATE OF amount, due_date ON finance_title
    FOR EACH ROW WHEN OLD.amount IS NOT NEW.amount OR OLD.due_date IS NOT NEW.due_date
    BEGIN
        INSERT INTO watch_change ({_CHANGE_COLUMNS})
        VALUES (OLD.id, OLD.company_id, OLD.ledger, 'update',
                OLD.amount IS NOT NEW.amount, OLD.due_date IS NOT NEW.due_date,
                {_sqlite_snapshot("OLD")}, {_sqlite_snapshot("NEW")},
                {_SQLITE_ACTOR}, {_SQLITE_ORIGIN}, 'sqlite', {_SQLITE_NOW});
    END
    """,
    f"""
    CREATE TRIGGER spy_title_delete AFTER DELETE ON finance_title
    FOR EACH ROW
    BEGIN
        INSERT INTO watch_change ({_CHANGE_COLUMNS})
        VALUES (OLD.id, OLD.company_id, OLD.ledger, 'delete', 0, 0,
                {_sqlite_snapshot("OLD")}, NULL,
                {_SQLITE_ACTOR}, {_SQLITE_ORIGIN}, 'sqlite', {_SQLITE_NOW});
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS spy_title_update",
    "DROP TRIGGER IF EXISTS spy_title_delete",
]


def _pg_snapshot(row: str) -> str:
    pairs = ", ".join(f"'{field}', {row}.{field}" for field in _SNAPSHOT_FIELDS)
    return f"jsonb_build_object({pairs}, 'amount', {row}.amount::text)"


PG_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION spy_capture_title_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        v_actor text := NULLIF(current_setting('spy.actor', true), '');
        v_origin text := COALESCE(NULLIF(current_setting('spy.origin', true), ''), 'sql');
    BEGIN
        IF TG_OP = 'DELETE' THEN
            INSERT INTO watch_change ({_CHANGE_COLUMNS})
            VALUES (OLD.id, OLD.company_id, OLD.ledger, 'delete', false, false,
                    {_pg_snapshot("OLD")}, NULL,
                    COALESCE(v_actor, session_user::text), v_origin, session_user::text,
                    clock_timestamp());
        ELSE
            INSERT INTO watch_change ({_CHANGE_COLUMNS})
            VALUES (OLD.id, OLD.company_id, OLD.ledger, 'update',
                    OLD.amount IS DISTINCT FROM NEW.amount,
                    OLD.due_date IS DISTINCT FROM NEW.due_date,
                    {_pg_snapshot("OLD")}, {_pg_snapshot("NEW")},
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
PG_DROP = [
    "DROP TRIGGER IF EXISTS spy_title_update ON finance_title",
    "DROP TRIGGER IF EXISTS spy_title_delete ON finance_title",
    "DROP FUNCTION IF EXISTS spy_capture_title_change()",
]


def statements(vendor: str, *, create: bool) -> list[str]:
    """The SQL that installs (``create=True``) or removes the triggers on ``vendor``."""
    if vendor == "postgresql":
        return PG_CREATE if create else PG_DROP
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    raise NotImplementedError(f"change capture is not implemented for {vendor}")


def install(schema_editor: object, *, create: bool = True) -> None:
    """Run ``statements`` on the schema editor's connection (used by migrations and benchmarks)."""
    connection = schema_editor.connection  # type: ignore[attr-defined]
    for sql in statements(connection.vendor, create=create):
        schema_editor.execute(sql, params=None)  # type: ignore[attr-defined]
