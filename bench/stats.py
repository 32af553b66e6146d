"""Small statistics over what the sinks and clients recorded."""

from __future__ import annotations

import statistics


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0–100), linear between the closest ranks."""
    if not values:
        raise ValueError("no values")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[round(p * 10) - 1]


def rate(stamps: list[float]) -> float:
    """Messages per second between the first and the last accepted message.

    Start-up (process start, first claim, connection set-up) is left out alike for every sender.
    """
    if len(stamps) < 2:
        raise ValueError("need at least two messages")
    stamps = sorted(stamps)
    return (len(stamps) - 1) / (stamps[-1] - stamps[0])
