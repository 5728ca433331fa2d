"""Reading a sweep store (or a single run folder) with DuckDB.

>>> from treugolnik import open_store                      # doctest: +SKIP
>>> con = open_store("sweeps/demo")
>>> con.sql("select regime, avg(quits) from metrics join runs using (run_id) group by 1")

Views: ``runs`` (one row per planned run: id, regime, seed, counterfactual, parameters as
columns, status, wall time, error), ``metrics``, ``monthly``, ``events`` (each with a
``run_id`` column). Nothing writes to a database file; the Parquet files are read in place.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import polars as pl

from ..scenario.load import ScenarioError

TABLES = ("metrics", "monthly", "events")


def _runs_frame(root: Path) -> pl.DataFrame:
    if (root / "run.json").is_file():  # a single run folder
        man = json.loads((root / "run.json").read_text())
        return pl.DataFrame(
            [
                {
                    "run_id": root.name,
                    "regime": man["regime"],
                    "seed": man["seed"],
                    "status": "complete",
                    "wall_seconds": man.get("wall_seconds"),
                }
            ]
        )
    plan = json.loads((root / "sweep.json").read_text())
    rows = []
    for r in plan["runs"]:
        d = root / "runs" / r["run_id"]
        row = {
            "run_id": r["run_id"],
            "regime": r["regime"],
            "seed": r["seed"],
            "counterfactual": r["counterfactual"],
            "status": "pending",
            "wall_seconds": None,
            "error": None,
        }
        if (d / "run.json").is_file():
            row["status"] = "complete"
            row["wall_seconds"] = json.loads((d / "run.json").read_text()).get("wall_seconds")
        elif (d / "error.json").is_file():
            row["status"] = "failed"
            row["error"] = json.loads((d / "error.json").read_text()).get("error")
        row.update({k: v for k, v in r["params"].items()})
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


def open_store(path: str | Path, *, unsafe: bool = False):
    """A DuckDB connection with the views ``runs``, ``metrics``, ``monthly``, ``events``.

    Read-only unless ``unsafe``: the connection reads the store's Parquet files and nothing
    else (no other file, no network, no extension loaded or installed, settings locked), and
    :func:`check_statement` lets through one SELECT (or EXPLAIN) at a time, so nothing is
    written (no COPY TO, ATTACH, EXPORT, CREATE).
    """
    import duckdb

    root = Path(path)
    single = (root / "run.json").is_file()
    if not single and not (root / "sweep.json").is_file():
        raise ScenarioError(
            [f"{root}: neither a run folder (run.json) nor a sweep store (sweep.json)"]
        )
    config = {} if unsafe else {"autoload_known_extensions": False,
                                "autoinstall_known_extensions": False}  # fmt: skip
    con = duckdb.connect(config=config)
    try:
        runs = _runs_frame(root)
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ScenarioError([f"{root}: the store's plan or a run.json cannot be read ({e})"]) from e
    with tempfile.TemporaryDirectory() as tmp:  # materialised in memory, then removed
        f = Path(tmp) / "runs.parquet"
        runs.write_parquet(f)
        con.execute(f"create table runs as select * from read_parquet('{_q(f)}')")
    for table in TABLES:
        if single:
            f = root / f"{table}.parquet"
            if f.is_file():
                con.execute(
                    f"create view {table} as select '{root.name}' as run_id, * "
                    f"from read_parquet('{_q(f)}')"
                )
            continue
        files = sorted((root / "runs").glob(f"*/{table}.parquet"))
        complete = [f for f in files if (f.parent / "run.json").is_file()]
        if complete:
            listing = ", ".join(f"'{_q(f)}'" for f in complete)
            con.execute(
                f"create view {table} as select regexp_extract(filename, "
                f"'runs/([^/]+)/{table}.parquet', 1) as run_id, * exclude (filename) "
                f"from read_parquet([{listing}], filename = true)"
            )
    if not unsafe:
        readable = sorted(root.glob("*.parquet")) + sorted((root / "runs").glob("*/*.parquet"))
        listing = ", ".join(f"'{_q(f)}'" for f in readable)
        con.execute(f"set allowed_paths = [{listing}]")
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    return con


READ_ONLY = ("SELECT", "EXPLAIN")


def check_statement(con, sql: str, *, unsafe: bool = False) -> None:
    """Refuse, in one line, SQL that is not one statement, or (unless ``unsafe``) not a query."""
    import duckdb

    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as e:
        raise ScenarioError([f"SQL: {str(e).splitlines()[0]}"]) from None
    if not statements:
        raise ScenarioError(["SQL: no statement given (e.g. 'select * from runs')"])
    if len(statements) > 1:
        raise ScenarioError([f"SQL: {len(statements)} statements; give one at a time"])
    kind = statements[0].type.name
    if not unsafe and kind not in READ_ONLY:
        raise ScenarioError(
            [
                f"SQL: a {kind} statement; the store is read-only here (SELECT or EXPLAIN; "
                "--unsafe opens the full DuckDB console)"
            ]  # fmt: skip
        )


def result_columns(cur) -> list[tuple[str, str]]:
    """(name, DuckDB type) of a result's columns; refuses twice-used names and MAP columns."""
    cols = [(d[0], str(d[1])) for d in cur.description or []]
    seen = set()
    for name, kind in cols:
        if name in seen:
            raise ScenarioError(
                [f"SQL: column name {name!r} appears twice; name them apart (... AS other)"]
            )
        seen.add(name)
        if kind.startswith("MAP("):
            raise ScenarioError(
                [f"SQL: column {name!r} is a {kind}, which is not shown or written; "
                 f"select its keys and values (map_keys, map_values) or cast it to VARCHAR"]
            )  # fmt: skip
    return cols


def nested(kind: str) -> bool:
    """Whether a DuckDB type holds lists, structs or unions (CSV cannot write them)."""
    return kind.endswith("]") or kind.startswith(("STRUCT(", "UNION(", "MAP("))


def batches(cur, cols: list[tuple[str, str]], size: int = 100_000):
    """The result as Polars frames of at most ``size`` rows, streamed (never all at once)."""
    names = [n for n, _ in cols]
    while True:
        rows = cur.fetchmany(size)
        if not rows:
            return
        yield pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
        if len(rows) < size:
            return


def _q(p: Path) -> str:
    return str(p.resolve()).replace("'", "''")


def frames(path: str | Path) -> dict[str, pl.DataFrame]:
    """The store's views as Polars DataFrames."""
    con = open_store(path)
    names = {
        r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
    }
    return {t: fetch(con, f"select * from {t}") for t in ("runs", *TABLES) if t in names}


def fetch(con, sql: str) -> pl.DataFrame:
    """Run SQL and return a Polars DataFrame (no pyarrow needed)."""
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if not rows:
        return pl.DataFrame({c: [] for c in cols})
    return pl.DataFrame(rows, schema=cols, orient="row", infer_schema_length=None)
