"""The record of every settings change: who, when, what, before → after (secrets masked)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SettingsChange(models.Model):
    area = models.CharField(max_length=60)  # e.g. "smtp:general", "spy:recipients", "switches"
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    origin = models.CharField(max_length=10)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.area} by {self.actor_label}"

    @property
    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
