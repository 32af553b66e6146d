"""The goals of issue 7, the printed table, ``bench/results.json`` and ``docs/performance.md``."""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Goal:
    text: str
    test: Callable[[float], bool] | None = None  # None: reported, no target

    def met(self, value: object) -> str:
        if self.test is None or not isinstance(value, int | float):
            return "—"
        return "yes" if self.test(value) else "NO"


def _at_most(limit: float) -> Goal:
    return Goal(f"≤ {limit:g}", lambda value: operator.le(value, limit))


def _at_least(limit: float) -> Goal:
    return Goal(f"≥ {limit:g}", lambda value: operator.ge(value, limit))


REPORT = Goal("report")
GOALS: dict[str, Goal] = {
    "spy_tax_pg": _at_most(0.05),
    "spy_tax_sqlite": REPORT,
    "latency_ms_p50_pg": REPORT,
    "latency_ms_p99_pg": _at_most(150),
    "latency_ms_p50_sqlite": REPORT,
    "latency_ms_p99_sqlite": _at_most(500),
    "fast_sink_vs_raw": _at_least(1.0),
    "fast_sink_vs_post_office": _at_least(1.5),
    "slow_sink_vs_ideal": _at_least(0.9),
    "slow_sink_vs_post_office": _at_least(1.2),
    "bulk_aviso_100k_s": REPORT,
    "bulk_aviso_vs_insert": _at_most(5),
    "worker_peak_rss_mb": _at_most(200),
    "boleto_pdf_per_s": _at_least(200),
}


def rows(metrics: dict) -> list[tuple[str, str, str, str]]:
    """(metric, value, goal, met?) for every metric of the issue, in the issue's order."""
    table = []
    for name, goal in GOALS.items():
        value = metrics.get(name, "not measured: missing from this run")
        table.append(
            (
                name,
                f"{value:g}" if isinstance(value, float) else str(value),
                goal.text,
                goal.met(value),
            )
        )
    return table


def text_table(metrics: dict) -> str:
    header = ("metric", "value", "goal", "met?")
    body = rows(metrics)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in [header, *body]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(metrics: dict) -> str:
    lines = ["| metric | value | goal | met? |", "|---|---|---|---|"]
    lines += [
        f"| `{name}` | {value} | {goal} | {met} |" for name, value, goal, met in rows(metrics)
    ]
    return "\n".join(lines)


def _flatten(details: dict, prefix: str = "") -> list[tuple[str, object]]:
    items: list[tuple[str, object]] = []
    for key, value in details.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            items += _flatten(value, name + ".")
        else:
            items.append((name, value))
    return items


def markdown_details(details: dict) -> str:
    lines = ["| figure | value |", "|---|---|"]
    lines += [f"| `{name}` | {value} |" for name, value in _flatten(details)]
    return "\n".join(lines)


def write_results(path: Path, *, metrics: dict, machine: dict, details: dict, run: dict) -> None:
    payload = {**metrics, "machine": machine, "details": details, "run": run}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def docs_block(*, metrics: dict, details: dict, run: dict, machine_line: str) -> str:
    load = run["load_average_1min"]
    return "\n".join(
        [
            f"Run {run['finished']} in {run['seconds']:.0f} s — `{run['command']}`",
            "",
            f"Machine: {machine_line}. 1-minute load average {load['start']:.2f} at the start, "
            f"{load['end']:.2f} at the end (anything else running on the machine adds noise).",
            "",
            markdown_table(metrics),
            "",
            "<details><summary>Baselines and other figures of the same run</summary>",
            "",
            markdown_details(details),
            "",
            "</details>",
        ]
    )


def update_docs(path: Path, *, key: str, block: str) -> None:
    """Replace what lies between ``<!-- bench:KEY -->`` and ``<!-- /bench:KEY -->``."""
    start, end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    fresh = f"{start}\n{block}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _match: fresh, text)
    else:
        text = text.rstrip("\n") + f"\n\n{fresh}\n"
    path.write_text(text, encoding="utf-8")
