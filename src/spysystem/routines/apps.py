from django.apps import AppConfig


class RoutinesConfig(AppConfig):
    name = "spysystem.routines"
    label = "routines"
    verbose_name = "Rotinas"
