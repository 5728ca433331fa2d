"""`query` reads a store and nothing else, writes nothing unless asked, shows a bounded number
of rows, and refuses in one line (exit 2) what it cannot do."""

import time

import pytest
from typer.testing import CliRunner

from treugolnik.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("q")
    p = tmp / "s.toml"
    p.write_text(
        'scenario = "kirov-small"\nseeds = [1]\n[overrides]\n"period.end" = 1928-11-30\n'
        '"factories.size" = 60\n'
    )
    r = runner.invoke(app, ["sweep", str(p), "--out", str(tmp / "store")])
    assert r.exit_code == 0, r.output
    return tmp / "store"


def _one_line(r, needle):
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert r.exit_code == 2 and len(lines) == 1 and needle in lines[0], r.output


@pytest.mark.parametrize(
    ("sql", "needle"),
    [
        ("", "no statement"),
        (";", "no statement"),
        ("select 1; select 2", "2 statements"),
        ("select 1 a, 2 a", "appears twice"),
        ("select map([1], [2]) m", "MAP"),
        ("select * from nosuchtable", "SQL:"),
    ],
)
def test_bad_queries_are_one_line(store, sql, needle):
    _one_line(runner.invoke(app, ["query", str(store), sql]), needle)


@pytest.mark.parametrize(
    "sql",
    [
        "copy (select 1) to '{tmp}/x.csv'",
        "copy (select * from runs) to '{store}/x.parquet'",
        "attach '{tmp}/db.duckdb' as d",
        "create table t as select 1",
        "export database '{tmp}/exp'",
        "install httpfs",
        "set enable_external_access = true",
        "select * from read_csv('/etc/passwd')",
        "select * from read_text('{store}/sweep.json')",
        "select * from glob('/*')",
    ],
)
def test_the_query_console_cannot_write_or_reach_beyond_the_store(store, tmp_path, sql):
    before = sorted(p.name for p in store.rglob("*"))
    r = runner.invoke(app, ["query", str(store), sql.format(tmp=tmp_path, store=store)])
    assert r.exit_code == 2, r.output
    assert list(tmp_path.iterdir()) == [] and sorted(p.name for p in store.rglob("*")) == before


def test_unsafe_opens_the_full_console(store, tmp_path):
    r = runner.invoke(
        app, ["query", str(store), f"copy (select 1 a) to '{tmp_path}/x.csv'", "--unsafe"]
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "x.csv").read_text().split() == ["a", "1"]


def test_files_out_are_refused_where_they_cannot_be_written(store, tmp_path):
    q = ["query", str(store)]
    r = runner.invoke(app, [*q, "select [1, 2] l", "--csv", str(tmp_path / "x.csv")])
    _one_line(r, "nested")
    r = runner.invoke(app, [*q, "select 1", "--csv", str(tmp_path / "no" / "x.csv")])
    _one_line(r, "does not exist")
    r = runner.invoke(app, [*q, "select 1", "--parquet", str(tmp_path)])
    _one_line(r, "is a folder")
    assert list(tmp_path.iterdir()) == []
    r = runner.invoke(app, [*q, "select [1, 2] l, 3 n", "--parquet", str(tmp_path / "x.parquet")])
    assert r.exit_code == 0 and (tmp_path / "x.parquet").is_file()
    r = runner.invoke(app, [*q, "select * from range(250000) t(i)", "--csv", str(tmp_path / "r")])
    assert r.exit_code == 0 and len((tmp_path / "r").read_text().splitlines()) == 250001
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r", "x.parquet"]


def test_what_is_shown_is_streamed_and_limited(store):
    t0 = time.perf_counter()
    r = runner.invoke(app, ["query", str(store), "select * from range(100000000) t(i)"])
    assert r.exit_code == 0 and "more than 50 rows" in r.output
    assert time.perf_counter() - t0 < 10
    r = runner.invoke(app, ["query", str(store), "select * from range(5) t(i)", "--limit", "3"])
    assert r.exit_code == 0 and "more than 3 rows" in r.output
    r = runner.invoke(app, ["query", str(store), "select count(*) n from metrics"])
    assert r.exit_code == 0 and "61" in r.output
