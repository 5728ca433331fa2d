"""The treugolnik dashboard (Solara): choose, run, look, compare, read the protocols.

Started by ``treugolnik dashboard [--port P]`` (bound to 127.0.0.1 only). Inputs are validated
exactly as on the command line; a bad value shows a message in the page.
"""

from __future__ import annotations

import datetime as dt

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import solara  # noqa: E402
import solara.lab  # noqa: E402

from ..engine import simulate  # noqa: E402
from ..protocols import render_protocols  # noqa: E402
from ..report.figures import Run, accusations, meetings, party, turnover_absence  # noqa: E402
from ..scenario.load import ScenarioError, bundled_names, load_scenario  # noqa: E402
from ..scenario.schema import REGIMES, Counterfactual  # noqa: E402

SCENARIO = solara.reactive("kirov-small")
REGIME = solara.reactive("bargaining")
SEED = solara.reactive(1)
END = solara.reactive("1941-06-21")
SWITCHES = {name: solara.reactive(False) for name in Counterfactual.model_fields}
PARAMS = {
    "meetings.theta_frame": (solara.reactive(""), "argument weight (theta_frame)"),
    "meetings.bias": (solara.reactive(""), "bias towards workers"),
    "institutions.clash_rate": (solara.reactive(""), "clash rate of participants"),
    "turnover.q0": (solara.reactive(""), "quit propensity (q0)"),
}
MONTH = solara.reactive("1937-03")
VIEW = solara.reactive("Figures")
CURRENT = solara.reactive(None)  # the last Run
PINNED = solara.reactive(None)  # a pinned Run for comparison
ERROR = solara.reactive("")
FIGURES = (
    ("Turnover and absence", turnover_absence),
    ("Party membership", party),
    ("Meetings", meetings),
    ("Accusations", accusations),
)


def _sets() -> list[str]:
    sets = [f"period.end={END.value.strip()}"]
    sets += [f"counterfactual.{k}=true" for k, v in SWITCHES.items() if v.value]
    sets += [f"{k}={v.value.strip()}" for k, (v, _) in PARAMS.items() if v.value.strip()]
    return sets


@solara.lab.task
def run_simulation():
    """Validate the inputs, run, and store the result (errors become a page message)."""
    ERROR.value = ""
    try:
        s = load_scenario(SCENARIO.value, regime=REGIME.value, seed=int(SEED.value), sets=_sets())
    except ScenarioError as e:
        ERROR.value = "\n".join(e.problems)
        return
    except (TypeError, ValueError) as e:
        ERROR.value = f"seed: {e}"
        return
    res = simulate(s)
    cf = [k for k, v in SWITCHES.items() if v.value]
    label = f"{s.regime} seed {s.seed}" + "".join(f" + {k}" for k in cf)
    CURRENT.value = Run(label, s.seed, res.metrics, res.monthly, res.events, res.manifest)


def _groups() -> dict:
    groups = {}
    if CURRENT.value is not None:
        groups[CURRENT.value.label] = [CURRENT.value]
    if PINNED.value is not None:
        label = "pinned: " + PINNED.value.label
        groups[label] = [PINNED.value]
    return groups


@solara.component
def Figures():
    groups = _groups()
    if not groups:
        solara.Info("Choose a scenario and press Run.")
        return
    for title, fn in FIGURES:
        fig, caption = fn(groups)
        with solara.Card(title):
            solara.FigureMatplotlib(fig, format="svg")
            solara.Text(caption, classes=["figure-caption"])
        plt.close(fig)


@solara.component
def Protocols():
    run = CURRENT.value
    if run is None:
        return
    solara.InputText("Month (YYYY-MM)", value=MONTH)
    try:
        start = dt.date.fromisoformat(MONTH.value.strip() + "-01")
    except ValueError:
        solara.Error(f"month: {MONTH.value!r} is not YYYY-MM")
        return
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    text = render_protocols(run.events, date_from=start, date_to=end)
    with solara.Div(classes=["protocol"]):
        solara.Preformatted(text)


@solara.component
def Page():
    solara.Title("treugolnik dashboard")
    with solara.Sidebar():
        solara.HTML(tag="h2", unsafe_innerHTML="treugolnik")
        solara.Select(label="Scenario", values=bundled_names(), value=SCENARIO)
        solara.Select(label="Regime", values=list(REGIMES), value=REGIME)
        solara.InputInt("Seed", value=SEED)
        solara.InputText("End date (YYYY-MM-DD)", value=END)
        solara.HTML(tag="b", unsafe_innerHTML="Counterfactuals")
        for name, var in SWITCHES.items():
            solara.Checkbox(label=name, value=var)
        solara.HTML(tag="div", unsafe_innerHTML="<b>Parameters</b> (blank = the scenario's)")
        for _key, (var, label) in PARAMS.items():
            solara.InputText(label, value=var)
        solara.Button(
            "Run",
            on_click=run_simulation,
            color="primary",
            disabled=run_simulation.pending,
            classes=["run-button"],
        )
        solara.Button(
            "Pin this run",
            on_click=lambda: PINNED.set(CURRENT.value),
            disabled=CURRENT.value is None,
            classes=["pin-button"],
        )
    if run_simulation.pending:
        solara.ProgressLinear(True)
        solara.Text("Running...", classes=["running"])
    if ERROR.value:
        with solara.Div(classes=["input-error"]):
            solara.Error(ERROR.value)
    if run_simulation.error:
        solara.Error(f"The run failed: {run_simulation.exception}")
    if CURRENT.value is not None:
        m = CURRENT.value.monthly
        solara.Text(
            f"{CURRENT.value.label}: {m['headcount'][-1]:,} employees at the end, "
            f"{int(m['accusations'].sum())} accusations, {int(m['arrests'].sum())} arrests, "
            f"workers won {m['workers_won'].sum() / max(m['items'].sum(), 1):.0%} of "
            "resolutions.",
            classes=["summary"],
        )
    solara.ToggleButtonsSingle(value=VIEW, values=["Figures", "Protocols"], classes=["view-toggle"])
    if VIEW.value == "Figures":
        Figures()
    else:
        Protocols()
