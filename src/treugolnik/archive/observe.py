"""The observation model: what a historian would code from the surviving minutes of a run.

docs/ARCHIVE.md, "The observation model". A run converted to the archive's format
(:func:`convert.from_events`) holds every meeting as if all its minutes survived and recorded
everything. :func:`observe` keeps what an archive would:

- a meeting's minutes survive if its body is among ``bodies`` and its year among ``years``
  (None: all), and then with probability ``meeting_rate``;
- of the meetings left, at most ``meetings`` are kept (None: all), a uniformly drawn sample:
  the number of meetings a historian codes;
- a surviving meeting keeps its items, resolutions, accusations and investigations (the minutes
  record what was heard and resolved); each speech is recorded with probability
  ``speech_rate`` (minutes list some speakers and not others);
- each recorded speech's side is misread with probability ``confusion`` (coded as one of the
  other sides, drawn uniformly), and, independently, its frame with the same probability (one of
  the other frames of the codebook, ``other`` and ``unknown`` excepted); a resolution's
  ``carried`` (which side's position carried) is misread at the same rate (as the other side),
  and with it a personal case's ``charge_upheld`` (read from the same outcome);
- whether a resolution was carried out (``binding``) shows in the minutes (a later meeting
  checks its fulfilment) with probability ``outcome_rate``, else it is coded ``unknown``.

Every draw comes from its own stream of ``numpy.random.default_rng((seed, stream))``, one
uniform per row in the archive's row order whatever the rates, so a run observed twice with the
same seed gives the same archive, and changing one rate does not reshuffle the other draws. At
the default rates (meeting, speech and outcome rates 1, confusion 0) the archive is returned
unchanged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import polars as pl

from .codebook import FRAME, LEVELS, OTHER, SIDE, UNKNOWN, Archive

SIDES_READ = tuple(s for s in SIDE if s != UNKNOWN)
FRAMES_READ = tuple(f for f in FRAME if f not in (OTHER, UNKNOWN))
_STREAM = {"meeting": 1, "speech": 2, "side": 3, "side_to": 4, "frame": 5, "frame_to": 6,
           "sample": 7, "carried": 8, "outcome": 9}  # fmt: skip
CARRIED_READ = ("workers", "management")


@dataclass(frozen=True)
class Observation:
    """The parameters of the observation model (see the module's docstring)."""

    meeting_rate: float = 1.0
    speech_rate: float = 1.0
    confusion: float = 0.0
    outcome_rate: float = 1.0
    bodies: tuple[str, ...] | None = None
    years: tuple[int, ...] | None = None
    meetings: int | None = None
    seed: int = 0

    def problems(self) -> list[str]:
        out = []
        for name in ("meeting_rate", "speech_rate", "confusion", "outcome_rate"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                out.append(f"{name.replace('_', '-')}: must lie in 0..1 (got {v})")
        body_codes = LEVELS["meetings"].columns["body"]
        for b in self.bodies or ():
            if b not in body_codes:
                out.append(f"bodies: {b!r} is not a body (one of {', '.join(body_codes)})")
        if self.meetings is not None and self.meetings < 1:
            out.append(f"meetings: must be at least 1 (got {self.meetings})")
        return out

    def as_dict(self) -> dict:
        d = asdict(self)
        d["bodies"] = list(self.bodies) if self.bodies is not None else None
        d["years"] = list(self.years) if self.years is not None else None
        return d


def _uniforms(seed: int, stream: str, n: int) -> np.ndarray:
    return np.random.default_rng((seed, _STREAM[stream])).random(n)


def _misread(values: list[str], codes: tuple[str, ...], u_hit, u_to, rate: float) -> list[str]:
    """Each value replaced, with probability ``rate``, by one of the other ``codes``."""
    if not len(values) == len(u_hit) == len(u_to):
        raise ValueError("_misread: values and draws of different lengths")
    out = list(values)
    others = {v: [c for c in codes if c != v] for v in codes}
    # (only the values a draw hits are looked at)
    for j in np.flatnonzero(np.asarray(u_hit) < rate).tolist():
        alt = others.get(out[j])
        if alt is not None:
            out[j] = alt[min(int(float(u_to[j]) * len(alt)), len(alt) - 1)]
    return out


def observe(archive: Archive, obs: Observation) -> Archive:
    """The archive a historian would code from ``archive`` under ``obs``."""
    m = archive["meetings"]
    keep = _uniforms(obs.seed, "meeting", m.height) < obs.meeting_rate
    if obs.bodies is not None:
        keep &= m["body"].is_in(list(obs.bodies)).to_numpy()
    if obs.years is not None:
        years = m["date"].str.slice(0, 4).cast(pl.Int32)
        keep &= years.is_in(list(obs.years)).to_numpy()
    if obs.meetings is not None and keep.sum() > obs.meetings:
        # the sample: the kept meetings with the smallest draws (one draw per meeting row)
        u = np.where(keep, _uniforms(obs.seed, "sample", m.height), np.inf)
        keep = np.zeros(m.height, dtype=bool)
        keep[np.argsort(u, kind="stable")[: obs.meetings]] = True
    meetings = m.filter(pl.Series(keep))
    items = archive["items"].filter(pl.col("meeting_id").is_in(meetings["meeting_id"].implode()))
    on_items = pl.col("item_id").is_in(items["item_id"].implode())
    sp = archive["speeches"]
    heard = (_uniforms(obs.seed, "speech", sp.height) < obs.speech_rate) & sp["item_id"].is_in(
        items["item_id"].implode()
    ).to_numpy()
    # (the confusion draws are made for every speech of the run, recorded or not)
    side = _misread(sp["side"].to_list(), SIDES_READ, _uniforms(obs.seed, "side", sp.height),
                    _uniforms(obs.seed, "side_to", sp.height), obs.confusion)  # fmt: skip
    frame = _misread(sp["frame"].to_list(), FRAMES_READ, _uniforms(obs.seed, "frame", sp.height),
                     _uniforms(obs.seed, "frame_to", sp.height), obs.confusion)  # fmt: skip
    speeches = sp.with_columns(pl.Series("side", side), pl.Series("frame", frame)).filter(
        pl.Series(heard)
    )
    rs = archive["resolutions"]
    carried = _misread(rs["carried"].to_list(), CARRIED_READ,
                       _uniforms(obs.seed, "carried", rs.height),
                       np.zeros(rs.height), obs.confusion)  # fmt: skip
    shown = _uniforms(obs.seed, "outcome", rs.height) < obs.outcome_rate
    binding = [b if ok else UNKNOWN for b, ok in zip(rs["binding"].to_list(), shown, strict=True)]
    # a personal case's outcome is read from the same reading of who carried: misread with it
    flip = {"yes": "no", "no": "yes"}
    upheld = [
        flip.get(u, u) if new != old else u
        for u, new, old in zip(
            rs["charge_upheld"].to_list(), carried, rs["carried"].to_list(), strict=True
        )
    ]
    resolutions = rs.with_columns(pl.Series("carried", carried), pl.Series("binding", binding),
                                  pl.Series("charge_upheld", upheld))  # fmt: skip
    resolutions = resolutions.filter(on_items)
    accusations = archive["accusations"].filter(on_items)
    investigations = archive["investigations"].filter(
        pl.col("accusation_id").is_in(accusations["accusation_id"].implode())
    )
    frames = {"meetings": meetings, "items": items, "speeches": speeches,
              "resolutions": resolutions, "accusations": accusations,
              "investigations": investigations}  # fmt: skip
    return Archive(frames, source=archive.source)
