"""The ``treugolnik`` command line (Typer + Rich).

User errors (bad scenario, parameter, override, path) print one line per problem and exit
with status 2; internal errors exit with status 1.
"""

from __future__ import annotations

import datetime as dt
import os
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
        # one problem, one line: control characters from the input are shown escaped
        line = "".join(ch if ch >= " " or ch == "\t" else repr(ch)[1:-1] for ch in str(line))
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
    checkpoint_at: Annotated[
        list[str] | None,
        typer.Option(
            "--checkpoint-at",
            help="YYYY-MM-DD: write the run's state at the start of that day to "
            "OUT/checkpoint-DATE/ (repeatable); the run goes on",
        ),
    ] = None,
    from_checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--from-checkpoint",
            help="continue from a checkpoint folder (--set may change parameters and "
            "counterfactuals from its date on)",
        ),
    ] = None,
    profile: Annotated[
        bool, typer.Option("--profile", help="wall time per step (runs day by day; same results)")
    ] = False,
    by_factory: Annotated[
        bool, typer.Option("--by-factory", help="one row per day and factory")
    ] = False,
    threads: Annotated[
        int | None,
        typer.Option(
            help="threads for the daily passes (default: TREUGOLNIK_THREADS or all cores; two "
            "carry labour and production from 2,000 people); results are the same for any number",
        ),
    ] = None,
) -> None:
    """Run a scenario and write run.json, metrics/monthly/events.parquet."""
    from .scenario.load import load_scenario

    if plan:
        from .plan import PLAN, describe

        table = Table(
            "#", "step", "when", "what", "reads", "writes", "stream", "compiled runs",
            title="The day, step by step (the plan the engine runs)",
        )  # fmt: skip
        for i, (step, row) in enumerate(zip(PLAN, describe(), strict=True), 1):
            name, when, reads, writes, stream, quiet = row
            table.add_row(str(i), name, when, step.doc, reads, writes, stream, quiet)
        out.print(table)
        return
    if seed is not None and seed < 0:
        _fail([f"--seed: must be a non-negative integer (got {seed})"])
    if threads is not None and threads < 1:
        _fail([f"--threads: must be a whole number of threads, at least 1 (got {threads})"])
    dates = []
    for text in checkpoint_at or []:
        try:
            dates.append(dt.date.fromisoformat(text))
        except ValueError:
            _fail([f"--checkpoint-at: {text!r} is not a date (YYYY-MM-DD)"])
    sim = None
    try:
        if from_checkpoint is not None:
            from .checkpoint import resume as resume_from
            from .passes import Passes

            if regime is not None or seed is not None:
                _fail(["--from-checkpoint: the regime and seed are the checkpoint's"])
            sim = resume_from(
                from_checkpoint, set_ or [], by_factory=by_factory, step_by_step=profile,
                passes=Passes(threads=threads) if threads is not None else None,
            )  # fmt: skip
            scen = sim.s
        else:
            scen = load_scenario(scenario, regime=regime, seed=seed, sets=set_ or [])
    except ScenarioError as e:
        _fail(e.problems)
    name = f"{scen.name}-{scen.regime}-{scen.seed}"
    if sim is not None:
        name += f"-from-{sim.dates[sim.start].isoformat()}"
    target = out_dir or Path("runs") / name
    _check_out(target)
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

            res = _interruptible(_go, sim, scen, dates, target, progress, by_factory, threads,
                                 profile)  # fmt: skip
    else:
        res = _interruptible(_go, sim, scen, dates, target, None, by_factory, threads, profile)
    res.save(target)
    if not quiet:
        _summary(res, target)
    if profile:
        total = sum(res.profile.values()) or 1.0
        table = Table("step", "seconds", "share", title="Wall time per step")
        for name, secs in sorted(res.profile.items(), key=lambda kv: -kv[1]):
            table.add_row(name, f"{secs:.3f}", f"{secs / total:.0%}")
        out.print(table)


def _check_out(target: Path) -> None:
    """Refuse, before anything runs, an output folder that cannot be made: a file on its
    path, a path too long or with a NUL, no permission to write.
    """
    try:
        probe = target
        while not probe.exists() and probe.parent != probe:
            probe = probe.parent
        if not probe.is_dir():
            _fail([f"--out {target}: {probe} is a file, not a folder"])
        if not os.access(probe, os.W_OK):
            _fail([f"--out {target}: {probe} is not writable"])
        os.stat(probe)  # (a NUL or an overlong name raises here)
        if len(str(target)) > 1024 or any(len(p) > 255 for p in target.parts):
            _fail([f"--out {str(target)[:80]}...: the path is too long"])
    except (OSError, ValueError) as e:
        _fail([f"--out {str(target)[:200]}: {e}"])


def _go(sim, scen, dates, target, progress, by_factory, threads, profile):
    """Run a scenario (or continue ``sim``, resumed from a checkpoint)."""
    from .engine import simulate

    if sim is not None:
        sim.checkpoint_at, sim.checkpoint_dir = dates, str(target)
        sim.release_at_end = True
        return sim.run(progress)
    return simulate(
        scen, progress=progress, by_factory=by_factory, threads=threads, step_by_step=profile,
        checkpoint_at=dates, checkpoint_dir=str(target),
    )  # fmt: skip


def _interruptible(fn, *args, **kwargs):
    """Run ``fn``; on Ctrl-C say so and exit 130 (nothing has been written yet); a bad data
    file found at start-up (the timeline) is a user error (exit 2).
    """
    try:
        return fn(*args, **kwargs)
    except ScenarioError as e:
        _fail(e.problems)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted: nothing written\n")
        raise typer.Exit(130) from None
    except MemoryError:
        _fail(["the scenario's population does not fit in this machine's memory "
               "(make factories.count or factories.size smaller); nothing written"])  # fmt: skip


def _num(value, spec: str) -> str:
    """A number as ``spec``, or "-" where the record has none (a rate with no base)."""
    return "-" if value is None else format(value, spec)


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
            _num(row["fulfilment"], ".0%"),
            _num(row["turnover_rate"], ".2f"),
            _num(row["absence_rate"], ".1%"),
            _num(row["pay_real"], ".2f"),
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
    from .protocols import render_protocols

    dates = {}
    for label, value in (("--from", date_from), ("--to", date_to)):
        if value is not None:
            try:
                dates[label] = dt.date.fromisoformat(value)
            except ValueError:
                _fail([f"{label}: {value!r} is not a date YYYY-MM-DD"])
    if limit is not None and limit < 1:
        _fail([f"--limit: must be at least 1 (got {limit})"])
    from .integrity import read_run

    try:
        events = read_run(run_dir, tables=("events",))[1]["events"]
    except ValueError as e:
        _fail([str(e)])
    text = render_protocols(
        events,
        factory=factory,
        date_from=dates.get("--from"),
        date_to=dates.get("--to"),
        limit=limit,
    )
    sys.stdout.write(text)


def _progress_bar(total: int, label: str):
    """A Rich progress bar on stderr when it is a terminal, else a no-op."""
    from contextlib import nullcontext

    if not sys.stderr.isatty():
        return nullcontext(lambda: None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    class _Bar:
        def __enter__(self):
            self.p = Progress(
                TextColumn(label), BarColumn(), MofNCompleteColumn(), console=err, transient=True
            )
            self.p.__enter__()
            self.task = self.p.add_task(label, total=total)
            return lambda: self.p.advance(self.task)

        def __exit__(self, *exc):
            return self.p.__exit__(*exc)

    return _Bar()


def _pattern_table(results, title: str) -> Table:
    table = Table(
        "pattern", "expected", "simulated (median [min, max])", "pass", title=title, show_lines=True
    )
    for r in results:
        mark = "[green]pass[/green]" if r.passed else "[red]FAIL[/red]"
        table.add_row(r.pattern.name, r.pattern.expected, r.simulated_text(), mark)
    return table


@app.command()
def validate(
    run_dirs: Annotated[list[Path] | None, typer.Argument(help="run folders to check")] = None,
    scenario: Annotated[str | None, typer.Option(help="run this scenario instead")] = None,
    regime: Annotated[str, typer.Option(help="bargaining | despotism | niche")] = "bargaining",
    runs: Annotated[int, typer.Option(help="seeds 1..N (with --scenario)")] = 3,
    set_: Annotated[list[str] | None, typer.Option("--set", help="KEY=VALUE override")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="write results as JSON")] = None,
) -> None:
    """Check runs against the historical patterns, imposed and emergent apart.

    Every pattern is also checked on runs with its driving input made neutral (same seeds):
    those that still pass are emergent, those that fail imposed; only emergent passes count
    as evidence. Shape checks carry a placebo over random dates.
    """
    from .analysis.validate import (
        classification_json,
        classification_summary,
        classification_tables,
        classify,
        load_run,
        neutral_run_count,
        pair_counterfactuals,
        simulate_views,
        write_json,
    )

    if not run_dirs and scenario is None:
        _fail(["validate: give run folders or --scenario NAME"])
    if runs < 1:
        _fail([f"--runs: must be at least 1 (got {runs})"])
    try:
        if run_dirs:
            base, cfs = pair_counterfactuals([load_run(_checked_run(d)) for d in run_dirs])
            if not base:
                _fail(["validate: every folder given is a no_institutions counterfactual"])
            title = f"{len(base)} run(s) from folders"
        else:
            load_scenario_checked(scenario, regime, set_)
            with _progress_bar(2 * runs, f"{scenario} {regime}") as tick:
                base, cfs = simulate_views(
                    scenario, regime, list(range(1, runs + 1)), set_, progress=tick
                )
            title = f"{scenario} | {regime} | seeds 1-{runs}"
        with _progress_bar(neutral_run_count(base, cfs), "neutral inputs") as tick:
            classified = classify(base, cfs, progress=tick)
    except ScenarioError as e:
        _fail(e.problems)
    for table in classification_tables(classified, title):
        out.print(table)
    for line in classification_summary(classified):
        out.print(line)
    passed = sum(c.result.passed for c in classified)
    out.print(f"{passed} of {len(classified)} patterns pass (imposed or emergent).")
    if json_out is not None:
        write_json(json_out, classification_json(classified, title))


def _checked_run(folder: Path) -> Path:
    """``folder``, once it reads as a sound run folder of this record contract (else one line
    naming what is wrong: ScenarioError).
    """
    from .integrity import read_run

    try:
        read_run(folder, tables=("monthly", "events"))
    except ValueError as e:
        raise ScenarioError([str(e)]) from None
    return folder


def load_scenario_checked(scenario: str, regime: str, sets: list[str] | None):
    """Load once to surface user errors before any work starts."""
    from .scenario.load import load_scenario

    return load_scenario(scenario, regime=regime, sets=sets or [])


# the options of a coded archive's observation, shared by compare and calibrate (defaults: the
# power study's low-noise setting, analysis.evidence.NOISE)
SpeechRate = Annotated[
    float, typer.Option(help="with --archive: share of speeches the minutes record")
]
Confusion = Annotated[
    float, typer.Option(help="with --archive: rate at which sides and frames are misread")
]
OutcomeRate = Annotated[
    float, typer.Option(help="with --archive: share of resolutions whose fulfilment shows")
]


def _coded_archive(archive: Path, speech_rate, confusion, outcome_rate, problems=()):
    """The coded archive of ``--archive``, once the observation's options and ``problems``
    (further option problems, without the dashes) are clean: else one line each, exit 2.
    """
    from .archive import Observation

    problems = Observation(
        speech_rate=speech_rate, confusion=confusion, outcome_rate=outcome_rate
    ).problems() + list(problems)
    if problems:
        _fail([f"--{p}" for p in problems])
    if not archive.is_dir():
        _fail([f"--archive {archive}: not a folder of coded minutes"])
    return _archive_of(archive)


@app.command()
def compare(
    scenario: Annotated[str, typer.Argument(help="bundled name or TOML path")] = "kirov",
    runs: Annotated[int, typer.Option(help="seeds 1..N per regime")] = 3,
    set_: Annotated[list[str] | None, typer.Option("--set", help="KEY=VALUE override")] = None,
    db: Annotated[Path | None, typer.Option(help="pyabc model-selection database")] = None,
    archive: Annotated[
        Path | None, typer.Option(help="coded minutes (docs/ARCHIVE.md) as further evidence")
    ] = None,
    draws: Annotated[int, typer.Option(help="with --archive: reference draws per reading")] = 100,
    speech_rate: SpeechRate = 0.8,
    confusion: Confusion = 0.05,
    outcome_rate: OutcomeRate = 0.5,
    workers: Annotated[int, typer.Option(help="with --archive: processes")] = 1,
    json_out: Annotated[Path | None, typer.Option("--json", help="write results as JSON")] = None,
) -> None:
    """Run the three regimes side by side and say which reproduces which pattern.

    With --archive, also the posterior probability of the readings (ABC random forests,
    docs/EVIDENCE.md) on the aggregate series alone and with the coded minutes.
    """
    from .analysis.compare import compare_regimes, model_probabilities, verdict
    from .analysis.validate import write_json
    from .scenario.schema import REGIMES

    if runs < 1:
        _fail([f"--runs: must be at least 1 (got {runs})"])
    if db is not None and not db.is_file():
        _fail([f"--db {db}: no such file"])
    arc = None
    if archive is not None:
        from .analysis.evidence import _sklearn

        bad = [f"--draws: at least 5 (got {draws})"] if draws < 5 else []
        bad += [f"--workers: at least 1 (got {workers})"] if workers < 1 else []
        if bad:
            _fail(bad)
        try:
            _sklearn()
        except ScenarioError as e:
            _fail(e.problems)
        arc = _coded_archive(archive, speech_rate, confusion, outcome_rate)
    try:
        for regime in REGIMES:
            load_scenario_checked(scenario, regime, set_)
        with _progress_bar(2 * runs * len(REGIMES), f"{scenario}: 3 regimes") as tick:
            table = compare_regimes(scenario, list(range(1, runs + 1)), set_, progress=tick)
    except ScenarioError as e:
        _fail(e.problems)
    grid = Table(
        "pattern",
        *REGIMES,
        title=f"{scenario}: regimes against the evidence (seeds 1-{runs})",
        show_lines=True,
    )
    for name, row in table.items():
        cells = []
        for regime in REGIMES:
            r = row[regime]
            mark = "[green]pass[/green]" if r.passed else "[red]fail[/red]"
            cells.append(f"{mark}\n{r.simulated_text()}")
        grid.add_row(name, *cells)
    out.print(grid)
    for line in verdict(table):
        out.print(line)
    probs = None
    if db is not None:
        try:
            probs = model_probabilities(db)
        except ScenarioError as e:
            _fail(e.problems)
        out.print(
            "Posterior model probabilities (pyabc, last population): "
            + ", ".join(f"{k} {v:.2f}" for k, v in probs.items())
        )
    else:
        out.print(
            "Posterior model probabilities (pyabc): give --db from `treugolnik calibrate "
            "--model-selection` to print them."
        )
    choice = None
    if arc is not None:
        from .analysis.evidence import choose_with_archive

        try:
            with _progress_bar(3 * draws, f"{scenario}: reference draws") as tick:
                choice = choose_with_archive(
                    scenario, arc, per_model=draws, workers=workers, speech_rate=speech_rate,
                    confusion=confusion, outcome_rate=outcome_rate, sets=set_, progress=tick,
                )  # fmt: skip
        except ScenarioError as e:
            _fail(e.problems)
        _print_choice(choice, archive, draws)
    if json_out is not None:
        write_json(
            json_out,
            {
                "patterns": {
                    n: {g: r.as_json() for g, r in row.items()} for n, row in table.items()
                },
                "model_probabilities": probs,
                "archive": None if choice is None else {"path": str(archive), **choice},
            },
        )


def _print_choice(choice: dict, archive: Path, draws: int) -> None:
    from .scenario.schema import REGIMES

    o = choice["observation"]
    table = Table(
        "evidence",
        "reading chosen",
        "posterior probability",
        *(f"votes {g}" for g in REGIMES),
        "prior error",
        title=f"ABC random forests ({3 * draws} draws; runs observed as {archive} was "
        f"coded: {o['meetings']} meetings, {', '.join(choice['groups'])})",
    )
    for label, key in (("aggregate series", "without_archive"),
                       ("series + coded minutes", "with_archive")):  # fmt: skip
        r = choice[key]
        table.add_row(
            label,
            r["reading"],
            f"{r['probability']:.2f}",
            *(f"{r['votes'][g]:.2f}" for g in REGIMES),
            f"{r['oob_error']:.2f}",
        )
    out.print(table)
    share = choice["with_archive"]["importance_by_source"].get("archive", 0.0)
    out.print(f"The coded minutes carry {share:.0%} of the forest's importance (the forest weighs "
              "each statistic by what it tells; votes are not probabilities; prior error: the "
              "forest's out-of-bag error over the reference draws).", markup=False,
              highlight=False)  # fmt: skip


@app.command()
def calibrate(
    scenario: Annotated[str, typer.Argument(help="bundled name or TOML path")] = "kirov",
    regime: Annotated[str, typer.Option(help="bargaining | despotism | niche")] = "bargaining",
    populations: Annotated[int, typer.Option(help="ABC-SMC populations")] = 4,
    particles: Annotated[int, typer.Option(help="particles per population")] = 40,
    db: Annotated[Path, typer.Option(help="pyabc database (resumed if it exists)")] = Path(
        "calibration.db"
    ),
    out_dir: Annotated[Path, typer.Option("--out", help="posterior summary and figure")] = Path(
        "calibration"
    ),
    model_selection: Annotated[bool, typer.Option(help="fit the three regimes at once")] = False,
    sampler: Annotated[str, typer.Option(help="local | dask")] = "local",
    workers: Annotated[int, typer.Option(help="local processes or dask workers")] = 1,
    scheduler: Annotated[str | None, typer.Option(help="dask scheduler tcp://HOST:PORT")] = None,
    quick: Annotated[bool, typer.Option(help="kirov-small to 1933, 2 x 6: a smoke test")] = False,
    set_: Annotated[list[str] | None, typer.Option("--set", help="KEY=VALUE override")] = None,
    seed: Annotated[int, typer.Option(help="seed of the sampler")] = 1,
    archive: Annotated[
        Path | None, typer.Option(help="coded minutes (docs/ARCHIVE.md) as a further target")
    ] = None,
    archive_weight: Annotated[
        float, typer.Option(help="with --archive: the minutes' weight in the distance, 0..1")
    ] = 0.5,
    speech_rate: SpeechRate = 0.8,
    confusion: Confusion = 0.05,
    outcome_rate: OutcomeRate = 0.5,
) -> None:
    """Fit the free parameters of a regime to the historical figures (ABC-SMC, pyabc).

    With --archive, coded minutes join the targets (docs/EVIDENCE.md): compare the posterior
    with that of the same command without it.
    """
    from .analysis.calibrate import calibrate as run_calibration

    if sampler not in ("local", "dask"):
        _fail([f"--sampler: {sampler!r} is not one of local, dask"])
    if populations < 1 or particles < 2 or workers < 1:
        _fail(["--populations >= 1, --particles >= 2, --workers >= 1"])
    sets = list(set_ or [])
    arc = None
    if archive is not None:
        weight = [] if 0.0 <= archive_weight <= 1.0 else [
            f"archive-weight: must lie in 0..1 (got {archive_weight})"
        ]  # fmt: skip
        arc = _coded_archive(archive, speech_rate, confusion, outcome_rate, weight)
    elif archive_weight != 0.5 or speech_rate != 0.8 or confusion != 0.05 or outcome_rate != 0.5:
        _fail(["--archive-weight, --speech-rate, --confusion, --outcome-rate: only with --archive"])
    if quick:
        scenario, populations, particles = "kirov-small", min(populations, 2), min(particles, 6)
        sets = ["period.end=1933-12-31", *sets]
    try:
        load_scenario_checked(scenario, regime, sets)
        res = run_calibration(
            scenario,
            regime=regime,
            populations=populations,
            particles=particles,
            db=db,
            out_dir=out_dir,
            sets=sets,
            model_selection=model_selection,
            sampler=sampler,
            workers=workers,
            scheduler=scheduler,
            seed=seed,
            archive=arc,
            archive_weight=archive_weight,
            speech_rate=speech_rate,
            confusion=confusion,
            outcome_rate=outcome_rate,
        )
    except ScenarioError as e:
        _fail(e.problems)
    table = Table(
        "regime",
        "parameter",
        "prior",
        "posterior mean",
        "sd",
        "90 % interval",
        title=f"ABC-SMC: {res['populations_done']} populations, {res['simulations']} simulations",
    )
    for regime_name, stats in res["posterior"].items():
        for k, v in stats.items():
            table.add_row(
                regime_name,
                k,
                f"{v['prior'][0]:g} .. {v['prior'][1]:g}",
                f"{v['mean']:.4g}",
                f"{v['sd']:.2g}",
                f"{v['q05']:.4g} .. {v['q95']:.4g}",
            )
    out.print(table)
    if model_selection:
        out.print(
            "Model probabilities: "
            + ", ".join(f"{k} {v:.2f}" for k, v in res["model_probabilities"].items())
        )
    if arc is not None:
        for g, fp in res["final_population"].items():
            if "archive_distance" in fp:
                out.print(f"{g}: mean distance to the series {fp['aggregate_distance']:.3f}, "
                          f"to the coded minutes {fp['archive_distance']:.3f}",
                          markup=False, highlight=False)  # fmt: skip
    out.print(f"Posterior: {out_dir}/posterior.json, figure {out_dir}/posterior.png, db {db}")


def _int_list(spec: str, option: str) -> list[int]:
    try:
        vals = sorted({int(x) for x in spec.split(",") if x.strip()})
    except ValueError:
        _fail([f"{option}: {spec!r} is not a comma-separated list of whole numbers"])
    if not vals or vals[0] < 1:
        _fail([f"{option}: {spec!r}: give at least one number, each at least 1"])
    return vals


@app.command()
def power(
    scenario: Annotated[str, typer.Option(help="bundled name or TOML path")] = "kirov-small",
    meetings: Annotated[str, typer.Option(help="meetings coded, e.g. 10,30,100,300")] = (
        "10,30,100,300"
    ),
    fields: Annotated[
        str, typer.Option(help="field sets coded: agenda,speeches,resolutions,accusations,all")
    ] = "agenda,speeches,resolutions,accusations,all",
    per_model: Annotated[int, typer.Option(help="draws per reading in the reference table")] = 300,
    trees: Annotated[int, typer.Option(help="trees per random forest")] = 200,
    folds: Annotated[int, typer.Option(help="cross-validation folds")] = 5,
    quick: Annotated[bool, typer.Option(help="30 draws per reading, 100 trees, 3 folds")] = False,
    table: Annotated[
        Path | None, typer.Option(help="a reference table saved by an earlier run (reused)")
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="table, results and figure")] = Path(
        "runs/power"
    ),
    workers: Annotated[int, typer.Option(help="processes simulating the table")] = 1,
    seed: Annotated[int, typer.Option(help="seed of the table's draws and of the forests")] = 1,
    set_: Annotated[list[str] | None, typer.Option("--set", help="KEY=VALUE override")] = None,
) -> None:
    """How many coded meetings tell the readings apart? (docs/EVIDENCE.md)

    Draws each reading with parameters from its own prior, observes a sample of its minutes as
    a historian would code them (docs/ARCHIVE.md), and classifies the draws by reading with a
    random forest tested on draws it was not trained on.
    """
    from .analysis import evidence as ev
    from .analysis.validate import write_json

    ns = _int_list(meetings, "--meetings")
    field_sets = [f.strip() for f in fields.split(",") if f.strip()]
    bad = [f for f in field_sets if f not in ev.FIELD_SETS]
    if bad or not field_sets:
        _fail([f"--fields: {', '.join(bad) or repr(fields)} not among "
               f"{', '.join(ev.FIELD_SETS)}"])  # fmt: skip
    if quick:
        per_model, trees, folds = min(per_model, 30), min(trees, 100), min(folds, 3)
    if per_model < 2 or trees < 1 or workers < 1 or not 2 <= folds <= per_model:
        _fail(["--per-model >= 2, --trees >= 1, --workers >= 1, 2 <= --folds <= --per-model"])
    if out_dir.exists() and not out_dir.is_dir():
        _fail([f"--out {out_dir}: exists and is not a folder"])
    try:
        ev._sklearn()
        if table is not None:
            if not table.is_file():
                _fail([f"--table {table}: no such file"])
            if set_ or per_model != 300 or scenario != "kirov-small":
                _fail(["--scenario, --per-model, --set: the table's own are used with --table"])
            tab, meta = ev.load_table(table)
            have = {ev.parse_key(k)[0] for k in meta.get("observations", {})}
            missing = [n for n in ns if n not in have]
            if missing:
                _fail([f"--meetings: {', '.join(map(str, missing))} not in --table {table} "
                       f"(it has {', '.join(map(str, sorted(have)))})"])  # fmt: skip
        else:
            load_scenario_checked(scenario, "bargaining", set_)
            made = not out_dir.exists()
            out_dir.mkdir(parents=True, exist_ok=True)
            label = f"{scenario}: {3 * per_model} draws"
            try:
                with _progress_bar(3 * per_model, label) as tick:
                    tab = ev.build_table(scenario, per_model, seed, ns,
                                         out_dir / "reference.parquet", sets=set_,
                                         workers=workers, progress=tick)  # fmt: skip
            except BaseException:
                if made and not any(out_dir.iterdir()):
                    out_dir.rmdir()  # nothing half-written left behind
                raise
            meta = ev.load_table(out_dir / "reference.parquet")[1]
        keys = sorted((k for k in meta["observations"] if ev.parse_key(k)[0] in ns),
                      key=ev.key_order)  # fmt: skip
        with _progress_bar(len(keys) * len(field_sets), "forests") as tick:
            res = ev.power_study(tab, keys, fields=tuple(field_sets), folds=folds, trees=trees,
                                 seed=seed, progress=tick)  # fmt: skip
    except ScenarioError as e:
        _fail(e.problems)
    grid = Table(
        "meetings",
        "noise",
        *field_sets,
        title=f"{meta['scenario']}: accuracy telling the 3 readings apart "
        f"({tab.height} draws, {folds}-fold, 95 % interval; chance 33 %)",
    )
    for k in keys:
        n, noise = ev.parse_key(k)
        grid.add_row(str(n), noise, *(
            f"{res[k][f]['accuracy']:.0%} ({res[k][f]['ci95'][0]:.0%}-{res[k][f]['ci95'][1]:.0%})"
            for f in field_sets))  # fmt: skip
    out.print(grid)
    top = max(keys, key=lambda k: (ev.parse_key(k)[1] == "low", ev.parse_key(k)[0]))
    best_fs = "all" if "all" in field_sets else field_sets[-1]
    conf = Table("true \\ coded as", *ev.REGIMES, title=f"confusion at {top}, {best_fs} fields")
    for g, row in res[top][best_fs]["confusion"].items():
        conf.add_row(g, *(str(row[h]) for h in ev.REGIMES))
    out.print(conf)
    out.print("most informative statistics: " + ", ".join(
        f"{name} ({imp:.3f})" for name, imp in res[top][best_fs]["informative"]),
        markup=False, highlight=False)  # fmt: skip
    if "all" in field_sets:
        for line in ev.power_sentences(res):
            out.print(line, markup=False, highlight=False)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json(out_dir / "power.json", {"table": meta, "draws": tab.height, "folds": folds,
                                        "trees": trees, "seed": seed, "result": res})  # fmt: skip
    ev.power_figure(res, out_dir / "power.png")
    out.print(f"results -> {out_dir}/power.json, figure {out_dir}/power.png",
              markup=False, highlight=False)  # fmt: skip


@app.command()
def sensitivity(
    scenario: Annotated[str, typer.Argument(help="bundled name or TOML path")] = "kirov-small",
    regime: Annotated[str, typer.Option(help="bargaining | despotism | niche")] = "bargaining",
    method: Annotated[str, typer.Option(help="morris | sobol")] = "morris",
    n: Annotated[int, typer.Option(help="trajectories (Morris) or base samples (Sobol')")] = 10,
    param: Annotated[list[str] | None, typer.Option(help="NAME=LOW:HIGH (repeat)")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="KEY=VALUE override")] = None,
    seed: Annotated[int, typer.Option(help="seed of runs and sampler")] = 1,
    out_dir: Annotated[Path, typer.Option("--out", help="results folder")] = Path("sensitivity"),
) -> None:
    """Morris screening or Sobol' indices (SALib) for turnover, win share, political share, pay."""
    from .analysis.sensitivity import parse_params, run_sensitivity, table

    if n < 1:
        _fail([f"--n: must be at least 1 (got {n})"])
    try:
        args = dict(
            regime=regime,
            method=method,
            n=n,
            params=parse_params(param),
            sets=set_,
            seed=seed,
            out_dir=out_dir,
        )
        planned = run_sensitivity(scenario, plan_only=True, **args)
        with _progress_bar(planned["samples"], f"{method}: {planned['samples']} runs") as tick:
            res = run_sensitivity(scenario, progress=tick, **args)
    except ScenarioError as e:
        _fail(e.problems)
    for line in table(res):
        out.print(line, markup=False, highlight=False)
    out.print(f"{res['samples']} runs -> {out_dir}/sensitivity.json, {out_dir}/sensitivity.png")


@app.command()
def report(
    run_dirs: Annotated[list[Path], typer.Argument(help="one or more run folders")],
    out_file: Annotated[Path | None, typer.Option("--out", help="HTML file to write")] = None,
    figures: Annotated[
        Path | None, typer.Option(help="also write each figure as SVG and PDF")
    ] = None,
) -> None:
    """Write an offline HTML report with figures (median and band over seeds)."""
    from .report import write_report

    try:
        path = write_report(run_dirs, out=out_file, figures_dir=figures)
    except ScenarioError as e:
        _fail(e.problems)
    out.print(f"report -> {path}")


@app.command()
def sweep(
    sweep_file: Annotated[Path, typer.Argument(help="sweep TOML file")],
    out_dir: Annotated[Path, typer.Option("--out", help="the store folder")],
    backend: Annotated[str, typer.Option(help="local | dask")] = "local",
    workers: Annotated[int, typer.Option(help="processes (local) or workers (dask)")] = 1,
    scheduler: Annotated[str | None, typer.Option(help="dask scheduler tcp://HOST:PORT")] = None,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify", help="check finished runs' SHA-256 too (default: sizes); rerun damaged"
        ),
    ] = False,
) -> None:
    """Run a sweep into a resumable store; finished runs are never redone, damaged ones are.

    Several sweeps may share one store: each run is computed by one of them.
    """
    from .experiments.plan import plan, read_sweep
    from .experiments.runner import run_sweep, write_plan

    if backend not in ("local", "dask"):
        _fail([f"--backend: {backend!r} is not one of local, dask"])
    if workers < 1:
        _fail([f"--workers: must be at least 1 (got {workers})"])
    if scheduler and backend != "dask":
        _fail(["--scheduler: only with --backend dask"])
    if out_dir.exists() and not out_dir.is_dir():
        _fail([f"--out {out_dir}: exists and is not a folder"])
    try:
        sw = read_sweep(sweep_file)
        specs = plan(sw, label=str(sweep_file))
    except ScenarioError as e:
        _fail(e.problems)
    write_plan(out_dir, specs, {"sweep_file": str(sweep_file), "sweep": sw.model_dump(mode="json")})
    show = sys.stderr.isatty()
    bar = None
    if show:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        bar = Progress(TextColumn("runs"), BarColumn(), MofNCompleteColumn(), console=err)
        bar.start()
        task = bar.add_task("runs", total=len(specs))
        bar.update(task, completed=0)

    def tick(_res):
        if bar is not None:
            bar.advance(task)

    def damaged(run_id: str, problems: list[str]) -> None:
        err.print(
            f"damaged run {run_id}: {'; '.join(problems)}; running it again",
            markup=False, highlight=False,
        )  # fmt: skip

    try:
        summary = run_sweep(
            specs, out_dir, backend=backend, workers=workers, scheduler=scheduler,
            progress=tick, verify=verify, damaged=damaged,
        )  # fmt: skip
    finally:
        if bar is not None:
            bar.stop()
    rate = summary.complete / summary.wall if summary.wall > 0 else 0.0
    out.print(
        f"{summary.planned} planned, {summary.skipped} already complete, "
        f"{summary.complete} run now, "
        + (f"{summary.elsewhere} run by another process, " if summary.elsewhere else "")
        + f"{len(summary.failed)} failed "
        f"in {summary.wall:.1f} s ({rate:.2f} runs/s) -> {out_dir}"
    )
    for f in summary.failed:
        out.print(f"failed {f['run_id']}: {f['error']}", markup=False, highlight=False)
    if summary.interrupted:
        err.print("interrupted: finished runs are kept; run the same command to resume")
        raise typer.Exit(130)
    if summary.failed:
        raise typer.Exit(1)


@app.command()
def verify(
    folder: Annotated[Path, typer.Argument(help="a run folder or a sweep store")],
) -> None:
    """Check finished runs against the sizes and SHA-256 their run.json records.

    One line per damaged run and exit status 2; a sweep run again into the store reruns them.
    """
    from .integrity import check_run

    if (folder / "sweep.json").is_file() and not (folder / "run.json").exists():
        runs = sorted(d for d in (folder / "runs").glob("*") if (d / "run.json").exists())
    elif (folder / "run.json").exists() or any(folder.glob("*.parquet")):
        runs = [folder]
    else:
        _fail([f"{folder}: neither a run folder (run.json) nor a sweep store (sweep.json)"])
    damaged = [problems for d in runs if (problems := check_run(d, deep=True))]
    if damaged:
        _fail(["; ".join(problems) for problems in damaged])
    out.print(f"{len(runs)} run(s) verified: every file has the size and SHA-256 of its run.json")


@app.command()
def query(
    store: Annotated[Path, typer.Argument(help="a sweep store or a run folder")],
    sql: Annotated[str, typer.Argument(help="SQL over runs, metrics, monthly, events")],
    csv_out: Annotated[Path | None, typer.Option("--csv", help="write the result as CSV")] = None,
    parquet_out: Annotated[Path | None, typer.Option("--parquet", help="write as Parquet")] = None,
    limit: Annotated[int, typer.Option(help="rows shown at most (files get all)")] = 50,
    unsafe: Annotated[
        bool,
        typer.Option(
            "--unsafe",
            help="the full DuckDB console: any statement, any file, extensions (default: "
            "read-only, the store's files only)",
        ),
    ] = False,
) -> None:
    """Query a store with DuckDB (read-only: one SELECT over the store's files)."""
    from .experiments.store import batches, check_statement, nested, open_store, result_columns

    if limit < 1:
        _fail([f"--limit: must be at least 1 (got {limit})"])
    for label, path in (("--csv", csv_out), ("--parquet", parquet_out)):
        if path is None:
            continue
        if path.is_dir():
            _fail([f"{label} {path}: is a folder; give a file name"])
        if not path.parent.is_dir():
            _fail([f"{label} {path}: the folder {path.parent} does not exist"])
    try:
        con = open_store(store, unsafe=unsafe)
        check_statement(con, sql, unsafe=unsafe)
    except ScenarioError as e:
        _fail(e.problems)
    import duckdb

    try:
        cur = con.execute(sql)
        cols = result_columns(cur)
        if csv_out is not None:
            deep = [n for n, kind in cols if nested(kind)]
            if deep:
                _fail([f"--csv: column {deep[0]!r} is nested (lists or structs); write "
                       "--parquet, or unnest it or cast it to VARCHAR"])  # fmt: skip
        if csv_out or parquet_out:
            _write_result(cur, cols, csv_out, parquet_out)
            return
        shown = next(batches(cur, cols, limit + 1), None)
    except ScenarioError as e:
        _fail(e.problems)
    except duckdb.Error as e:
        _fail([f"SQL: {str(e).splitlines()[0]}"])
    import polars as pl

    if shown is None:
        shown = pl.DataFrame({n: [] for n, _ in cols})
    more = shown.height > limit
    with pl.Config(
        tbl_rows=limit, tbl_cols=20, tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
    ):  # fmt: skip
        sys.stdout.write(str(shown.head(limit)) + "\n")
    if more:
        sys.stdout.write(f"(more than {limit} rows: --limit N shows more, --csv/--parquet all)\n")


def _write_result(cur, cols, csv_out: Path | None, parquet_out: Path | None) -> None:
    """Stream a result into CSV and/or Parquet under temporary names, renamed when complete."""
    from contextlib import ExitStack

    import polars as pl

    from .experiments.store import batches

    tmp = {p: p.with_name(f".{p.name}.{os.getpid()}.tmp") for p in (csv_out, parquet_out) if p}
    parts: list[pl.DataFrame] = []
    try:
        with ExitStack() as stack:
            fh = stack.enter_context(open(tmp[csv_out], "wb")) if csv_out else None
            first = True
            for frame in batches(cur, cols):
                if fh is not None:
                    frame.write_csv(fh, include_header=first)
                    first = False
                if parquet_out:
                    parts.append(frame)
            if fh is not None and first:  # no rows: the header alone
                pl.DataFrame({n: [] for n, _ in cols}).write_csv(fh)
        if parquet_out:
            whole = pl.concat(parts) if parts else pl.DataFrame({n: [] for n, _ in cols})
            whole.write_parquet(tmp[parquet_out])
        for final, path in tmp.items():
            os.replace(path, final)
    finally:
        for path in tmp.values():
            path.unlink(missing_ok=True)


archive_app = typer.Typer(
    no_args_is_help=True, help="Coded party minutes and simulated meetings (docs/ARCHIVE.md)."
)
app.add_typer(archive_app, name="archive")


def _archive_of(path: Path):
    """A coded archive folder (checked: its problems fail the command) or a run folder."""
    from .archive import read_archive, read_run
    from .archive.convert import is_run

    if is_run(path):
        return read_run(path)
    arc, problems = read_archive(path)
    if problems:
        _fail(problems)
    return arc


@archive_app.command("check")
def archive_check(
    path: Annotated[Path, typer.Argument(help="a folder of coded minutes (CSV files)")],
) -> None:
    """Check a coded archive: one line per problem (file, row, field), exit 2."""
    from .archive import read_archive

    arc, problems = read_archive(path)
    if problems:
        _fail(problems)
    counts = ", ".join(f"{df.height} {name}" for name, df in arc.frames.items())
    out.print(f"ok: {path}: {counts}", markup=False, highlight=False)


@archive_app.command("init")
def archive_init(
    path: Annotated[Path, typer.Argument(help="the folder to create for the coded minutes")],
) -> None:
    """Write a blank archive to fill in: one CSV per level with its header, and codes.md
    listing every column's allowed values (atomically; the folder must not exist or be empty).
    """
    from .archive import Archive, write_archive
    from .archive.codebook import codes_text

    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        _fail([f"{path}: exists and is not an empty folder"])
    write_archive(Archive({}, "template"), path, {"template": True}, {"codes.md": codes_text()})
    out.print(f"blank archive -> {path} (fill in the CSV files; codes.md lists the codes)",
              markup=False, highlight=False)  # fmt: skip


@archive_app.command("stats")
def archive_stats_cmd(
    paths: Annotated[list[Path], typer.Argument(help="coded archive folders or run folders")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    periods: Annotated[
        str | None, typer.Option(help="spans of years, e.g. 1928-1933,1934-1941 (default: years)")
    ] = None,
) -> None:
    """Meeting-level statistics by period, the same for coded minutes and simulated runs."""
    import json

    from .archive import archive_stats, parse_periods

    try:
        spans = parse_periods(periods)
    except ValueError as e:
        _fail([f"--periods: {e}"])
    results = [archive_stats(_archive_of(p), spans) for p in paths]
    if as_json:
        sys.stdout.write(json.dumps(results, indent=2, sort_keys=True) + "\n")
        return
    for res in results:
        _print_archive_stats(res)


def _print_archive_stats(res: dict) -> None:
    def share(d: dict, k: str) -> str:
        return f"{d[k]:.0%}" if k in d else "-"

    table = Table(
        "period", "meet.", "items", "speech", "won W/M", "accus.", "expel.", "cleared",
        "case not upheld", title=res["source"],
    )  # fmt: skip
    for p, s in res["periods"].items():
        table.add_row(
            p, str(s["meetings"]), str(s["items"]), str(s["speeches"]),
            f"{share(s['carried_shares'], 'workers')}/{share(s['carried_shares'], 'management')}",
            str(s["accusations"]), str(s["investigations"].get("expelled", 0)),
            str(s["reversals"]["investigations_cleared"]),
            f"{s['reversals']['charge_not_upheld']}/{s['reversals']['personal_cases']}",
        )  # fmt: skip
    out.print(table)
    if res["agreement"]:
        agree = Table("field", "double-coded", "agreement", "Krippendorff's alpha",
                      title="agreement of two coders")  # fmt: skip
        for f, a in res["agreement"].items():
            agree.add_row(
                f, str(a["pairable"]),
                "-" if a["agreement"] is None else f"{a['agreement']:.0%}",
                "-" if a["alpha"] is None else f"{a['alpha']:.3f}",
            )  # fmt: skip
        out.print(agree)
    out.print("(won W/M: resolutions carried by the workers' and management's side; all counts: "
              "--json)", markup=False, highlight=False)  # fmt: skip


def _years(spec: str) -> tuple[int, ...]:
    from .archive import parse_periods

    spans = parse_periods(spec) or []
    return tuple(y for a, b in spans for y in range(a, b + 1))


@archive_app.command("export")
def archive_export(
    run_dir: Annotated[Path, typer.Argument(help="a run folder")],
    out_dir: Annotated[Path, typer.Option("--out", help="the archive folder to write")],
    observe: Annotated[
        bool, typer.Option("--observe", help="apply the observation model (docs/ARCHIVE.md)")
    ] = False,
    meeting_rate: Annotated[
        float, typer.Option(help="share of meetings whose minutes survive")
    ] = 1.0,
    speech_rate: Annotated[float, typer.Option(help="probability a speech is recorded")] = 1.0,
    confusion: Annotated[
        float, typer.Option(help="rate at which sides, frames and who carried are misread")
    ] = 0.0,
    outcome_rate: Annotated[
        float, typer.Option(help="share of resolutions whose fulfilment the minutes show")
    ] = 1.0,
    bodies: Annotated[
        str | None, typer.Option(help="bodies whose minutes survive, e.g. general,partkom")
    ] = None,
    years: Annotated[
        str | None, typer.Option(help="years whose minutes survive: 1930-1935,1937")
    ] = None,
    meetings: Annotated[
        int | None, typer.Option(help="meetings a historian codes: a random sample of this size")
    ] = None,
    seed: Annotated[int, typer.Option(help="seed of the observation model")] = 0,
) -> None:
    """Write a run's meetings in the archive format (atomically), observed or complete."""
    from .archive import Observation, read_run, write_archive
    from .archive import observe as observe_archive
    from .archive.convert import is_run

    if not is_run(run_dir):
        _fail([f"{run_dir}: not a run folder (no events.parquet and run.json)"])
    given = {"--meeting-rate": meeting_rate != 1.0, "--speech-rate": speech_rate != 1.0,
             "--confusion": confusion != 0.0, "--outcome-rate": outcome_rate != 1.0,
             "--bodies": bodies is not None,
             "--years": years is not None, "--meetings": meetings is not None,
             "--seed": seed != 0}  # fmt: skip
    if not observe and any(given.values()):
        _fail([f"{k}: only with --observe" for k, v in given.items() if v])
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        _fail([f"--out {out_dir}: exists and is not an empty folder"])
    arc = read_run(run_dir)
    about = {"run": str(run_dir), "observation": None}
    if observe:
        try:
            span = _years(years) if years is not None else None
        except ValueError as e:
            _fail([f"--years: {e}"])
        obs = Observation(
            meeting_rate=meeting_rate, speech_rate=speech_rate, confusion=confusion,
            outcome_rate=outcome_rate,
            bodies=tuple(b.strip() for b in bodies.split(",")) if bodies is not None else None,
            years=span, meetings=meetings, seed=seed,
        )  # fmt: skip
        if obs.problems():
            _fail([f"--{p}" for p in obs.problems()])
        arc = observe_archive(arc, obs)
        about["observation"] = obs.as_dict()
    write_archive(arc, out_dir, about)
    counts = ", ".join(f"{df.height} {name}" for name, df in arc.frames.items())
    out.print(f"{counts} -> {out_dir}", markup=False, highlight=False)


@app.command()
def dashboard(
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 8765,
) -> None:
    """Start the Solara dashboard on 127.0.0.1 (never on other addresses).

    Nothing leaves the machine: no usage telemetry, no version check, front-end files served
    from the local copy; requests naming another host are refused (DNS rebinding).
    """
    import importlib.util

    if not 1024 <= port <= 65535:
        _fail([f"--port: must be between 1024 and 65535 (got {port})"])
    if importlib.util.find_spec("solara") is None:
        _fail(["dashboard: Solara is not installed (pip install 'treugolnik[dashboard]')"])
    from .dashboard.serve import SOLARA_ENV

    out.print(f"dashboard on http://127.0.0.1:{port}/ (Ctrl-C to stop)")
    sys.stdout.flush()
    env = dict(os.environ, **SOLARA_ENV)
    os.execve(sys.executable, [sys.executable, "-m", "treugolnik.dashboard.serve", str(port)], env)


def main() -> None:
    """Console entry point."""
    from .passes import default_threads

    try:
        default_threads()  # a bad TREUGOLNIK_THREADS is a bad input: one line, exit 2
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    try:
        app()
    except ScenarioError as e:  # raised outside a command's own handling
        for line in e.problems:
            print(f"error: {line}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        # outputs are written atomically: nothing half-written is left behind
        print("interrupted", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
