from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "spysystem.api"
    label = "api"
    verbose_name = "API"
