"""System checks for the secrets a production start needs (stable ids ``spy.E00x``)."""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, register


@register()
def secrets_configured(app_configs: object = None, **kwargs: object) -> list[Error]:
    errors = []
    if not settings.SECRET_KEY:
        errors.append(
            Error(
                "SPY_SECRET_KEY não está definida.",
                hint="Defina SPY_SECRET_KEY (ou SPY_SECRET_KEY_FILE) com 50 caracteres aleatórios.",
                id="spy.E001",
            )
        )
    errors.extend(_encryption_key_errors())
    return errors


def _encryption_key_errors() -> list[Error]:
    keys = settings.SPY_ENCRYPTION_KEYS
    if not keys:
        return [
            Error(
                "SPY_ENCRYPTION_KEYS não está definida: as senhas SMTP não podem ser cifradas.",
                hint="Gere uma chave com `spy keys generate` e defina SPY_ENCRYPTION_KEYS.",
                id="spy.E002",
            )
        ]
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            return [Error("SPY_ENCRYPTION_KEYS contém uma chave inválida.", id="spy.E003")]
    return []
