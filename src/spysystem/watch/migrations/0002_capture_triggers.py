"""Install the change-capture triggers on finance_title (SQLite and PostgreSQL)."""

from django.db import migrations

from spysystem.watch import triggers


def forwards(apps, schema_editor):
    triggers.install(schema_editor, create=True)


def backwards(apps, schema_editor):
    triggers.install(schema_editor, create=False)


class Migration(migrations.Migration):
    dependencies = [
        ("watch", "0001_initial"),
        ("finance", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
