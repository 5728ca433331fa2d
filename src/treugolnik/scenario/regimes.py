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


# What each reading claims about how meetings work, as a uniform prior around its preset: the
# ranges a reading may tune to the evidence (model choice, the power study and ``compare
# --archive`` draw each reading's parameters from here, not from the preset alone, since a
# study over fixed presets only rediscovers the presets). They are the readings' qualitative
# claims made numeric, not historical figures: bargaining has arguments win by their fit with
# the line, binding outcomes and a union that speaks for workers; despotism has rank and a bias
# for management decide, a union at management's side and exit as the workers' answer; the
# niche has resolutions that do not bind, deals with foremen, and leverage from labour scarcity.
READING_PRIORS: dict[str, dict[str, tuple[float, float]]] = {
    "bargaining": {
        "meetings.theta_frame": (2.5, 5.5),
        "meetings.theta_rank": (0.0, 0.8),
        "meetings.bias": (-0.5, 0.5),
        "meetings.binding": (0.8, 1.0),
        "meetings.union_stance": (0.4, 0.8),
        "meetings.foreman_deal": (0.0, 0.2),
    },
    "despotism": {
        "meetings.theta_frame": (0.0, 1.5),
        "meetings.theta_rank": (1.2, 3.0),
        "meetings.bias": (-3.0, -1.0),
        "meetings.binding": (0.8, 1.0),
        "meetings.union_stance": (0.0, 0.25),
        "meetings.foreman_deal": (0.0, 0.2),
        "turnover.q_grievance": (0.8, 1.4),
    },
    "niche": {
        "meetings.theta_frame": (0.3, 2.0),
        "meetings.theta_rank": (0.2, 1.0),
        "meetings.bias": (-1.0, 0.0),
        "meetings.binding": (0.0, 0.3),
        "meetings.union_stance": (0.1, 0.5),
        "meetings.foreman_deal": (0.3, 0.9),
        "turnover.q_tightness": (0.6, 1.4),
        "turnover.q_grievance": (0.8, 1.4),
    },
}
