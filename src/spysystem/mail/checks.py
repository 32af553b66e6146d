"""Django system checks for the production secrets (see ``spysystem.preflight``)."""

from __future__ import annotations

from django.core.checks import Error, register

from spysystem.preflight import secret_problems


@register()
def secrets_configured(app_configs: object = None, **kwargs: object) -> list[Error]:
    return [Error(p.msg, hint=p.hint, id=p.id) for p in secret_problems()]
