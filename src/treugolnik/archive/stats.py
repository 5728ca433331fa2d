"""Meeting-level statistics of an archive, coded or simulated: one function for both.

:func:`archive_stats` reads only the archive's frames (:class:`codebook.Archive`), so minutes a
historian coded and a run converted by :func:`convert.from_events` (or observed through
:mod:`observe`) are counted by the same code. docs/ARCHIVE.md, "Statistics", says what each
number is.

Periods are spans of whole years (a row dated only by its year or month still falls in one);
every row below a meeting is counted in its meeting's period. ``unknown`` codes are counted
like any code and left out of shares.
"""

from __future__ import annotations

import polars as pl

from .agreement import alpha_nominal
from .codebook import LEVELS, UNKNOWN, Archive


def parse_periods(spec: str | None) -> list[tuple[int, int]] | None:
    """``"1928-1933,1934-1941"`` (or single years: ``"1937"``) as (first, last) years; None or
    ``"year"``: one period a year. Raises ValueError on a malformed or overlapping spec.
    """
    if spec is None or spec.strip() in ("", "year"):
        return None
    out = []
    for part in spec.split(","):
        a, _, b = part.strip().partition("-")
        if not a.isdigit() or (b and not b.isdigit()):
            raise ValueError(f"{part.strip()!r} is not a span of years (e.g. 1928-1933)")
        first, last = int(a), int(b or a)
        if last < first:
            raise ValueError(f"{part.strip()!r}: the span ends before it starts")
        out.append((first, last))
    out.sort()
    for (_, last), (first, _) in zip(out, out[1:], strict=False):
        if first <= last:
            raise ValueError(f"periods overlap: {spec}")
    return out


def _label(year: int, periods) -> str | None:
    if periods is None:
        return str(year)
    for first, last in periods:
        if first <= year <= last:
            return str(first) if first == last else f"{first}-{last}"
    return None


def _counts(df: pl.DataFrame, *cols: str) -> dict:
    """Counts of ``cols``' values (nested by column), keys sorted."""
    if df.height == 0:
        return {}
    rows = df.group_by(list(cols)).len().sort(list(cols)).iter_rows()
    out: dict = {}
    for row in rows:
        *keys, n = row
        d = out
        for k in keys[:-1]:
            d = d.setdefault(k, {})
        d[keys[-1]] = n
    return out


def _shares(counts: dict) -> dict:
    known = {k: v for k, v in counts.items() if k != UNKNOWN}
    total = sum(known.values())
    return {k: v / total for k, v in known.items()} if total else {}


def archive_stats(
    archive: Archive, periods: list[tuple[int, int]] | None = None, *, whole: bool = True
) -> dict:
    """The statistics of ``archive`` by period (``periods``: see :func:`parse_periods`);
    ``whole=False`` leaves out the frames by year and the coders' agreement (``None``).
    """
    m = archive["meetings"].with_columns(
        pl.col("date").str.slice(0, 4).cast(pl.Int32).alias("year")
    )
    labels = {y: _label(y, periods) for y in m["year"].unique().to_list()}
    m = m.with_columns(
        pl.col("year").replace_strict(labels, return_dtype=pl.Utf8).alias("period")
    ).filter(pl.col("period").is_not_null())
    when = m.select("meeting_id", "period", "year")
    items = archive["items"].join(when, on="meeting_id", how="inner")
    on_item = items.select("item_id", "period", "year", pl.col("topic").alias("item_topic"))
    speeches = archive["speeches"].join(on_item, on="item_id", how="inner")
    res = archive["resolutions"].join(on_item, on="item_id", how="inner")
    acc = archive["accusations"].join(on_item, on="item_id", how="inner")
    inv = archive["investigations"].join(
        acc.select("accusation_id", "period"), on="accusation_id", how="inner"
    )
    cases = res.filter(pl.col("item_topic") == "personal_case")
    # every count once over all periods (the period as the outer key), then read by period
    n_meetings, n_items, n_res = (
        _counts(m, "period"),
        _counts(items, "period"),
        _counts(res, "period"),
    )
    n_speeches, n_acc, n_cases = (
        _counts(speeches, "period"), _counts(acc, "period"), _counts(cases, "period"),
    )  # fmt: skip
    bodies, topics_by = _counts(m, "period", "body"), _counts(items, "period", "topic")
    carried_by, binding_by = _counts(res, "period", "carried"), _counts(res, "period", "binding")
    unanimous_by = _counts(res, "period", "unanimous")
    upheld_by = _counts(cases, "period", "charge_upheld")
    outcomes_by = _counts(inv, "period", "outcome")
    speakers_by = _counts(speeches, "period", "role", "side")
    offices_by = _counts(speeches.filter(pl.col("office") != ""), "period", "office", "side")
    frames_by = _counts(speeches, "period", "frame")
    charges_by = _counts(acc, "period", "charge")
    roles_by = _counts(acc, "period", "accused_role")
    role_charge_by = _counts(acc, "period", "accused_role", "charge")
    out_periods = {}
    for p in sorted(m["period"].unique().to_list()):
        topics = topics_by.get(p, {})
        carried = carried_by.get(p, {})
        upheld = upheld_by.get(p, {})
        outcomes = outcomes_by.get(p, {})
        binding = binding_by.get(p, {})
        out_periods[p] = {
            "meetings": n_meetings.get(p, 0),
            "bodies": bodies.get(p, {}),
            "items": n_items.get(p, 0),
            "topics": topics,
            "topic_shares": _shares(topics),
            "resolutions": n_res.get(p, 0),
            "carried": carried,
            "carried_shares": _shares(carried),
            "binding": binding,
            "unanimous": unanimous_by.get(p, {}),
            "speeches": n_speeches.get(p, 0),
            "speakers": speakers_by.get(p, {}),
            "offices": offices_by.get(p, {}),
            "frames": frames_by.get(p, {}),
            "accusations": n_acc.get(p, 0),
            "charges": charges_by.get(p, {}),
            "accused_roles": roles_by.get(p, {}),
            "charges_by_accused_role": role_charge_by.get(p, {}),
            "investigations": outcomes,
            "reversals": {
                "personal_cases": n_cases.get(p, 0),
                "charge_not_upheld": upheld.get("no", 0),
                "investigations_cleared": outcomes.get("cleared", 0),
                "resolutions_not_binding": binding.get("no", 0),
            },
        }
    if not whole:
        return {"source": archive.source, "periods": out_periods, "frames_by_year": None,
                "agreement": None}  # fmt: skip
    frames_by_year = {
        str(y): d for y, d in _counts(speeches.with_columns(pl.col("year").cast(pl.Utf8)),
                                      "year", "frame").items()
    }  # fmt: skip
    return {
        "source": archive.source,
        "periods": out_periods,
        "frames_by_year": frames_by_year,
        "agreement": agreement(archive),
    }


def agreement(archive: Archive) -> dict:
    """Krippendorff's alpha (nominal) of every double-coded field: the rows whose ``FIELD_2``
    is given; ``unknown`` counts as no reading. Only fields with double-coded rows appear.
    """
    out = {}
    for name, level in LEVELS.items():
        df = archive[name]
        for f in level.double:
            both = df.filter(pl.col(f"{f}_2") != "")
            if both.height == 0:
                continue
            units = [
                tuple(v if v != UNKNOWN else "" for v in pair)
                for pair in both.select(f, f"{f}_2").iter_rows()
            ]
            pairable = sum(1 for a, b in units if a and b)
            agree = sum(1 for a, b in units if a and b and a == b)
            out[f"{name}.{f}"] = {
                "rows": both.height,
                "pairable": pairable,
                "agreement": agree / pairable if pairable else None,
                "alpha": alpha_nominal(units),
            }
    return out
