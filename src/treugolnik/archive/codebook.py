"""The codebook of coded party minutes: levels, columns, codes; reading and checking a folder.

docs/ARCHIVE.md is the codebook for the coder; this module is its executable form. A coded
archive is a folder with one CSV file per level (``meetings.csv``, ``items.csv``,
``speeches.csv``, ``resolutions.csv``, ``accusations.csv``, ``investigations.csv``); only
``meetings.csv`` is required. The codes are the event log's (:mod:`treugolnik.record`), with
``unknown`` where the minutes do not tell and ``other`` where they tell something the model does
not know.

:func:`read_archive` returns the archive (one Polars frame of strings per level) and the list of
problems, one line each, ``FILE, row N, field F: what is wrong`` (N counts the header as row 1,
as a spreadsheet does). Nothing is corrected or guessed: a code with another spelling, a date
outside 1928-1941 or a reference left empty is a problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..mechanisms.meetings import FRAMES, SIDES, TOPICS
from ..mechanisms.repression import CHARGES
from ..population import ROLES

FIRST_YEAR, LAST_YEAR = 1928, 1941
UNKNOWN, OTHER = "unknown", "other"

# the codes of each vocabulary (the event log's, then unknown / other where allowed)
ROLE = (*ROLES, UNKNOWN)
ACCUSER = (*ROLES, "meeting", UNKNOWN)  # "meeting": the resolution accuses, no one named
BODY = ("general", "general_with_partkom", "partkom", "shop", "union")
FORM = ("cell", "ppo", "none")
TOPIC = (*TOPICS, OTHER, UNKNOWN)
OFFICE = ("", "secretary", "union_chair", "director")
SIDE = (*SIDES, UNKNOWN)
FRAME = (*(f for frames in FRAMES.values() for f in frames), OTHER, UNKNOWN)
STANCE = ("strong", "moderate", "weak", UNKNOWN)
CARRIED = ("workers", "management", UNKNOWN)
YES_NO = ("yes", "no", UNKNOWN)
UPHELD = ("", "yes", "no", UNKNOWN)
CHARGE = (*CHARGES, OTHER, UNKNOWN)
OUTCOME = ("expelled", "reprimanded", "cleared", UNKNOWN)
CERTAINTY = ("high", "medium", "low")

# columns every level ends with: the reference (the four archival fields, or a published
# work with its page), the coder's certainty, who coded, a second coder, a note
REFERENCE = ("fond", "opis", "delo", "list")
COMMON_REQUIRED = (*REFERENCE, "certainty")
COMMON_OPTIONAL = ("repository", "published", "coder", "coder2", "note")


@dataclass(frozen=True)
class Level:
    """One file of the archive: its id column, its parent (column, level), its own columns
    (name: vocabulary, or a kind: ``"date"``, ``"date?"`` (may be empty), ``"count?"``,
    ``"position"``, ``"text"``) and the fields a second coder may read (``FIELD_2``).
    """

    name: str
    id: str
    parent: tuple[str, str] | None
    columns: dict = field(default_factory=dict)
    double: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def header(self, optional: bool = True) -> list[str]:
        cols = [self.id]
        if self.parent:
            cols.append(self.parent[0])
        cols += list(self.columns)
        cols += list(COMMON_REQUIRED)
        if optional:
            cols += list(COMMON_OPTIONAL) + [f"{f}_2" for f in self.double]
        return cols


LEVELS = {
    lv.name: lv
    for lv in (
        Level(
            "meetings",
            "meeting_id",
            None,
            {
                "date": "date",
                "plant": "text",
                "body": BODY,
                "form": FORM,
                "present": "count?",
                "members": "count?",
            },
            ("body",),
        ),
        Level(
            "items",
            "item_id",
            ("meeting_id", "meetings"),
            {"position": "position", "topic": TOPIC, "accused_role": ("", *ROLE)},
            ("topic",),
        ),
        Level(
            "speeches",
            "speech_id",
            ("item_id", "items"),
            {
                "position": "position",
                "role": ROLE,
                "office": OFFICE,
                "side": SIDE,
                "frame": FRAME,
                "stance": STANCE,
            },
            ("role", "side", "frame", "stance"),
        ),
        Level(
            "resolutions",
            "resolution_id",
            ("item_id", "items"),
            {"carried": CARRIED, "binding": YES_NO, "unanimous": YES_NO, "charge_upheld": UPHELD},
            ("carried", "binding", "unanimous", "charge_upheld"),
        ),
        Level(
            "accusations",
            "accusation_id",
            ("item_id", "items"),
            {"accuser_role": ACCUSER, "accused_role": ROLE, "charge": CHARGE},
            ("accuser_role", "accused_role", "charge"),
        ),
        Level(
            "investigations",
            "investigation_id",
            ("accusation_id", "accusations"),
            {"date": "date?", "outcome": OUTCOME},
            ("outcome",),
        ),
    )  # fmt: skip
}

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def check_date(text: str) -> str | None:
    """The problem with a (partial) date ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, or None."""
    m = _DATE.match(text)
    if not m:
        return f"{text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
    year, month, day = int(m[1]), m[2], m[3]
    try:
        dt.date(year, int(month or 1), int(day or 1))
    except ValueError:
        return f"{text!r} is not a date of the calendar"
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return f"{text!r} is outside {FIRST_YEAR}-{LAST_YEAR}"
    return None


def _check_value(kind, value: str) -> str | None:
    if isinstance(kind, tuple):
        if value not in kind:
            codes = ", ".join(c if c else "(empty)" for c in kind)
            return f"{value!r} is not a code (one of {codes})"
        return None
    if kind == "text":
        return None if value.strip() else "empty"
    if kind in ("date", "date?"):
        if not value and kind == "date?":
            return None
        return "empty" if not value else check_date(value)
    if kind in ("count?", "position"):
        if not value and kind == "count?":
            return None
        if not value.isdigit() or (kind == "position" and int(value) < 1):
            what = "a whole number from 1" if kind == "position" else "a whole number"
            return f"{value!r} is not {what}"
        return None
    raise ValueError(kind)


@dataclass
class Archive:
    """A coded archive: one frame of strings per level (every column of the level's header,
    missing optional columns as empty strings), and where it came from.
    """

    frames: dict[str, pl.DataFrame]
    source: str = ""

    def __getitem__(self, level: str) -> pl.DataFrame:
        return self.frames[level]


def empty_frame(level: Level) -> pl.DataFrame:
    return pl.DataFrame(schema={c: pl.Utf8 for c in level.header()})


def frame_of(level: Level, rows: list[dict]) -> pl.DataFrame:
    """A level's frame from rows (dicts of strings; absent columns empty)."""
    cols = level.header()
    if not rows:
        return empty_frame(level)
    return pl.DataFrame(
        {c: [r.get(c, "") for r in rows] for c in cols}, schema={c: pl.Utf8 for c in cols}
    )


def read_archive(path: str | Path) -> tuple[Archive, list[str]]:
    """Read and check the coded archive in folder ``path``: (archive, problems)."""
    path = Path(path)
    problems: list[str] = []
    if not path.is_dir():
        return Archive({}, str(path)), [f"{path}: not a folder"]
    frames: dict[str, pl.DataFrame] = {}
    ids: dict[str, set[str]] = {}
    for name, level in LEVELS.items():
        file = path / level.file
        where = str(file)
        if not file.exists():
            if name == "meetings":
                problems.append(f"{where}: missing (a coded archive has at least meetings.csv)")
            frames[name] = empty_frame(level)
            ids[name] = set()
            continue
        try:
            with open(file, newline="", encoding="utf-8-sig") as fh:
                table = list(csv.reader(fh))
        except (UnicodeDecodeError, csv.Error) as e:
            problems.append(f"{where}: not a UTF-8 CSV file ({e})")
            frames[name] = empty_frame(level)
            ids[name] = set()
            continue
        rows, level_problems = _check_level(level, where, table, ids)
        problems += level_problems
        frames[name] = frame_of(level, rows)
        ids[name] = {r[level.id] for r in rows}
        if name == "items":
            ids["_topic"] = {r["item_id"]: r["topic"] for r in rows}
    return Archive(frames, str(path)), problems


def _check_level(level: Level, where: str, table: list[list[str]], ids: dict) -> tuple:
    problems: list[str] = []
    if not table or not any(cell.strip() for cell in table[0]):
        return [], [f"{where}, row 1: no header"]
    header = [h.strip() for h in table[0]]
    known = set(level.header())
    required = set(level.header(optional=False))
    for j, h in enumerate(header):
        if h not in known:
            problems.append(f"{where}, row 1, field {h or f'(column {j + 1})'}: not a column of "
                            f"{level.file} (docs/ARCHIVE.md)")  # fmt: skip
        elif header.index(h) != j:
            problems.append(f"{where}, row 1, field {h}: column given twice")
    for c in level.header(optional=False):
        if c not in header:
            problems.append(f"{where}, row 1, field {c}: column missing")
    if any(c not in header for c in required):
        return [], problems
    rows: list[dict] = []
    seen: set[str] = set()
    for n, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line of the spreadsheet
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            problems.append(f"{where}, row {n}: more cells than columns")
        row = {h: (cells[j].strip() if j < len(cells) else "") for j, h in enumerate(header)}
        row = {c: row.get(c, "") for c in level.header()}
        problems += _check_row(level, where, n, row, seen, ids)
        seen.add(row[level.id])
        rows.append(row)
    return rows, problems


def _check_row(level: Level, where: str, n: int, row: dict, seen: set, ids: dict) -> list[str]:
    out = []

    def bad(col: str, msg: str) -> None:
        out.append(f"{where}, row {n}, field {col}: {msg}")

    rid = row[level.id]
    if not rid:
        bad(level.id, "empty")
    elif rid in seen:
        bad(level.id, f"{rid!r} given twice")
    if level.parent:
        col, parent = level.parent
        if not row[col]:
            bad(col, "empty")
        elif row[col] not in ids.get(parent, set()):
            bad(col, f"{row[col]!r} is not a {LEVELS[parent].id} of {LEVELS[parent].file}")
    for col, kind in level.columns.items():
        msg = _check_value(kind, row[col])
        if msg:
            bad(col, msg)
    for col in level.double:
        second = row[f"{col}_2"]
        if second:
            msg = _check_value(level.columns[col], second)
            if msg:
                bad(f"{col}_2", msg)
    if any(row[f"{c}_2"] for c in level.double) and not row["coder2"]:
        bad("coder2", "empty, but the row carries a second coder's reading")
    if level.name == "meetings":
        union = row["body"] == "union"
        if row["body"] in BODY and row["form"] in FORM and union != (row["form"] == "none"):
            bad("form", "'none' for a union meeting, 'cell' or 'ppo' for a party body")
    if level.name == "resolutions" and row["item_id"] in ids.get("_topic", {}):
        case = ids["_topic"][row["item_id"]] == "personal_case"
        if case and not row["charge_upheld"]:
            bad("charge_upheld", "empty, but the item is a personal case (yes, no or unknown)")
        elif not case and row["charge_upheld"]:
            bad("charge_upheld", "given, but the item is not a personal case (leave it empty)")
    msg = _check_value(CERTAINTY, row["certainty"])
    if msg:
        bad("certainty", msg)
    if not row["published"]:
        missing = [c for c in REFERENCE if not row[c]]
        if missing:
            bad(missing[0], "archival reference incomplete (no " + ", ".join(missing)
                + "): give fond, opis, delo and list, or the published work and page")  # fmt: skip
    return out


def codes_text() -> str:
    """The codebook's files and columns with their allowed values, as a reference sheet for
    filling in a template (``archive init``); docs/ARCHIVE.md explains each code.
    """
    kinds = {
        "date": "a date: YYYY, YYYY-MM or YYYY-MM-DD, 1928-1941",
        "date?": "a date as above, or empty",
        "count?": "a whole number, or empty",
        "position": "the place on the agenda or in the debate: 1, 2, 3 ...",
        "text": "free text",
    }
    lines = ["# Codes for coded minutes (see docs/ARCHIVE.md)", ""]
    for level in LEVELS.values():
        lines.append(f"## {level.file}")
        lines.append(f"- {level.id}: an id of your choice, unique in this file")
        if level.parent:
            lines.append(f"- {level.parent[0]}: the id of its row in {level.parent[1]}.csv")
        for col, kind in level.columns.items():
            if isinstance(kind, str):
                allowed = kinds.get(kind, kind)
            else:
                allowed = "one of: " + ", ".join(v if v else "(empty)" for v in kind)
            lines.append(f"- {col}: {allowed}")
        lines.append("- fond, opis, delo, list: the archival reference (or give `published`)")
        lines.append("- certainty: one of: " + ", ".join(CERTAINTY))
        lines.append("- optional: " + ", ".join(COMMON_OPTIONAL)
                     + (", " + ", ".join(f"{f}_2" for f in level.double) if level.double else "")
                     + " (a second coder's reading in the _2 columns, with coder2)")  # fmt: skip
        lines.append("")
    return "\n".join(lines)


def write_archive_files(archive: Archive, folder: Path) -> None:
    """Write every level's CSV file into ``folder`` (which exists), with the full header."""
    for name, level in LEVELS.items():
        df = archive.frames.get(name, empty_frame(level))
        with open(folder / level.file, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            cols = level.header()
            w.writerow(cols)
            for row in df.select(cols).iter_rows():
                w.writerow(row)
