"""What every scenario gets: where to write, which database, how much to scale down."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Bench:
    workdir: Path
    vendor: str  # "postgresql" or "sqlite"
    scale: float = 1.0
    details: dict = field(default_factory=dict)

    @property
    def suffix(self) -> str:
        return "pg" if self.vendor == "postgresql" else "sqlite"

    def scaled(self, value: float, *, minimum: float = 1) -> float:
        """``value`` times ``--scale`` (1.0 in ``make bench``; smaller for a quick smoke run)."""
        return max(minimum, value * self.scale)
