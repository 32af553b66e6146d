from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "spysystem.web"
    label = "web"
    verbose_name = "Web"
