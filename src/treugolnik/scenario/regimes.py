"""The three interpretations of the Soviet factory as parameter presets of one model.

Each preset is a set of dotted parameter values applied under the scenario file (the file and
``--set`` override it). No code path branches on the regime's name: the mechanisms read only
parameters. Sources for the readings: the seed essay (Kokosalakis) names all three.
"""

from __future__ import annotations

from ..errors import ScenarioError
from .schema import REGIMES, Scenario

PRESETS: dict[str, dict[str, object]] = {
    # The essay's thesis: meetings are the arena, arguments win by their fit with the party
    # line and the speaker's political literacy, outcomes bind.
    "bargaining": {
        "meetings.theta_frame": 4.0,
        "meetings.theta_rank": 0.3,
        "meetings.bias": 0.0,
        "meetings.binding": 1.0,
        "meetings.union_stance": 0.6,
        "meetings.foreman_deal": 0.0,
    },
    # Transmission belt of managerial power: rank and bias favour management, the union sides
    # with management, worker voice rarely wins; workers answer with exit.
    "despotism": {
        "meetings.theta_frame": 0.5,
        "meetings.theta_rank": 2.0,
        "meetings.bias": -2.0,
        "meetings.binding": 1.0,
        "meetings.union_stance": 0.1,
        "meetings.foreman_deal": 0.0,
        "turnover.q_grievance": 1.1,
    },
    # Workers' niche in dysfunction: meetings are ritual (resolutions do not bind), leverage
    # comes from labour scarcity, quitting and informal deals with foremen.
    "niche": {
        "meetings.theta_frame": 1.0,
        "meetings.theta_rank": 0.5,
        "meetings.bias": -0.5,
        "meetings.binding": 0.0,
        "meetings.union_stance": 0.3,
        "meetings.foreman_deal": 0.6,
        "turnover.q_tightness": 1.0,
        "turnover.q_grievance": 1.1,
    },
}


def with_regime(scenario, regime: str):
    """The scenario under another regime: the old preset's values give way to the new preset's
    (or to the schema default where the new preset is silent). Other fields are kept.
    """
    if regime not in REGIMES:
        raise ScenarioError([f"regime: {regime!r} is not one of {', '.join(REGIMES)}"])
    data = scenario.model_dump()
    defaults = Scenario().model_dump()
    for key in set(PRESETS[scenario.regime]) | set(PRESETS[regime]):
        group, name = key.split(".")
        data[group][name] = PRESETS[regime].get(key, defaults[group][name])
    data["regime"] = regime
    return Scenario.model_validate(data)
