"""An offline HTML report of one or more runs: figures inline as SVG, captions, protocols.

>>> from treugolnik.report import write_report         # doctest: +SKIP
>>> write_report(["runs/kirov-bargaining-1"], out="report.html", figures_dir="fig")

Runs of the same regime and counterfactual switches are grouped (median and band over seeds);
different groups are overlaid with a legend. The file loads nothing from the network.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import os
from pathlib import Path

import polars as pl

from ..protocols import render_protocols
from ..scenario.load import ScenarioError
from .figures import FIGURES, Run

KEY_MONTHS = (dt.date(1930, 3, 1), dt.date(1937, 3, 1), dt.date(1940, 7, 1))


def load_runs(dirs: list[str | Path]) -> list[Run]:
    """Load run folders; raises ScenarioError naming the folder or file and what is wrong."""
    from ..integrity import read_run

    runs = []
    for d in map(Path, dirs):
        try:
            man, frames = read_run(d)
        except ValueError as e:
            raise ScenarioError([str(e)]) from None
        cf = [k for k, v in man["scenario"]["counterfactual"].items() if v]
        label = man["regime"] + "".join(f" + {k}" for k in cf)
        metrics = frames["metrics"]
        if "factory" in metrics.columns:  # per-factory rows: add up to the plant total
            metrics = metrics.group_by("date", maintain_order=True).agg(
                pl.exclude("date", "factory").sum()
            )
        runs.append(
            Run(
                label,
                int(man["seed"]),
                metrics,
                frames["monthly"],
                frames["events"],
                man,
            )
        )
    return runs


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    text = buf.getvalue()
    return text[text.index("<svg") :]


def write_report(
    dirs: list[str | Path], out: str | Path | None = None, figures_dir: str | Path | None = None
) -> Path:
    """Write the report; returns its path (default: ``report.html`` in the first folder)."""
    import matplotlib.pyplot as plt

    from .. import __version__

    runs = load_runs(dirs)
    groups: dict[str, list[Run]] = {}
    for r in runs:
        groups.setdefault(r.label, []).append(r)
    target = Path(out) if out else Path(dirs[0]) / "report.html"
    fig_dir = Path(figures_dir) if figures_dir else None
    if fig_dir:
        fig_dir.mkdir(parents=True, exist_ok=True)
    blocks = []
    for n, (name, fn) in enumerate(FIGURES, 1):
        fig, caption = fn(groups)
        blocks.append(
            f'<figure id="{name}">{_svg(fig)}<figcaption><b>Figure {n}.</b> '
            f"{html.escape(caption)}</figcaption></figure>"
        )
        if fig_dir:
            fig.savefig(fig_dir / f"{name}.svg")
            fig.savefig(fig_dir / f"{name}.pdf")
        plt.close(fig)
    first = runs[0]
    scen = first.manifest["scenario"]
    header_rows = "".join(
        f"<tr><td>{html.escape(r.label)}</td><td>{r.seed}</td>"
        f"<td>{html.escape(str(r.manifest.get('wall_seconds')))} s</td>"
        f"<td><code>{html.escape(r.manifest.get('scenario_sha256', '')[:12])}</code></td></tr>"
        for r in runs
    )
    protocols = []
    for month in KEY_MONTHS:
        text = render_protocols(
            first.events, date_from=month, date_to=month + dt.timedelta(days=30), limit=1
        )
        if not text.startswith("No meetings"):
            protocols.append(f"<h3>{month.strftime('%B %Y')}</h3><pre>{html.escape(text)}</pre>")
    manifest = html.escape(json.dumps(first.manifest, indent=1, default=str))
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>treugolnik report: {html.escape(scen["name"])}</title>
<style>
body {{ font-family: Georgia, serif; max-width: 60rem; margin: 2rem auto; color: #1f2937;
       line-height: 1.45; padding: 0 1rem; }}
h1 {{ color: #8b1a1a; }} figure {{ margin: 2rem 0; }} svg {{ max-width: 100%; height: auto; }}
figcaption {{ font-size: 0.9rem; }} table {{ border-collapse: collapse; font-size: 0.9rem; }}
td, th {{ border: 1px solid #d1d5db; padding: 0.2rem 0.5rem; }}
pre {{ font-size: 0.75rem; background: #f9fafb; padding: 0.6rem; overflow-x: auto; }}
details summary {{ cursor: pointer; }}
</style></head><body>
<h1>treugolnik: {html.escape(scen["name"])}</h1>
<p>{html.escape(scen.get("description", ""))}<br>
Period {html.escape(scen["period"]["start"])} to {html.escape(scen["period"]["end"])};
treugolnik {html.escape(__version__)}; {len(runs)} run(s) in {len(groups)} group(s):
{html.escape(", ".join(groups))}.</p>
<table><tr><th>group</th><th>seed</th><th>wall time</th><th>scenario sha256</th></tr>
{header_rows}</table>
<details><summary>Manifest of the first run</summary><pre>{manifest}</pre></details>
{"".join(blocks)}
<h2>Protocol excerpts</h2>
<p>The first general meeting of the PPO in three key months of the first run, printed from its
event log (<code>treugolnik protocols</code>).</p>
{"".join(protocols)}
</body></html>
"""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return target
