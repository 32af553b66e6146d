"""Typed columns for the watched facts instead of two whole-row JSON snapshots (issue 7, spy_tax).

``before``/``after`` become ``amount_before``/``amount_after``, ``due_date_before``/
``due_date_after`` and one ``snapshot`` of the descriptive fields (the title after the write for an
update, the deleted title for a deletion). The triggers are removed before the table changes and installed again, in their new
version, at the end; migrating back restores the first version.
"""

from decimal import Decimal

from django.db import migrations, models

from spysystem.watch import triggers

_FACTS = ("amount", "due_date")


def _drop_triggers(apps, schema_editor):
    triggers.install(schema_editor, create=False)


def _install_triggers(apps, schema_editor):
    triggers.install(schema_editor, create=True)


def _drop_triggers_and_wake(apps, schema_editor):
    triggers.install(schema_editor, create=False)
    triggers.wake_sequence_drop(schema_editor)


_PG_FORWARDS = """
UPDATE watch_change SET
    amount_before = (before ->> 'amount')::numeric,
    due_date_before = (before ->> 'due_date')::date,
    amount_after = (after ->> 'amount')::numeric,
    due_date_after = (after ->> 'due_date')::date,
    snapshot = COALESCE(after, before) - 'amount' - 'due_date'
"""
_SQLITE_FORWARDS = """
UPDATE watch_change SET
    amount_before = json_extract(before, '$.amount'),
    due_date_before = json_extract(before, '$.due_date'),
    amount_after = json_extract(after, '$.amount'),
    due_date_after = json_extract(after, '$.due_date'),
    snapshot = json_remove(COALESCE(after, before), '$.amount', '$.due_date')
"""


def _copy_forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(_PG_FORWARDS if vendor == "postgresql" else _SQLITE_FORWARDS, None)


def _side(fields: dict, amount: Decimal | None, due_date) -> dict:
    return {
        **fields,
        "amount": None if amount is None else f"{amount:.2f}",
        "due_date": due_date.isoformat() if due_date else None,
    }


def _copy_backwards(apps, schema_editor):
    """Rebuild ``before``/``after``; a change not fanned out yet takes the title's fields."""
    Change = apps.get_model("watch", "Change")
    Title = apps.get_model("finance", "Title")
    rows = Change.objects.using(schema_editor.connection.alias).order_by("pk")
    batch = []
    for change in rows.iterator(chunk_size=1000):
        fields = change.snapshot
        if fields is None:
            title = Title.objects.filter(pk=change.title_id).values(*triggers.SNAPSHOT_FIELDS)
            fields = dict(title.first() or {"id": change.title_id})
            if fields.get("issue_date"):
                fields["issue_date"] = fields["issue_date"].isoformat()
        change.before = _side(fields, change.amount_before, change.due_date_before)
        if change.kind == "update":
            change.after = _side(fields, change.amount_after, change.due_date_after)
        batch.append(change)
        if len(batch) == 1000:
            Change.objects.bulk_update(batch, ["before", "after"])
            batch = []
    Change.objects.bulk_update(batch, ["before", "after"])


class Migration(migrations.Migration):
    dependencies = [
        ("watch", "0002_capture_triggers"),
        ("finance", "0005_title_document_single_line"),
    ]

    operations = [
        migrations.RunPython(_drop_triggers, _install_triggers),
        migrations.AddField(
            model_name="change",
            name="amount_before",
            field=models.DecimalField(decimal_places=2, max_digits=14, null=True),
        ),
        migrations.AddField(
            model_name="change",
            name="amount_after",
            field=models.DecimalField(decimal_places=2, max_digits=14, null=True),
        ),
        migrations.AddField(
            model_name="change",
            name="due_date_before",
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name="change",
            name="due_date_after",
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name="change",
            name="snapshot",
            field=models.JSONField(null=True),
        ),
        migrations.AlterField(
            model_name="change",
            name="before",
            field=models.JSONField(null=True),
        ),
        migrations.RunPython(_copy_forwards, _copy_backwards),
        migrations.RemoveField(model_name="change", name="before"),
        migrations.RemoveField(model_name="change", name="after"),
        migrations.AlterField(
            model_name="change",
            name="amount_before",
            field=models.DecimalField(decimal_places=2, max_digits=14),
        ),
        migrations.AlterField(
            model_name="change",
            name="due_date_before",
            field=models.DateField(),
        ),
        migrations.RunPython(_install_triggers, _drop_triggers_and_wake),
    ]
