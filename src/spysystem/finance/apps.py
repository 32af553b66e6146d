from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "spysystem.finance"
    label = "finance"
    verbose_name = "Financeiro"
