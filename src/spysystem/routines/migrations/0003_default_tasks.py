"""Create the manual's two scheduled tasks."""

from django.db import migrations

TASKS = [
    ("GEEnviaEmailAvisoVencimento", "Envia o e-mail de aviso de vencimento aos clientes", "0 7 * * *"),
    ("GEAtualizaCobranca", "Atualiza as cobranças e envia o e-mail de cobrança", "0 8 * * *"),
]


def forwards(apps, schema_editor):
    Task = apps.get_model("routines", "Task")
    for name, description, schedule in TASKS:
        Task.objects.get_or_create(name=name, defaults={"description": description, "schedule": schedule})


def backwards(apps, schema_editor):
    apps.get_model("routines", "Task").objects.filter(name__in=[t[0] for t in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [("routines", "0002_routines_tasks")]
    operations = [migrations.RunPython(forwards, backwards)]
