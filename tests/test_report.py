import re

from typer.testing import CliRunner

from treugolnik.cli import app

runner = CliRunner()


def make_run(tmp_path, name, *sets):
    out = tmp_path / name
    r = runner.invoke(
        app,
        ["run", "kirov-small", "--out", str(out), "-q", "--set", "period.end=1931-06-30", *sets],
    )
    assert r.exit_code == 0, r.output
    return out


def test_report_is_offline_with_figures_and_captions(tmp_path):
    a = make_run(tmp_path, "a")
    r = runner.invoke(app, ["report", str(a), "--figures", str(tmp_path / "fig")])
    assert r.exit_code == 0, r.output
    page = (a / "report.html").read_text()
    figures = re.findall(r"<figure id=\"(\w+)\"><svg", page)
    captions = re.findall(r"<figcaption><b>Figure \d+\.</b> [^<]{40,}</figcaption>", page)
    assert len(figures) >= 8 and len(captions) == len(figures)
    # nothing fetched from the network: no external src/href, no scripts
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert "<script" not in page
    assert re.search(r"PROTOCOL No. \d+ of the general meeting of the", page)
    assert len(list((tmp_path / "fig").glob("*.svg"))) == len(figures)
    assert len(list((tmp_path / "fig").glob("*.pdf"))) == len(figures)


def test_report_groups_seeds_and_overlays_counterfactuals(tmp_path):
    runs = [make_run(tmp_path, f"s{k}", "--seed", str(k)) for k in (1, 2)]
    runs.append(make_run(tmp_path, "cf", "--set", "counterfactual.no_institutions=true"))
    out = tmp_path / "cmp.html"
    r = runner.invoke(app, ["report", *map(str, runs), "--out", str(out)])
    assert r.exit_code == 0, r.output
    page = out.read_text()
    assert "2 group(s)" in page and "bargaining + no_institutions" in page
    assert "medians over 2 runs" in page


def test_report_rejects_non_run_folder(tmp_path):
    assert runner.invoke(app, ["report", str(tmp_path)]).exit_code == 2
