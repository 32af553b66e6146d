"""SMTP passwords at rest: Fernet with key rotation (``SPY_ENCRYPTION_KEYS``, newest first)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _


def _fernet() -> MultiFernet:
    keys = settings.SPY_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured(
            "SPY_ENCRYPTION_KEYS não está definida: gere uma chave com `spy keys generate`."
        )
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        # Not translated: this can be raised while Django starts, before translations are ready.
        raise ImproperlyConfigured("SPY_ENCRYPTION_KEYS contém uma chave Fernet inválida.") from exc


def encrypt(plain: str) -> str:
    """Encrypt with the first (newest) key; empty stays empty."""
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def decrypt(token: str) -> str:
    """Decrypt with any configured key; raise ``ImproperlyConfigured`` if none fits."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            _("A senha SMTP não pode ser decifrada com as chaves em SPY_ENCRYPTION_KEYS.")
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt ``token`` with the newest key (for ``spy keys rotate``)."""
    return _fernet().rotate(token.encode()).decode() if token else ""


def generate_key() -> str:
    return Fernet.generate_key().decode()
