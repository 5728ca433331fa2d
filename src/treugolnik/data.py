"""The project's historical data: loading and validating ``data/series.csv``.

>>> from treugolnik.data import series_value
>>> series_value("kirov_workforce", "1941")
30000.0

Each row has a quantity, a period, a value (a number, a range ``a-b``, or ``a/b`` pairs), a
unit, a scope and a source. Ranges give their midpoint. A row without a source, or a value that
is not a number, is an error naming the file, row and field.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from .scenario.load import ScenarioError
from .timeline import data_dir

SERIES_COLUMNS = ("quantity", "period", "value", "unit", "scope", "source", "note")


def _number(text: str) -> float:
    t = text.replace(",", "").strip()
    if "->" in t or "/" in t or " vs " in t:
        raise ValueError(text)
    if "-" in t[1:]:
        a, b = t.split("-", 1)
        return (float(a) + float(b)) / 2.0
    return float(t)


@functools.cache
def read_series(path: str | None = None) -> tuple[dict, ...]:
    """Rows of series.csv as dicts with a parsed ``number`` (None for pairs like ``a/b``)."""
    p = Path(path) if path else data_dir() / "series.csv"
    if not p.is_file():
        raise ScenarioError([f"{p}: series file not found"])
    problems, rows = [], []
    with open(p, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in SERIES_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ScenarioError([f"{p}: missing columns {', '.join(missing)}"])
        for n, rec in enumerate(reader, start=2):
            if not (rec["source"] or "").strip():
                problems.append(f"{p}:{n}: source: every row needs a source")
                continue
            try:
                number = _number(rec["value"])
            except ValueError:
                number = None  # pairs such as "195000/180000" or "122 -> 94": kept as text
            rows.append(dict(rec, number=number))
    if problems:
        raise ScenarioError(problems)
    return tuple(rows)


def series_value(quantity: str, period: str) -> float:
    """The number for (quantity, period); KeyError if absent or not a single number."""
    for r in read_series():
        if r["quantity"] == quantity and r["period"] == period and r["number"] is not None:
            return float(r["number"])
    raise KeyError(f"{quantity} {period}")
