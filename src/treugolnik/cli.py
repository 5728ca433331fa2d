"""The ``treugolnik`` command line (Typer + Rich).

User errors (bad scenario, parameter, override, path) print one line per problem and exit
with status 2; internal errors exit with status 1.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .scenario.load import ScenarioError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="treugolnik: Bolshevik bargaining in Soviet industry, 1928-1941.",
)
out = Console(width=None if sys.stdout.isatty() else 100)
err = Console(stderr=True)


def _fail(lines: list[str], code: int = 2) -> None:
    for line in lines:
        sys.stderr.write(f"error: {line}\n")
    raise typer.Exit(code)


@app.command()
def scenarios() -> None:
    """List the bundled scenarios."""
    from .scenario.load import bundled_names, load_scenario

    table = Table("name", "period", "description")
    for name in bundled_names():
        s = load_scenario(name)
        table.add_row(name, f"{s.period.start} .. {s.period.end}", s.description)
    out.print(table)


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="bundled name or path to a TOML file")] = "kirov",
    regime: Annotated[str | None, typer.Option(help="bargaining | despotism | niche")] = None,
    seed: Annotated[int | None, typer.Option(help="root random seed")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="KEY=VALUE override")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="output folder")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress, no summary")] = False,
    plan: Annotated[bool, typer.Option("--plan", help="print the daily order and exit")] = False,
    profile: Annotated[bool, typer.Option("--profile", help="CPU time per mechanism")] = False,
    by_factory: Annotated[
        bool, typer.Option("--by-factory", help="one row per day and factory")
    ] = False,
) -> None:
    """Run a scenario and write run.json, metrics/monthly/events.parquet."""
    from .engine import PLAN, simulate
    from .scenario.load import load_scenario

    if plan:
        table = Table("#", "step", "when", "what", title="The daily order")
        for i, (name, when, what) in enumerate(PLAN, 1):
            table.add_row(str(i), name, when, what)
        out.print(table)
        return
    if seed is not None and seed < 0:
        _fail([f"--seed: must be a non-negative integer (got {seed})"])
    try:
        scen = load_scenario(scenario, regime=regime, seed=seed, sets=set_ or [])
    except ScenarioError as e:
        _fail(e.problems)
    target = out_dir or Path("runs") / f"{scen.name}-{scen.regime}-{scen.seed}"
    if target.exists() and not target.is_dir():
        _fail([f"--out {target}: exists and is not a folder"])
    show = not quiet and sys.stderr.isatty()
    if show:
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} days"),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task(f"{scen.name} ({scen.regime}, seed {scen.seed})", total=1)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            res = simulate(scen, progress=progress, by_factory=by_factory)
    else:
        res = simulate(scen, by_factory=by_factory)
    res.save(target)
    if not quiet:
        _summary(res, target)
    if profile:
        total = sum(res.profile.values()) or 1.0
        table = Table("step", "seconds", "share", title="CPU time per step")
        for name, secs in sorted(res.profile.items(), key=lambda kv: -kv[1]):
            table.add_row(name, f"{secs:.3f}", f"{secs / total:.0%}")
        out.print(table)


def _summary(res, target: Path) -> None:
    import polars as pl

    m = res.monthly
    table = Table(
        "month",
        "employees",
        "fulfil",
        "turnover",
        "absent",
        "real pay",
        "members",
        "accus./yr",
        title=f"{res.scenario.name} | {res.scenario.regime} | seed {res.scenario.seed}",
    )
    months = m["month"].to_list()
    wanted = [dt.date(y, 1, 1) for y in (1929, 1930, 1932, 1934, 1937, 1938, 1940, 1941)]
    picks = [d for d in wanted if d in months] + [months[-1]]
    for d in dict.fromkeys(picks):
        row = m.filter(pl.col("month") == d).row(0, named=True)
        year = m.filter(pl.col("month").dt.year() == d.year)
        table.add_row(
            str(d),
            f"{row['headcount']:,}",
            f"{row['fulfilment']:.0%}",
            f"{row['turnover_rate']:.2f}",
            f"{row['absence_rate']:.1%}",
            f"{row['pay_real']:.2f}",
            f"{row['party_members']:,}",
            f"{int(year['accusations'].sum())}",
        )
    out.print(table)
    man = res.manifest
    out.print(
        f"{man['wall_seconds']:.1f} s, {man['worker_days']:.3g} worker-days "
        f"({man['worker_days_per_second']:.3g}/s), {man['events']:,} events -> {target}/"
    )


@app.command()
def protocols(
    run_dir: Annotated[Path, typer.Argument(help="a run folder with events.parquet")],
    factory: Annotated[int | None, typer.Option(help="only this factory")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD")] = None,
    limit: Annotated[int | None, typer.Option(help="at most N meetings")] = None,
) -> None:
    """Print PPO meetings from a run's event log as party minutes."""
    import polars as pl

    from .protocols import render_protocols

    path = run_dir / "events.parquet"
    if not path.is_file():
        _fail([f"{run_dir}: no events.parquet here (run `treugolnik run` first)"])
    dates = {}
    for label, value in (("--from", date_from), ("--to", date_to)):
        if value is not None:
            try:
                dates[label] = dt.date.fromisoformat(value)
            except ValueError:
                _fail([f"{label}: {value!r} is not a date YYYY-MM-DD"])
    if limit is not None and limit < 1:
        _fail([f"--limit: must be at least 1 (got {limit})"])
    try:
        events = pl.read_parquet(path)
    except Exception as e:  # noqa: BLE001 - a corrupt file is a user-facing error
        _fail([f"{path}: cannot read the event log ({e.__class__.__name__})"])
    text = render_protocols(
        events,
        factory=factory,
        date_from=dates.get("--from"),
        date_to=dates.get("--to"),
        limit=limit,
    )
    sys.stdout.write(text)


def main() -> None:
    """Console entry point."""
    try:
        app()
    except ScenarioError as e:  # raised outside a command's own handling
        for line in e.problems:
            print(f"error: {line}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
