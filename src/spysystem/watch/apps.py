from django.apps import AppConfig


class WatchConfig(AppConfig):
    name = "spysystem.watch"
    label = "watch"
    verbose_name = "Spy System"
