from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "spysystem.mail"
    label = "mail"
    verbose_name = "E-mail"

    def ready(self) -> None:
        from spysystem.mail import checks  # noqa: F401  (registers the system checks)
