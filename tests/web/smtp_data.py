"""What the SMTP screens post, and the three levels as the tests see them."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from spysystem.finance.models import Company
from spysystem.mail.models import SmtpSettings

SECRET = "s3nh4-Sup3r-S3cr3ta"


def smtp_form(**overrides) -> dict:
    """A valid “Gravar” post of an SMTP screen; ``overrides`` replace or add fields."""
    return {
        "host": "smtp.empresa.com.br",
        "port": "587",
        "security": "starttls",
        "username": "spy@empresa.com.br",
        "password": "",
        "from_email": "spy@empresa.com.br",
        "from_name": "Spy System",
        "reply_to": "",
        "timeout": "30",
        "max_connections": "2",
        "max_per_minute": "120",
    } | overrides


def loopback_form(port: int, **overrides) -> dict:
    """Settings of a loopback sink without TLS or login."""
    return smtp_form(
        host="127.0.0.1", port=str(port), security="none", username="", timeout="5"
    ) | (overrides)


@dataclass(frozen=True)
class Level:
    level: str
    company: Company | None
    url: str

    def stored(self) -> SmtpSettings | None:
        return SmtpSettings.objects.filter(level=self.level, company=self.company).first()


def level_page(level: str, company: Company | None = None) -> Level:
    if level == "company":
        return Level(level, company, reverse("mail:smtp_company", args=[company.pk]))
    return Level(
        level, None, reverse(f"mail:smtp_{'general' if level == 'general' else 'finance'}")
    )
