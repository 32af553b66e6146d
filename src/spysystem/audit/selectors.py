"""Reads of the settings audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from spysystem.audit.models import SettingsChange


def settings_change_list(*, area: str | None = None) -> QuerySet[SettingsChange]:
    """Settings changes, newest first; ``area`` filters by prefix (``smtp`` matches all levels)."""
    changes = SettingsChange.objects.select_related("actor")
    return changes.filter(area__startswith=area) if area else changes
