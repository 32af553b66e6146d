"""The one error the boleto package raises: a stable ``code`` and a pt-BR ``message``."""

from __future__ import annotations


class BoletoError(ValueError):
    """Invalid boleto input or data.

    ``code`` is a stable machine id (``"check_digit"``, ``"amount_too_large"``, ...) for the API and
    the CLI; ``message`` is the sentence shown to the user, in Portuguese.
    """

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message
