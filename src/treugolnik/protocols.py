"""Meeting protocols: the event log printed as a historian reads party minutes.

>>> from treugolnik.protocols import render_protocols     # doctest: +SKIP
>>> print(render_protocols(events, limit=1))               # doctest: +SKIP

Each meeting becomes a protocol in the form of the period's party minutes: the body that met
(the general meeting of the party cell before the rules of the XVII Congress, of the primary
party organisation after them, with the rules' date read from data/history_sources.csv; or the
session of the party committee, partkom, of a large organisation), date, factory, who chaired
and who was present, the agenda, then for every item what was heard (the speakers and the frame
of their argument), what was resolved and how, and the accusations, investigations, expulsions,
arrests and promotions that followed. Offices carry the period's titles: secretary of the cell
bureau, of the party bureau or of the partkom; chair of the factory committee (fabzavkom);
director.

How an outcome is printed (data/history_sources.csv, topic ``protocols``): minutes recorded the
resolution adopted, tersely, with the conflict in the debate; so the resolution is printed as
adopted, the losing side's strongest speaker's proposal as an amendment not adopted, and a
resolution the model does not carry out with a later note saying so. No source was found that
such minutes wrote "unanimously" (the row is not_found), and the model has no vote count, so
neither is printed. The side that prevailed in the model is given in brackets for the reader.

Everything printed comes from the event log; nothing is invented here except the surnames,
which are a deterministic function of the person id so that the same person keeps the same
name.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import polars as pl

from .mechanisms.meetings import rules_dates

_SURNAMES = (
    "Ivanov",
    "Petrov",
    "Smirnov",
    "Kuznetsov",
    "Popov",
    "Vasiliev",
    "Sokolov",
    "Mikhailov",
    "Novikov",
    "Fedorov",
    "Morozov",
    "Volkov",
    "Alekseev",
    "Lebedev",
    "Semenov",
    "Egorov",
    "Pavlov",
    "Kozlov",
    "Stepanov",
    "Nikolaev",
    "Orlov",
    "Andreev",
    "Makarov",
    "Nikitin",
    "Zakharov",
    "Zaitsev",
    "Soloviev",
    "Borisov",
    "Yakovlev",
    "Grigoriev",
    "Romanov",
    "Vorobiev",
    "Sergeev",
    "Frolov",
    "Gusev",
    "Titov",
    "Kuzmin",
    "Belov",
    "Kiselev",
    "Tarasov",
)
_INITIALS = (
    "A",
    "B",
    "V",
    "G",
    "D",
    "E",
    "I",
    "K",
    "L",
    "M",
    "N",
    "O",
    "P",
    "R",
    "S",
    "T",
    "F",
    "Ya",
)
_ROLE_WORD = {
    "worker": "worker",
    "foreman": "foreman",
    "specialist": "engineer",
    "manager": "manager",
    "": "comrade",
}
_TOPIC = {
    "plan": "On the fulfilment of the production plan",
    "norms_pay": "On output norms and pay",
    "safety": "On accidents and labour safety",
    "discipline": "On labour discipline",
    "directive": "On the implementation of a directive",
    "control_finding": "On the report of the control commission",
    "campaign": "On the campaign",
    "personal_case": "On the personal case of",
    "admissions": "On admissions to the party",
}
_BODY = {
    ("general", "cell"): "the general meeting of the party cell (yacheika)",
    ("general", "ppo"): "the general meeting of the primary party organisation",
    ("general_with_partkom", "cell"): "the general meeting of the communists of the works "
    "(party committee and shop cells)",
    ("general_with_partkom", "ppo"): "the general meeting of the primary party organisation "
    "(party committee and shop organisations)",
    ("partkom", "cell"): "the session of the party committee (partkom) of the works, with the "
    "delegates of the shop cells",
    ("partkom", "ppo"): "the session of the party committee (partkom) of the primary party "
    "organisation, with the delegates of the shop organisations",
}
_SECRETARY = {
    ("general", "cell"): "secretary of the cell bureau",
    ("general", "ppo"): "secretary of the party bureau",
}
_OFFICE = {"union_chair": "chair of the factory committee (fabzavkom)", "director": "director"}
_FRAME = {
    "plan_discipline": "the plan is law",
    "one_man_management": "one-man management must be respected",
    "vigilance_against_wreckers": "vigilance against wreckers",
    "self_criticism": "Bolshevik self-criticism from below",
    "against_bureaucratism": "the struggle against bureaucratism",
    "socialist_competition": "socialist competition and shock work",
    "care_for_workers": "care for the workers' needs",
}
_CHARGE = {
    "negligence": "negligence",
    "incompetence": "incompetence",
    "bureaucratism": "bureaucratism",
    "self_seeking": "self-seeking",
    "political_unreliability": "political unreliability",
    "sabotage": "sabotage (wrecking)",
}


def name_of(pid: int) -> str:
    """A stable, name-like label for a person id, e.g. ``Petrov A. (No. 1234)``."""
    if pid is None or pid < 0:
        return "unnamed"
    h = (pid * 2654435761) & 0xFFFFFFFF
    return f"{_SURNAMES[h % len(_SURNAMES)]} {_INITIALS[(h >> 8) % len(_INITIALS)]}. (No. {pid})"


def _who(pid: int, role: str) -> str:
    return f"{_ROLE_WORD.get(role, role)} {name_of(pid)}"


def render_protocols(
    events: pl.DataFrame,
    *,
    factory: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int | None = None,
) -> str:
    """Render the meetings in ``events`` (filtered) as protocols; returns the text."""
    meetings = events.filter(pl.col("kind") == "meeting").sort(["date", "factory", "event_id"])
    # a protocol's number: its place among all its factory's meetings in the log
    ordinal = meetings.with_columns(pl.int_range(1, pl.len() + 1).over("factory").alias("no"))
    number = dict(zip(ordinal["event_id"].to_list(), ordinal["no"].to_list(), strict=True))
    # the day of each factory's previous meeting (elections since then are reported)
    prev = ordinal.sort(["factory", "date"]).with_columns(
        pl.col("date").shift(1).over("factory").alias("prev")
    )
    previous = dict(zip(prev["event_id"].to_list(), prev["prev"].to_list(), strict=True))
    elections = events.filter((pl.col("kind") == "election") & (pl.col("parent_id") < 0))
    elected = {
        r["parent_id"]: r
        for r in events.filter(
            (pl.col("kind") == "election") & (pl.col("parent_id") >= 0)
        ).iter_rows(named=True)
    }
    if factory is not None:
        meetings = meetings.filter(pl.col("factory") == factory)
    if date_from is not None:
        meetings = meetings.filter(pl.col("date") >= date_from)
    if date_to is not None:
        meetings = meetings.filter(pl.col("date") <= date_to)
    meetings = meetings.sort(["date", "factory", "event_id"])
    if limit is not None:
        meetings = meetings.head(limit)
    if meetings.height == 0:
        return "No meetings match.\n"
    lo, hi = meetings["date"].min(), meetings["date"].max()
    related = events.filter(
        (pl.col("date") >= lo) & (pl.col("date") <= hi) & (pl.col("parent_id") >= 0)
    )
    children: dict[int, list[dict]] = defaultdict(list)
    for row in related.iter_rows(named=True):
        children[row["parent_id"]].append(row)
    out: list[str] = []
    rules = rules_dates().get("1934")
    for m in meetings.iter_rows(named=True):
        f = m["factory"]
        d = m["date"]
        body = m["topic"] or "general"
        form = m["outcome"] or ("cell" if rules and d < rules else "ppo")
        secretary = _SECRETARY.get((body, form), "secretary of the party committee (partkom)")
        offices = dict(_OFFICE, secretary=secretary)
        out.append("=" * 78)
        out.append(f"PROTOCOL No. {number[m['event_id']]} of {_BODY.get((body, form), body)}")
        out.append(f"Factory {f}    {_date(d)}")
        if form == "ppo" and rules is not None:
            out.append(f"(under the party rules of {_date(rules)})")
        if m["person"] is not None and m["person"] >= 0:
            out.append(f"Chair: {secretary} {name_of(m['person'])}")
        out.append(f"Present: {m['detail'].removeprefix('present: ')}")
        since = previous.get(m["event_id"])
        held = elections.filter(
            (pl.col("factory") == f)
            & (pl.col("date") <= d)
            & ((pl.col("date") > since) if since is not None else pl.lit(True))
        )
        for e in held.iter_rows(named=True):
            out.extend(_election(e, elected.get(e["event_id"]), offices))
        items = [c for c in children[m["event_id"]] if c["kind"] == "item"]
        out.append("AGENDA:")
        for j, it in enumerate(items, 1):
            out.append(f"  {j}. {_title(it)}")
        for j, it in enumerate(items, 1):
            out.append("")
            detail = f" ({it['detail']})" if it["detail"] else ""
            out.append(f"{j}. HEARD: {_title(it)}{detail}.")
            sub = children[it["event_id"]]
            speeches = [c for c in sub if c["kind"] == "speech"]
            if speeches:
                out.append("   SPOKE:")
            for sp in speeches:
                side = {
                    "workers": "workers' side",
                    "management": "management's side",
                    "party_line": "party line",
                }.get(sp["side"], sp["side"])
                office = f" ({offices.get(sp['detail'], sp['detail'])})" if sp["detail"] else ""
                out.append(
                    f"     - {_who(sp['person'], sp['role'])}{office}: "
                    f'"{_FRAME.get(sp["frame"], sp["frame"])}" '
                    f"[{side}, {sp['strength']:.2f}]"
                )
            for res in (c for c in sub if c["kind"] == "resolution"):
                out.extend(_outcome(res, speeches))
                for ev in children[res["event_id"]]:
                    out.extend(_consequences(ev, children, indent="   "))
    out.append("=" * 78)
    return "\n".join(out) + "\n"


def _election(ev: dict, successor: dict | None, offices: dict) -> list[str]:
    """An election held since the factory's last meeting, as the minutes' preamble."""
    office = offices.get(ev["topic"], ev["topic"])
    how, _, against = (ev["detail"] or "").partition(": ")
    ballot = how.partition(", ")[2] or how
    line = (
        f"ELECTION of the {office} ({ballot}, {_date(ev['date'])}): "
        f"{_who(ev['target'], ev['target_role'])} {ev['outcome']}"
        + (f", {against}" if against else "")
        + "."
    )
    if successor is not None:
        line += f" Elected: {_who(successor['target'], successor['target_role'])}."
    return [line]


def _date(d: dt.date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def _title(item: dict) -> str:
    """The agenda line of an item (a personal case names the comrade)."""
    title = _TOPIC.get(item["topic"], item["topic"])
    if item["topic"] == "personal_case":
        title += f" comrade {name_of(item['target'])} ({_ROLE_WORD.get(item['target_role'], '')})"
    return title


def _outcome(res: dict, speeches: list[dict]) -> list[str]:
    """What the minutes record of a resolution: adopted, the losing side's strongest
    proposal as an amendment not adopted, a later note if it was not carried out.
    """
    winner = res["side"]
    lines = [f"   RESOLVED: {res['detail']}.", "   Adopted."]
    losers = [
        sp for sp in speeches if sp["side"] not in (winner, "party_line") and sp["strength"] > 0
    ]
    if losers:
        best = max(losers, key=lambda sp: sp["strength"])
        lines.append(
            f"   An amendment of {_who(best['person'], best['role'])} "
            f'("{_FRAME.get(best["frame"], best["frame"])}") was put and not adopted.'
        )
    if "not carried out" in (res["outcome"] or ""):
        lines.append("   Later note: the resolution was not carried out.")
    side = {"workers": "the workers'", "management": "the management's"}.get(winner, winner)
    lines.append(f"     [in the model: {side} side prevailed]")
    return lines


def _consequences(ev: dict, children: dict, indent: str) -> list[str]:
    lines: list[str] = []
    kind = ev["kind"]
    if kind == "directive":
        done = "adopted for execution" if ev["outcome"] == "adopted" else "not adopted (resisted)"
        lines.append(
            f"{indent}The directive {done} [in the model: gap between directive and plant "
            f"result {ev['strength']:.2f}]."
        )
    elif kind == "accusation":
        accuser = _who(ev["person"], ev["role"]) if ev["person"] >= 0 else "the meeting"
        lines.append(
            f"{indent}ACCUSATION: {accuser} accused {_who(ev['target'], ev['target_role'])}"
            f" of {_CHARGE.get(ev['charge'], ev['charge'])}."
        )
    elif kind == "investigation":
        lines.append(f"{indent}  Investigation of {name_of(ev['target'])}: {ev['outcome']}.")
    elif kind == "expulsion":
        lines.append(f"{indent}  {name_of(ev['target'])} expelled from the party.")
    elif kind == "arrest":
        police = ev["detail"] if ev["detail"] in ("OGPU", "NKVD") else "NKVD"
        lines.append(
            f"{indent}  {name_of(ev['target'])} ({ev['target_role']}) referred to the "
            f"{police} and arrested."
        )
    elif kind == "promotion":
        was = f"{ev['role']} and party member" if ev["detail"] == "vydvizhenets" else ev["role"]
        tag = " (vydvizhenets)" if ev["detail"] == "vydvizhenets" else ""
        lines.append(
            f"{indent}  {name_of(ev['target'])}, {was}, promoted to {ev['target_role']}{tag}."
        )
    for child in children.get(ev["event_id"], []):
        lines.extend(_consequences(child, children, indent))
    return lines
