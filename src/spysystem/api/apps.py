from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "spysystem.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from spysystem.api import schema  # noqa: F401  (registers the OpenAPI extensions)
