"""The scenario schema: every field a scenario TOML file may set, with its default and bounds.

A scenario file only needs the fields it changes; everything else takes the default below.
Unknown keys are errors (``extra="forbid"``), so a misspelt key never passes silently.
Mechanism parameters are grouped by mechanism, one table each, named as in docs/ODD.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

REGIMES = ("bargaining", "despotism", "niche")


# Every number has a finite range with a meaning, stated beside it; the reasons shared by many:
LOGIT = 50.0
LOGIT_WHY = (
    " (a log-odds term, within +-50: beyond it a probability is 0 or 1 to 1e-21, and every "
    "index the kernels compute stays a finite number)"
)
EFF = ", in norms of effort (within +-5: five times the norm's pace)"
G = " (units of grievance; at most its ceiling's range, 10 or 100)"
TIMES = ", a multiple of the worker tariff (at most 50)"
PUSH = " added per unit of its cause (at most 5 a quarter)"
# all employees on the first day, and the largest target headcount growth reaches: within what
# a machine holds (Soviet industry employed about 11 million people in 1940)
MAX_EMPLOYEES = 20_000_000


def logit(default: float, description: str = ""):
    """A log-odds coefficient: default, meaning, and the shared range +-:data:`LOGIT`."""
    return Field(default, ge=-LOGIT, le=LOGIT, description=description + LOGIT_WHY)


class _Strict(BaseModel):
    # (no NaN or infinity in any number: a scenario's every float is a finite value)
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_truth_values_as_numbers(cls, v, info):
        # true/false is not read as 1/0 where a number is expected (fear.decay = false)
        field = cls.model_fields.get(info.field_name) if info.field_name else None
        if isinstance(v, bool) and field is not None and field.annotation in (int, float):
            raise ValueError("a number is expected, not true/false")
        return v


class Period(_Strict):
    """The simulated span (the real run: 1 Oct 1928 - 21 June 1941)."""

    start: dt.date = dt.date(1928, 10, 1)
    end: dt.date = dt.date(1941, 6, 21)

    @model_validator(mode="after")
    def _order(self):
        if self.end < self.start:
            raise ValueError("period.end must not be before period.start")
        if self.start < dt.date(1928, 1, 1) or self.end > dt.date(1941, 6, 21):
            raise ValueError("the period must lie within 1928-01-01 .. 1941-06-21")
        return self


class RoleMix(_Strict):
    """Shares of workers, foremen, specialists and managers among employees."""

    worker: float = Field(
        0.85,
        ge=0.5,
        le=1,
        description="at least half: the model is of a factory's bench, and "
        "every factory keeps its workers after the other roles' places are filled",
    )
    foreman: float = Field(
        0.05, ge=0, le=0.5, description="at most half (every factory has at least one)"
    )
    specialist: float = Field(
        0.07, ge=0, le=0.5, description="at most half (every factory has at least one)"
    )
    manager: float = Field(
        0.03, gt=0, le=0.5, description="at most half (every factory has at least one)"
    )

    @model_validator(mode="after")
    def _sums(self):
        total = self.worker + self.foreman + self.specialist + self.manager
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"role_mix shares must sum to 1 (they sum to {total:.4f})")
        return self


BETA_WHY = (
    "0.1 to 10,000: below 0.1 the draws pile at 0 or 1, where they round to exactly 0 or 1 "
    "(and 0/0); above 10,000 the distribution is a point to four decimals"
)


class Distribution(_Strict):
    """A Beta(alpha, beta) distribution on [0, 1]."""

    alpha: float = Field(2.0, ge=0.1, le=10_000, description=BETA_WHY)
    beta: float = Field(3.0, ge=0.1, le=10_000, description=BETA_WHY)


class Factories(_Strict):
    """The plants: number, size, growth of the target headcount, shops, initial people."""

    count: int = Field(
        1, ge=1, le=100_000, description="factories (1 to 100,000: the country's industry)"
    )
    size: int = Field(
        12_000,
        ge=10,
        le=MAX_EMPLOYEES,
        description="employees per factory on the start date "
        "(count x size, and the target headcount growth reaches, at most 20 million)",
    )
    size_sigma: float = Field(0.0, ge=0, le=3, description="lognormal spread of factory sizes")
    growth: float = Field(
        0.075, ge=-0.5, le=1.0, description="annual growth of the target headcount"
    )
    growth_path: list[tuple[dt.date, float]] = Field(
        default_factory=list,
        description="optional (date, multiple of start size) anchors; overrides growth",
    )
    shops: int = Field(24, ge=1, le=500, description="shops per factory (1 to 500)")
    role_mix: RoleMix = RoleMix()
    party_share: float = Field(0.12, ge=0, le=1, description="members among employees")
    candidate_share: float = Field(
        0.05, ge=0, le=1, description="candidates among employees (a share)"
    )
    specialist_party_share: float = Field(
        0.051,
        ge=0,
        le=1,
        description="members among specialists at the start (5.1 %: Volkov, c. 1920, the "
        "nearest figure found; data/history_sources.csv)",
    )
    manager_party_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="members among managers at the start (an assumption: no figure for "
        "c. 1928 was found; the director is always a member)",
    )
    village_share: float = Field(0.2, ge=0, le=1, description="village newcomers at start")
    skill: Distribution = Distribution(alpha=5.0, beta=3.0)
    consciousness: Distribution = Distribution(alpha=2.0, beta=5.0)

    @field_validator("growth_path")
    @classmethod
    def _multiples(cls, v):
        for day, mult in v:
            if not 0 < mult <= 1000:
                raise ValueError(
                    f"growth_path: multiple {mult!r} at {day} must be above 0 and at most 1000"
                )
        return v


class Absence(_Strict):
    """Absence, dismissal and prosecution (mechanisms.labour)."""

    a0: float = logit(-3.6, "log-odds of absence of a person with no grievance, fear or pull")
    a_grievance: float = logit(1.0, "absence log-odds per unit of grievance")
    a_enforcement: float = logit(1.6, "absence log-odds lost per unit of enforcement")
    a_fear: float = logit(1.0, "absence log-odds lost per unit of fear")
    a_village: float = logit(0.5, "absence log-odds of village newcomers")
    a_clash: float = logit(15.0, "absence log-odds per unit of shop clash pressure")
    will_base: float = Field(0.9, ge=0, le=1, description="enforcement will at full discipline")
    will_vacancy: float = Field(
        6.0,
        ge=0,
        le=100,
        description="labour hoarding: will falls with vacancies (at most 100: "
        "beyond it will is nil at any vacancy)",
    )
    will_rate: float = Field(0.04, gt=0, le=1, description="daily return of will to equilibrium")
    dismiss_p: float = Field(
        0.03, ge=0, le=1, description="absentee-days ending in dismissal (a probability)"
    )
    prosecute_p: float = Field(0.03, ge=0, le=1, description="absentee-days prosecuted (1940)")
    prosecute_quit_p: float = Field(0.8, ge=0, le=1, description="quitters prosecuted (1940)")


class Production(_Strict):
    """Effort, storming and output (mechanisms.production)."""

    e0: float = Field(
        1.0, gt=0, le=10, description="mean effort (1: the norm's pace; at most 10 times it)"
    )
    e_sd: float = Field(
        0.12, ge=0, le=2, description="spread of personal effort (at most 2: twice the norm)"
    )
    e_max: float = Field(2.5, gt=0, le=10, description="effort ceiling (at most 10 norms)")
    b_campaign: float = Field(0.25, ge=-5, le=5, description="effort per unit of campaign" + EFF)
    b_peer: float = Field(0.3, ge=-5, le=5, description="effort per unit of peer example" + EFF)
    b_grievance: float = Field(0.15, ge=-5, le=5, description="effort lost per grievance" + EFF)
    storm_k: float = Field(
        1.6, ge=0, le=20, description="effort per unit of month-to-date plan gap (at most 20)"
    )
    storm_max: float = Field(0.8, ge=0, le=5, description="storming's extra effort" + EFF)
    supply_lag: float = Field(0.3, ge=0, le=1, description="output lost in the first decade")
    disruption_institutions: float = Field(
        0.15, ge=0, le=5, description="output disrupted by institutions" + EFF
    )
    shock_bonus: float = Field(0.1, ge=0, le=5, description="shock workers' extra effort" + EFF)
    stakhanovite_bonus: float = Field(
        0.3, ge=0, le=5, description="Stakhanovites' extra effort" + EFF
    )


class Accidents(_Strict):
    """Accidents and injuries (mechanisms.production)."""

    p0: float = Field(1.5e-4, ge=0, le=1, description="daily accident probability at safe effort")
    k: float = Field(
        2.5,
        ge=0,
        le=20,
        description="rise of accident log-risk per unit of effort above e_safe "
        "(at most 20: with effort at most 10 the risk stays a finite number)",
    )
    e_safe: float = Field(1.2, ge=0, le=10, description="effort up to which work is safe")
    safety0: float = Field(
        0.3, ge=0, le=1, description="shops' initial safety (a share of the risk removed)"
    )
    storm_factor: float = Field(
        1.0, ge=0, le=100, description="accident risk per unit of storming (at most 100)"
    )
    injury_days: float = Field(
        12.0, gt=0, le=3650, description="mean days off after an injury (at most ten years)"
    )
    death_share: float = Field(0.01, ge=0, le=1, description="accidents that kill (a share)")
    grievance_shop: float = Field(
        0.03, ge=0, le=10, description="grievance to shop-mates per accident per 100 employees" + G
    )


class Pay(_Strict):
    """Piece rates and salaries (mechanisms.production, mechanisms.pay)."""

    tariff: float = Field(
        2.4,
        ge=0.01,
        le=1000,
        description="rubles per day at 100% of norm, 1928 (a kopeck to "
        "a thousand rubles: the 1928 tariff was about 2.4)",
    )
    foreman: float = Field(1.4, gt=0, le=50, description="foremen's pay" + TIMES)
    specialist: float = Field(1.9, gt=0, le=50, description="specialists' pay" + TIMES)
    manager: float = Field(2.2, gt=0, le=50, description="managers' pay" + TIMES)
    stakhanovite_bonus: float = Field(
        0.5, ge=0, le=10, description="Stakhanovites' extra pay, a share of their pay (at most 10)"
    )
    reference_real: float = Field(
        1.0, ge=0.01, le=100, description="real pay (1928 = 1) workers expect (0.01 to 100)"
    )


class Norms(_Strict):
    """Quarterly norm revision (mechanisms.pay)."""

    nu: float = Field(
        1.0,
        ge=0,
        le=20,
        description="norm rise per unit over-fulfilment and pressure (at most "
        "20: a norm raised twentyfold in a quarter)",
    )
    stakhanovite_push: float = Field(0.25, ge=0, le=5, description="norm pressure" + PUSH)
    wage_fund_push: float = Field(0.1, ge=0, le=5, description="norm pressure" + PUSH)
    min_overfulfilment: float = Field(
        1.05, ge=0, le=10, description="fulfilment above which norms rise (at most 10 norms)"
    )


class Plan(_Strict):
    """The annual plan ratchet (mechanisms.pay)."""

    lam: float = Field(0.8, ge=0, le=2, description="Weitzman ratchet coefficient")
    initial_fulfilment: float = Field(
        1.0,
        ge=0.01,
        le=10,
        description="first plan year's target as a multiple of capacity (1 % to ten times)",
    )


class Grievance(_Strict):
    """Grievance: its decay and what raises or lowers it."""

    decay: float = Field(0.01, ge=0, le=1, description="daily decay (a share)")
    pay_gap: float = Field(0.012, ge=0, le=10, description="per unit of real pay short" + G)
    norm_rise: float = Field(3.0, ge=0, le=100, description="per unit of norm rise" + G)
    defeat: float = Field(0.15, ge=0, le=10, description="per defeat in a meeting" + G)
    concession: float = Field(0.2, ge=0, le=10, description="lost per concession" + G)
    stakhanovite_peer: float = Field(0.05, ge=0, le=10, description="per Stakhanovite mate" + G)
    g_max: float = Field(
        3.0,
        gt=0,
        le=100,
        description="grievance ceiling (at most 100: log-odds terms of grievance stay finite)",
    )


class Fear(_Strict):
    """Fear after arrests (mechanisms.repression) and its decay."""

    decay: float = Field(0.004, ge=0, le=1, description="daily decay (a share)")
    shop_arrest: float = Field(
        0.15,
        ge=0,
        le=10,
        description="fear to shop-mates per arrest (at most 10; fear is capped at 1)",
    )
    factory_arrest: float = Field(
        6.0,
        ge=0,
        le=1000,
        description="factory-wide fear per 1% arrested (at most 1000; fear is capped at 1)",
    )


class Turnover(_Strict):
    """Quits (mechanisms.labour)."""

    q0: float = logit(-6.6, "daily log-odds of quitting with no push or pull")
    q_grievance: float = logit(0.8, "per unit of grievance")
    q_tightness: float = logit(0.6, "per unit of labour-market tightness")
    q_penalty: float = logit(2.5, "lost under the penalties for quitting")
    q_tenure: float = logit(0.8, "lost with tenure")
    q_party: float = logit(1.5, "lost by party members")
    q_village: float = logit(0.6, "of village newcomers")


class Hiring(_Strict):
    """Hiring to target and the newcomers (mechanisms.hiring)."""

    flit_share: float = Field(
        0.0, ge=0, le=1, description="share of yesterday's quitters re-hired by other factories"
    )
    fill_rate: float = Field(0.04, ge=0, le=1, description="share of vacancies filled per day")
    safety_factor: float = Field(0.08, ge=0, le=1, description="labour hoarded above plan needs")
    village_share: float = Field(
        0.6, ge=0, le=1, description="newcomers from the village (a share)"
    )
    newcomer_skill: Distribution = Distribution(alpha=2.0, beta=4.0)
    newcomer_consciousness: Distribution = Distribution(alpha=1.5, beta=7.0)


class Learning(_Strict):
    """Skill learning and party schooling (mechanisms.learning)."""

    skill_rate: float = Field(
        0.002, ge=0, le=1, description="daily approach of skill to 1 (a share of the distance)"
    )
    party_schooling: float = Field(
        0.0002, ge=0, le=1, description="daily approach of c to 1, members (a share)"
    )


class Institutions(_Strict):
    """Production conferences, control commissions, inventors' clubs."""

    enabled: bool = True
    join0: float = logit(-5.0, "monthly log-odds of joining")
    join_c: float = logit(3.0, "per unit of consciousness")
    join_party: float = logit(1.2, "of party members")
    join_participation: float = logit(2.5, "per unit of the campaign for participation")
    join_fear: float = logit(2.5, "lost per unit of fear")
    leave: float = Field(
        0.06, ge=0, le=1, description="monthly chance a member leaves (a probability)"
    )
    proposal_rate: float = Field(
        0.08, ge=0, le=1, description="daily chance a member makes a proposal"
    )
    adopt0: float = logit(-0.3, "log-odds a proposal is adopted")
    adopt_participation: float = logit(1.5, "per unit of the campaign for participation")
    adopt_authority: float = logit(1.5, "per unit of management's authority")
    adopt_gain: float = Field(0.05, ge=0, le=1, description="output gain per adopted proposal")
    finding_rate: float = Field(0.04, ge=0, le=1, description="daily chance of a finding")
    clash_rate: float = Field(0.05, ge=0, le=1, description="daily chance of a clash")
    clash_decay: float = Field(0.5, ge=0, le=1, description="monthly decay of shop clash pressure")
    training: float = Field(
        0.03, ge=0, le=1, description="skill gained by members (a share of the distance to 1)"
    )


class Meetings(_Strict):
    """PPO meetings: speakers, argument, outcome, concessions, accusations."""

    speakers: int = Field(6, ge=2, le=50, description="speakers per item (2 to 50)")
    attendance: float = Field(0.75, ge=0, le=1, description="share of members present")
    rho: float = Field(0.5, ge=0, le=10, description="rank bonus to argument strength (at most 10)")
    theta_frame: float = logit(4.0, "weight of the frame's fit in a speech's strength")
    theta_rank: float = logit(0.3, "weight of rank in a speech's strength")
    bias: float = logit(0.0, "log-odds of the workers' side, all else equal")
    binding: float = Field(1.0, ge=0, le=1, description="probability a resolution is carried out")
    union_stance: float = Field(
        0.6, ge=0, le=1, description="probability the union sides with workers"
    )
    union_turn: float = Field(
        0.5,
        ge=0,
        le=1,
        description="share of union_stance lost once the unions turn 'face to production' "
        "(timeline variable union_production, 1929-30; an assumption: the size of the turn was "
        "not found)",
    )
    foreman_deal: float = Field(
        0.0, ge=0, le=1, description="shop-floor deals that block norm rises"
    )
    norm_rollback: float = Field(
        0.04,
        ge=0,
        le=0.5,
        description="norms cut by a concession (a share; at most half: a cut to nothing would "
        "leave no norm for piece rates to pay by)",
    )
    safety_gain: float = Field(
        0.08, ge=0, le=1, description="shop safety won by a concession (share of the gap to 1)"
    )
    pay_correction: float = Field(
        0.03, ge=0, le=1, description="pay raised by a concession (a share)"
    )
    authority_loss: float = Field(
        0.06, ge=0, le=1, description="management authority lost by a defeat (authority: 0-1)"
    )
    authority_gain: float = Field(
        0.04, ge=0, le=1, description="authority regained per meeting (share of the gap to 1)"
    )
    will_gain: float = Field(
        0.3, ge=0, le=1, description="enforcement will regained (share of the gap to 1)"
    )
    acc0: float = logit(-2.2, "log-odds of an accusation after a meeting")
    acc_heat: float = logit(1.0, "per unit of the meeting's heat")
    acc_vigilance: float = logit(2.0, "per unit of the vigilance campaign")
    acc_loss: float = logit(0.5, "per defeat")
    pol0: float = logit(-5.5, "log-odds that an accusation is political")
    pol_vigilance: float = logit(6.5, "per unit of vigilance")
    pol_prior: float = logit(0.8, "of a person accused before")
    pol_specialist: float = logit(1.0, "of specialists")
    # who meets and what is heard (docs/ODD.md section 7, "PPO meeting"; data/history_sources.csv
    # topic party_rules)
    partkom_threshold: int = Field(
        300,
        ge=1,
        le=10_000_000,
        description="members and candidates from which the plant works through a "
        "party committee (partkom) with shop organisations",
    )
    partkom_elected: int = Field(
        9,
        ge=0,
        le=200,
        description="elected communists on the partkom besides the secretary, "
        "director and union chair (assumption)",
    )
    general_every: int = Field(
        3,
        ge=1,
        le=12,
        description="months between general meetings of all communists where a "
        "partkom meets monthly (assumption)",
    )
    findings_items: int = Field(
        1,
        ge=0,
        le=10,
        description="control-commission items per meeting (the commission's report; was up to 3)",
    )
    personal_cases: int = Field(
        1, ge=0, le=10, description="personal cases of accused communists heard per meeting"
    )
    campaign_item: float = Field(
        1.0,
        ge=0,
        le=100,
        description="chance of a campaign item per meeting per unit of the campaign "
        "variable (capped at 1)",
    )
    frame_temperature: float = Field(
        0.03,
        ge=0,
        le=10,
        description="softmax temperature of a speaker's frame choice over the "
        "frames' fits (0: the best fit)",
    )


class Repression(_Strict):
    """Investigation, expulsion, arrest, vydvizhentsy (mechanisms.repression)."""

    expel0: float = logit(-2.5, "log-odds of expulsion after an investigation")
    expel_political: float = logit(2.0, "if the charge is political")
    expel_vigilance: float = logit(1.5, "per unit of vigilance")
    arrest0: float = logit(-6.0, "log-odds of arrest after expulsion")
    arrest_vigilance: float = logit(5.0, "per unit of vigilance")
    arrest_quota: float = logit(1.5, "per unit of the arrest quotas")
    arrest_manager: float = logit(0.8, "of managers")
    arrest_baiting: float = Field(
        1.0,
        ge=-LOGIT,
        le=LOGIT,
        description="referrals of specialists and managers while they are baited" + LOGIT_WHY,
    )
    ogpu_rate: float = Field(
        2.3e-5,
        ge=0,
        le=0.01,
        description="daily arrests per specialist or manager at full specialist-baiting "
        "(the OGPU's 'wrecking' cases; set so that the Putilov works of 1930 lose about "
        "five, as in June 1930: data/history_sources.csv)",
    )
    expel_appeals: float = Field(
        1.0,
        ge=0,
        le=LOGIT,
        description="restraint on expulsion once appeals are heard (January 1938)" + LOGIT_WHY,
    )
    quota_rate: float = Field(
        4e-5, ge=0, le=0.01, description="daily background arrests per person at full quota"
    )
    vydvizhenets_penalty: float = Field(
        0.15, ge=0, le=1, description="authority lost by a promoted worker (a share)"
    )
    vydvizhenets_days: float = Field(
        180.0, ge=1, le=36_500, description="mean days of the promoted's penalty (1 to 36,500)"
    )


class Party(_Strict):
    """Recruitment, candidacy, purges, shock work, Stakhanovism (mechanisms.party)."""

    recruit_rate: float = Field(
        0.0065,
        ge=0,
        le=1,
        description="monthly admissions per employee, open (calibrated so that the plant's "
        "communists follow the national party relative to industrial employment: "
        "data/README.md)",
    )
    recruit_c: float = logit(3.0, "admission log-odds per unit of consciousness")
    recruit_shock: float = logit(1.0, "of shock workers")
    recruit_stakhanovite: float = logit(1.5, "of Stakhanovites")
    candidacy_days: int = Field(
        365, ge=1, le=3650, description="days of candidacy before admission (at most ten years)"
    )
    purge_passive: float = logit(1.5, "purge log-odds of the passive")
    purge_accused: float = logit(2.0, "of the accused")
    purge_recent: float = logit(1.0, "of recent admissions")
    purge_days: float = Field(
        120.0, ge=1, le=36_500, description="mean days before a member is screened (1 to 36,500)"
    )
    shock0: float = logit(-6.0, "monthly log-odds of becoming a shock worker")
    shock_campaign: float = logit(5.0, "per unit of the campaign")
    shock_c: float = logit(2.0, "per unit of consciousness")
    stakh0: float = logit(-12.0, "monthly log-odds of becoming a Stakhanovite")
    stakh_campaign: float = logit(4.0, "per unit of the campaign")
    stakh_skill: float = logit(3.0, "per unit of skill")
    reinstate_rate: float = Field(
        0.0049,
        ge=0,
        le=1,
        description="daily reinstatement of the recently expelled while appeals are heard "
        "(190 of 321 in six months, Dzerzhinsky district of Moscow, 1938: data/"
        "history_sources.csv)",
    )
    appeal_window_days: int = Field(
        730, ge=0, le=10_000, description="how recent an expulsion an appeal can reverse"
    )


class Elections(_Strict):
    """Elections of the party secretary and the union chair (mechanisms.posts): each voter
    votes against the holder with ``sigma(vote0 + vote_grievance g + vote_accused [holder
    accused] - vote_fear phi (1 - secret))``; the holder goes if most vote against.
    """

    vote0: float = logit(-1.0, "log-odds of a vote against the holder")
    vote_grievance: float = logit(1.0, "per unit of grievance")
    vote_accused: float = logit(1.5, "if the holder is accused")
    vote_fear: float = logit(2.0, "lost per unit of fear in an open ballot")


class Counterfactual(_Strict):
    """Counterfactual switches (timeline drops or mechanisms switched off)."""

    no_terror: bool = False
    no_institutions: bool = False
    no_purges: bool = False
    no_recruitment_freeze: bool = False
    no_1940_decree: bool = False


class Record(_Strict):
    """What the event log keeps (all kinds by default; big scenarios drop the bulky ones)."""

    skip_events: list[
        Literal[
            "speech",
            "accident",
            "proposal",
            "clash",
            "control_finding",
            "prosecution",
            "expulsion",
            "arrest",
            "directive",
        ]
    ] = Field(default_factory=list)


class Calibration(_Strict):
    """Free parameters for calibration and sensitivity: dotted name -> (low, high), uniform."""

    priors: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {
            "turnover.q0": (-7.5, -5.8),
            "party.recruit_rate": (0.004, 0.02),
            "absence.a0": (-4.2, -3.0),
            "hiring.fill_rate": (0.02, 0.08),
        }
    )

    @model_validator(mode="after")
    def _bounds(self):
        for key, (lo, hi) in self.priors.items():
            if not lo < hi:
                raise ValueError(f"calibration.priors.{key}: low must be below high")
        return self


class Scenario(_Strict):
    """A complete scenario: what to simulate, under which regime, with which parameters."""

    name: str = Field(
        "custom",
        description="the run's name (names its folder): no path separators or control "
        "characters, not starting with a dot, at most 100 characters",
    )
    description: str = ""
    regime: Literal["bargaining", "despotism", "niche"] = "bargaining"
    seed: int = Field(
        1, ge=0, lt=2**63, description="root random seed (a 64-bit key: 0 to 2**63 - 1)"
    )
    timeline: str = Field("bundled", description="'bundled' or a path to a timeline CSV")
    period: Period = Period()
    factories: Factories = Factories()
    absence: Absence = Absence()
    production: Production = Production()
    accidents: Accidents = Accidents()
    pay: Pay = Pay()
    norms: Norms = Norms()
    plan: Plan = Plan()
    grievance: Grievance = Grievance()
    fear: Fear = Fear()
    turnover: Turnover = Turnover()
    hiring: Hiring = Hiring()
    learning: Learning = Learning()
    institutions: Institutions = Institutions()
    meetings: Meetings = Meetings()
    repression: Repression = Repression()
    party: Party = Party()
    elections: Elections = Elections()
    counterfactual: Counterfactual = Counterfactual()
    calibration: Calibration = Calibration()
    record: Record = Record()

    @field_validator("name")
    @classmethod
    def _a_name(cls, v: str) -> str:
        bad = any(ch in "/\\" or ord(ch) < 32 for ch in v)
        if not v or len(v) > 100 or v.startswith(".") or bad:
            raise ValueError(
                "a name, not a path: 1-100 characters, no '/', '\\' or control characters, "
                "not starting with '.'"
            )
        return v

    @model_validator(mode="after")
    def _fits_in_memory(self):
        fs = self.factories
        years = (self.period.end - self.period.start).days / 365.25
        peak = max(
            [(1.0 + fs.growth) ** years if fs.growth > 0 else 1.0] + [m for _, m in fs.growth_path]
        )
        if fs.count * fs.size * max(peak, 1.0) > MAX_EMPLOYEES:
            raise ValueError(
                f"factories: count x size x peak growth is {fs.count * fs.size * peak:,.0f} "
                f"employees; at most {MAX_EMPLOYEES:,} (Soviet industry had about 11 million)"
            )
        return self

    @model_validator(mode="after")
    def _priors_name_parameters(self):
        for key in self.calibration.priors:
            group, _, name = key.partition(".")
            sub = getattr(self, group, None)
            if not isinstance(sub, BaseModel) or name not in type(sub).model_fields:
                raise ValueError(f"calibration.priors: {key!r} is not a scenario parameter")
            if not isinstance(getattr(sub, name), int | float) or isinstance(
                getattr(sub, name), bool
            ):
                raise ValueError(f"calibration.priors: {key!r} is not a number")
        return self
