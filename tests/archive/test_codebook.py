"""The codebook's checks: the synthetic archive passes; a bad row is refused with one line
naming its file, row and field, exit 2; nothing is corrected.
"""

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from treugolnik.archive import read_archive
from treugolnik.archive.codebook import check_date

SYNTHETIC = Path(__file__).parents[2] / "data" / "archive" / "synthetic"
SAMPLE = Path(__file__).parents[2] / "data" / "archive" / "sample"


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "treugolnik.cli", "archive", *args],
                          capture_output=True, text=True)  # fmt: skip


def _edit(folder: Path, file: str, row_id: str, **cells):
    path = folder / file
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        if r[next(iter(r))] == row_id:
            r.update(cells)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def test_the_synthetic_archive_passes():
    proc = _cli("check", str(SYNTHETIC))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok:")


def test_the_published_sample_passes_and_cites_its_works():
    proc = _cli("check", str(SAMPLE))
    assert proc.returncode == 0, proc.stderr
    arc, problems = read_archive(SAMPLE)
    assert problems == []
    for name, df in arc.frames.items():
        if df.height:  # a sample row stands on a published work, never on an archive seen
            assert (df["published"].str.len_chars() > 0).all(), name
            assert (df["fond"] == "").all(), name


def test_a_sample_copy_with_a_misspelt_role_and_an_early_date_is_refused(tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(SAMPLE, bad)
    _edit(bad, "meetings.csv", "M2", date="1926")
    with open(bad / "speeches.csv", encoding="utf-8") as fh:
        first_speech = next(csv.DictReader(fh))
    _edit(bad, "speeches.csv", first_speech["speech_id"], role="Worker")
    proc = _cli("check", str(bad))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2, lines
    assert any("meetings.csv, row 3, field date" in x for x in lines)
    assert any("speeches.csv, row 2, field role" in x for x in lines)


@pytest.mark.parametrize(
    "file, row_id, cells, row, field",
    [
        ("speeches.csv", "S2", {"role": "Specialist"}, 3, "role"),
        ("speeches.csv", "S1", {"side": "worker"}, 2, "side"),
        ("meetings.csv", "M3", {"date": "1927-05-01"}, 4, "date"),
        ("meetings.csv", "M1", {"date": "1942"}, 2, "date"),
        ("meetings.csv", "M2", {"date": "1932-13"}, 3, "date"),
        ("items.csv", "I4", {"delo": ""}, 5, "delo"),
        ("accusations.csv", "A1", {"charge": "wrecking"}, 2, "charge"),
        ("investigations.csv", "V2", {"accusation_id": "A9"}, 3, "accusation_id"),
        ("resolutions.csv", "R1", {"carried_2": "both"}, 2, "carried_2"),
        ("resolutions.csv", "R2", {"charge_upheld": ""}, 3, "charge_upheld"),
        ("meetings.csv", "M5", {"form": "ppo"}, 6, "form"),
    ],
)
def test_a_bad_row_is_one_line_exit_2(tmp_path, file, row_id, cells, row, field):
    bad = tmp_path / "bad"
    shutil.copytree(SYNTHETIC, bad)
    _edit(bad, file, row_id, **cells)
    proc = _cli("check", str(bad))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {bad / file}, row {row}, field {field}: "), lines[0]
    assert "Traceback" not in proc.stderr


def test_published_work_stands_for_the_archival_reference(tmp_path):
    ok = tmp_path / "ok"
    shutil.copytree(SYNTHETIC, ok)
    _edit(ok, "items.csv", "I4", fond="", opis="", delo="", list="",
          published="(a published work), p. 12")  # fmt: skip
    assert read_archive(ok)[1] == []


def test_unknown_and_missing_columns_are_problems(tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(SYNTHETIC, bad)
    text = (bad / "items.csv").read_text().replace("topic_2", "topik_2", 1)
    (bad / "items.csv").write_text(text)
    (bad / "meetings.csv").unlink()
    _, problems = read_archive(bad)
    assert any("meetings.csv: missing" in p for p in problems)
    assert any("items.csv, row 1, field topik_2: not a column" in p for p in problems)


def test_partial_dates():
    assert check_date("1937") is None and check_date("1937-05") is None
    assert check_date("1937-05-31") is None
    assert "not a date" in check_date("31.05.1937")
    assert "calendar" in check_date("1937-02-30")
    assert "outside" in check_date("1945-05")


def test_init_writes_a_blank_archive_that_checks_and_lists_every_code(tmp_path):
    from treugolnik.archive.codebook import LEVELS

    out = tmp_path / "minutes"
    proc = _cli("init", str(out))
    assert proc.returncode == 0, proc.stderr
    for level in LEVELS.values():
        with open(out / level.file, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert rows == [level.header()]  # the header only
    codes = (out / "codes.md").read_text(encoding="utf-8")
    for level in LEVELS.values():
        for col, kind in level.columns.items():
            assert f"- {col}:" in codes
            if not isinstance(kind, str):
                assert all(v in codes for v in kind if v)
    assert _cli("check", str(out)).returncode == 0
    again = _cli("init", str(out))  # not over a folder that holds files
    assert again.returncode == 2 and again.stderr.count("\n") == 1
