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


class _Strict(BaseModel):
    # (no NaN or infinity in any number: a scenario's every float is a finite value)
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


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

    worker: float = Field(0.85, ge=0, le=1)
    foreman: float = Field(0.05, ge=0, le=1)
    specialist: float = Field(0.07, ge=0, le=1)
    manager: float = Field(0.03, gt=0, le=1)

    @model_validator(mode="after")
    def _sums(self):
        total = self.worker + self.foreman + self.specialist + self.manager
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"role_mix shares must sum to 1 (they sum to {total:.4f})")
        return self


class Distribution(_Strict):
    """A Beta(alpha, beta) distribution on [0, 1]."""

    alpha: float = Field(2.0, gt=0)
    beta: float = Field(3.0, gt=0)


class Factories(_Strict):
    """The plants: number, size, growth of the target headcount, shops, initial people."""

    count: int = Field(1, ge=1, le=100_000)
    size: int = Field(12_000, ge=10, description="employees per factory on the start date")
    size_sigma: float = Field(0.0, ge=0, le=3, description="lognormal spread of factory sizes")
    growth: float = Field(
        0.075, ge=-0.5, le=1.0, description="annual growth of the target headcount"
    )
    growth_path: list[tuple[dt.date, float]] = Field(
        default_factory=list,
        description="optional (date, multiple of start size) anchors; overrides growth",
    )
    shops: int = Field(24, ge=1, le=500)
    role_mix: RoleMix = RoleMix()
    party_share: float = Field(0.12, ge=0, le=1, description="members among employees")
    candidate_share: float = Field(0.05, ge=0, le=1)
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


class Absence(_Strict):
    """Absence, dismissal and prosecution (mechanisms.labour)."""

    a0: float = -3.6
    a_grievance: float = 1.0
    a_enforcement: float = 1.6
    a_fear: float = 1.0
    a_village: float = 0.5
    a_clash: float = 15.0
    will_base: float = Field(0.9, ge=0, le=1)
    will_vacancy: float = Field(6.0, ge=0, description="labour hoarding: will falls with vacancies")
    will_rate: float = Field(0.04, gt=0, le=1, description="daily return of will to equilibrium")
    dismiss_p: float = Field(0.03, ge=0, le=1)
    prosecute_p: float = Field(0.03, ge=0, le=1, description="absentee-days prosecuted (1940)")
    prosecute_quit_p: float = Field(0.8, ge=0, le=1, description="quitters prosecuted (1940)")


class Production(_Strict):
    """Effort, storming and output (mechanisms.production)."""

    e0: float = 1.0
    e_sd: float = Field(0.12, ge=0)
    e_max: float = 2.5
    b_campaign: float = 0.25
    b_peer: float = 0.3
    b_grievance: float = 0.15
    storm_k: float = Field(1.6, ge=0, description="effort per unit of month-to-date plan gap")
    storm_max: float = 0.8
    supply_lag: float = Field(0.3, ge=0, le=1, description="output lost in the first decade")
    disruption_institutions: float = Field(0.15, ge=0)
    shock_bonus: float = 0.1
    stakhanovite_bonus: float = 0.3


class Accidents(_Strict):
    """Accidents and injuries (mechanisms.production)."""

    p0: float = Field(1.5e-4, ge=0, le=1)
    k: float = 2.5
    e_safe: float = 1.2
    safety0: float = Field(0.3, ge=0, le=1)
    storm_factor: float = 1.0
    injury_days: float = Field(12.0, gt=0)
    death_share: float = Field(0.01, ge=0, le=1)
    grievance_shop: float = Field(
        0.03, ge=0, description="grievance to shop-mates per accident per 100 employees"
    )


class Pay(_Strict):
    """Piece rates and salaries (mechanisms.production, mechanisms.pay)."""

    tariff: float = Field(2.4, gt=0, description="rubles per day at 100% of norm, 1928")
    foreman: float = 1.4
    specialist: float = 1.9
    manager: float = 2.2
    stakhanovite_bonus: float = 0.5
    reference_real: float = Field(1.0, gt=0, description="real pay (1928 = 1) workers expect")


class Norms(_Strict):
    """Quarterly norm revision (mechanisms.pay)."""

    nu: float = Field(1.0, ge=0, description="norm rise per unit over-fulfilment and pressure")
    stakhanovite_push: float = Field(0.25, ge=0)
    wage_fund_push: float = Field(0.1, ge=0)
    min_overfulfilment: float = Field(1.05, ge=0)


class Plan(_Strict):
    """The annual plan ratchet (mechanisms.pay)."""

    lam: float = Field(0.8, ge=0, le=2, description="Weitzman ratchet coefficient")
    initial_fulfilment: float = Field(1.0, gt=0)


class Grievance(_Strict):
    """Grievance: its decay and what raises or lowers it."""

    decay: float = Field(0.01, ge=0, le=1)
    pay_gap: float = Field(0.012, ge=0)
    norm_rise: float = Field(3.0, ge=0)
    defeat: float = Field(0.15, ge=0)
    concession: float = Field(0.2, ge=0)
    stakhanovite_peer: float = Field(0.05, ge=0)
    g_max: float = Field(3.0, gt=0)


class Fear(_Strict):
    """Fear after arrests (mechanisms.repression) and its decay."""

    decay: float = Field(0.004, ge=0, le=1)
    shop_arrest: float = Field(0.15, ge=0)
    factory_arrest: float = Field(6.0, ge=0, description="factory-wide fear per 1% arrested")


class Turnover(_Strict):
    """Quits (mechanisms.labour)."""

    q0: float = -6.6
    q_grievance: float = 0.8
    q_tightness: float = 0.6
    q_penalty: float = 2.5
    q_tenure: float = 0.8
    q_party: float = 1.5
    q_village: float = 0.6


class Hiring(_Strict):
    """Hiring to target and the newcomers (mechanisms.hiring)."""

    flit_share: float = Field(
        0.0, ge=0, le=1, description="share of yesterday's quitters re-hired by other factories"
    )
    fill_rate: float = Field(0.04, ge=0, le=1, description="share of vacancies filled per day")
    safety_factor: float = Field(0.08, ge=0, le=1, description="labour hoarded above plan needs")
    village_share: float = Field(0.6, ge=0, le=1)
    newcomer_skill: Distribution = Distribution(alpha=2.0, beta=4.0)
    newcomer_consciousness: Distribution = Distribution(alpha=1.5, beta=7.0)


class Learning(_Strict):
    """Skill learning and party schooling (mechanisms.learning)."""

    skill_rate: float = Field(0.002, ge=0, description="daily approach of skill to 1")
    party_schooling: float = Field(0.0002, ge=0, description="daily approach of c to 1, members")


class Institutions(_Strict):
    """Production conferences, control commissions, inventors' clubs."""

    enabled: bool = True
    join0: float = -5.0
    join_c: float = 3.0
    join_party: float = 1.2
    join_participation: float = 2.5
    join_fear: float = 2.5
    leave: float = Field(0.06, ge=0, le=1)
    proposal_rate: float = Field(0.08, ge=0)
    adopt0: float = -0.3
    adopt_participation: float = 1.5
    adopt_authority: float = 1.5
    adopt_gain: float = Field(0.05, ge=0)
    finding_rate: float = Field(0.04, ge=0)
    clash_rate: float = Field(0.05, ge=0)
    clash_decay: float = Field(0.5, ge=0, le=1, description="monthly decay of shop clash pressure")
    training: float = Field(0.03, ge=0, le=1)


class Meetings(_Strict):
    """PPO meetings: speakers, argument, outcome, concessions, accusations."""

    speakers: int = Field(6, ge=2, le=50)
    attendance: float = Field(0.75, ge=0, le=1)
    rho: float = Field(0.5, ge=0, description="rank bonus to argument strength")
    theta_frame: float = 4.0
    theta_rank: float = 0.3
    bias: float = 0.0
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
    norm_rollback: float = Field(0.04, ge=0, le=1)
    safety_gain: float = Field(0.08, ge=0, le=1)
    pay_correction: float = Field(0.03, ge=0, le=1)
    authority_loss: float = Field(0.06, ge=0, le=1)
    authority_gain: float = Field(0.04, ge=0, le=1)
    will_gain: float = Field(0.3, ge=0, le=1)
    acc0: float = -2.2
    acc_heat: float = 1.0
    acc_vigilance: float = 2.0
    acc_loss: float = 0.5
    pol0: float = -5.5
    pol_vigilance: float = 6.5
    pol_prior: float = 0.8
    pol_specialist: float = 1.0
    # who meets and what is heard (docs/ODD.md section 7, "PPO meeting"; data/history_sources.csv
    # topic party_rules)
    partkom_threshold: int = Field(
        300,
        ge=1,
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
        description="chance of a campaign item per meeting per unit of the campaign "
        "variable (capped at 1)",
    )
    frame_temperature: float = Field(
        0.03,
        ge=0,
        description="softmax temperature of a speaker's frame choice over the "
        "frames' fits (0: the best fit)",
    )


class Repression(_Strict):
    """Investigation, expulsion, arrest, vydvizhentsy (mechanisms.repression)."""

    expel0: float = -2.5
    expel_political: float = 2.0
    expel_vigilance: float = 1.5
    arrest0: float = -6.0
    arrest_vigilance: float = 5.0
    arrest_quota: float = 1.5
    arrest_manager: float = 0.8
    arrest_baiting: float = Field(
        1.0, description="referrals of specialists and managers while they are baited"
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
        1.0, ge=0, description="restraint on expulsion once appeals are heard (January 1938)"
    )
    quota_rate: float = Field(
        4e-5, ge=0, description="daily background arrests per person at full quota"
    )
    vydvizhenets_penalty: float = Field(0.15, ge=0, le=1)
    vydvizhenets_days: float = Field(180.0, gt=0)


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
    recruit_c: float = 3.0
    recruit_shock: float = 1.0
    recruit_stakhanovite: float = 1.5
    candidacy_days: int = Field(365, ge=1)
    purge_passive: float = 1.5
    purge_accused: float = 2.0
    purge_recent: float = 1.0
    purge_days: float = Field(120.0, gt=0, description="mean days before a member is screened")
    shock0: float = -6.0
    shock_campaign: float = 5.0
    shock_c: float = 2.0
    stakh0: float = -12.0
    stakh_campaign: float = 4.0
    stakh_skill: float = 3.0
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

    vote0: float = -1.0
    vote_grievance: float = 1.0
    vote_accused: float = 1.5
    vote_fear: float = 2.0


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
    seed: int = Field(1, ge=0, lt=2**63)
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
