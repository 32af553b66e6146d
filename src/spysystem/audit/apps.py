from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "spysystem.audit"
    label = "audit"
    verbose_name = "Auditoria"
