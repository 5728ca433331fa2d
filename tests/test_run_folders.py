"""Run folders as input: `report`, `validate` and `protocols` give one line and exit status 2
for a damaged, incomplete or older run folder, never a traceback."""

import json
import shutil

import polars as pl
import pytest
from typer.testing import CliRunner

from treugolnik.cli import app
from treugolnik.integrity import digest
from treugolnik.record import RECORD_CONTRACT

runner = CliRunner()
COMMANDS = (["report"], ["validate"], ["protocols"])


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "good"
    r = runner.invoke(
        app,
        ["run", "kirov-small", "-q", "--out", str(out), "--set", "period.end=1929-01-31",
         "--set", "factories.size=60"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    return out


def _copy(good, tmp_path):
    d = tmp_path / "run"
    shutil.copytree(good, d)
    return d


def _manifest(d, edit):
    man = json.loads((d / "run.json").read_text())
    edit(man)
    (d / "run.json").write_text(json.dumps(man))


def _refused_by_all(d, needle):
    for cmd in COMMANDS:
        r = runner.invoke(app, [*cmd, str(d)])
        lines = [x for x in r.output.splitlines() if x.strip()]
        assert r.exit_code == 2 and len(lines) == 1, (cmd, r.output)
        assert needle in lines[0], (cmd, lines[0])


def test_a_sound_run_has_its_contract_version(good):
    assert json.loads((good / "run.json").read_text())["record_contract"] == RECORD_CONTRACT
    assert runner.invoke(app, ["protocols", str(good)]).exit_code == 0


@pytest.mark.parametrize("name", ["metrics.parquet", "monthly.parquet", "events.parquet"])
def test_a_truncated_parquet_file(good, tmp_path, name):
    d = _copy(good, tmp_path)
    data = (d / name).read_bytes()
    (d / name).write_bytes(data[: len(data) // 3])
    _refused_by_all(d, "run.json says")
    # the size recorded to match: the reader itself finds the damage
    _manifest(d, lambda m: m["files"][name].update(digest(d / name)))
    for cmd in COMMANDS:
        r = runner.invoke(app, [*cmd, str(d)])
        if cmd == ["protocols"] and name != "events.parquet":
            continue  # (protocols read the event log only)
        if cmd == ["validate"] and name == "metrics.parquet":
            continue  # (validate reads monthly figures and events)
        assert r.exit_code == 2 and "cannot be read as Parquet" in r.output, (cmd, r.output)


def test_a_truncated_or_incomplete_run_json(good, tmp_path):
    d = _copy(good, tmp_path)
    text = (d / "run.json").read_text()
    (d / "run.json").write_text(text[: len(text) // 2])
    _refused_by_all(d, "not valid JSON")
    (d / "run.json").write_text(text)
    _manifest(d, lambda m: m.pop("scenario"))
    _refused_by_all(d, "no 'scenario'")
    (d / "run.json").write_text("[1, 2]")
    _refused_by_all(d, "not a run manifest")


def test_missing_columns_are_named(good, tmp_path):
    d = _copy(good, tmp_path)
    for name, col in (("monthly", "fulfilment"), ("events", "strength")):
        pl.read_parquet(d / f"{name}.parquet").drop(col).write_parquet(d / f"{name}.parquet")
        _manifest(d, lambda m, n=name: m["files"][f"{n}.parquet"].update(
            digest(d / f"{n}.parquet")))  # fmt: skip
    for cmd in COMMANDS:
        r = runner.invoke(app, [*cmd, str(d)])
        assert r.exit_code == 2 and "lacks column(s)" in r.output, (cmd, r.output)


def test_an_older_record_contract_is_refused_with_both_versions(good, tmp_path):
    d = _copy(good, tmp_path)
    _manifest(d, lambda m: m.pop("record_contract"))
    _refused_by_all(
        d, f"record contract 1; this version of treugolnik reads contract {RECORD_CONTRACT}"
    )


def test_not_a_folder(tmp_path):
    _refused_by_all(tmp_path / "nothing", "no such folder")
    (tmp_path / "f").write_text("x")
    _refused_by_all(tmp_path / "f", "is a file")
