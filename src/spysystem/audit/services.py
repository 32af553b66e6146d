"""Recording settings changes. Values under secret keys are masked before they are stored."""

from __future__ import annotations

from typing import Any

from spysystem.audit.models import SettingsChange

SECRET_KEYS = frozenset({"password", "password_encrypted"})
MASK = "••••••"


def _masked(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: (MASK if k in SECRET_KEYS and v else v) for k, v in values.items()}


def settings_change_record(
    *, area: str, actor: object | None, origin: str, before: dict | None, after: dict | None
) -> SettingsChange | None:
    """Store one settings change in the caller's transaction; nothing when nothing changed."""
    before, after = _masked(before), _masked(after)
    if before == after:
        return None
    return SettingsChange.objects.create(
        area=area,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=getattr(actor, "username", None) or "sistema",
        origin=origin,
        before=before,
        after=after,
    )
