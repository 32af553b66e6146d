"""The secrets a production start needs, checked from the environment alone.

Used before Django starts (``spy`` exits 2 with the list, not a traceback) and as Django system
checks (ids ``spy.E001``–``spy.E003``) for any other WSGI server.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.fernet import Fernet

from spysystem.env import env_list, env_str


@dataclass(frozen=True)
class Problem:
    id: str
    msg: str
    hint: str


def secret_problems() -> list[Problem]:
    """What is missing or malformed in ``SPY_SECRET_KEY`` and ``SPY_ENCRYPTION_KEYS``."""
    problems = []
    if not env_str("SPY_SECRET_KEY"):
        problems.append(
            Problem(
                "spy.E001",
                "SPY_SECRET_KEY não está definida.",
                "Defina SPY_SECRET_KEY (ou SPY_SECRET_KEY_FILE) com 50 caracteres aleatórios.",
            )
        )
    keys = env_list("SPY_ENCRYPTION_KEYS")
    if not keys:
        problems.append(
            Problem(
                "spy.E002",
                "SPY_ENCRYPTION_KEYS não está definida: as senhas SMTP não podem ser cifradas.",
                "Gere uma chave com `spy keys generate` e defina SPY_ENCRYPTION_KEYS.",
            )
        )
    elif not all(_valid_key(key) for key in keys):
        problems.append(
            Problem(
                "spy.E003",
                "SPY_ENCRYPTION_KEYS contém uma chave inválida.",
                "Cada chave é uma chave Fernet (44 caracteres base64), separadas por vírgula.",
            )
        )
    return problems


def _valid_key(key: str) -> bool:
    try:
        Fernet(key)
    except ValueError:
        return False
    return True
