"""Meeting protocols: the event log printed as a historian reads party minutes.

>>> from treugolnik.protocols import render_protocols     # doctest: +SKIP
>>> print(render_protocols(events, limit=1))               # doctest: +SKIP

Each general meeting of the primary party organisation becomes a protocol in the form of
Soviet party minutes: date, factory, who was present, the agenda, then for every item what was
heard (the speakers, their side and the frame of their argument), what was resolved, and the
accusations, investigations, expulsions, arrests and promotions that followed. Everything
printed comes from the event log; nothing is invented here except the surnames, which are a
deterministic function of the person id so that the same person keeps the same name.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import polars as pl

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
    "directive": "On the implementation of a directive of the Central Committee",
    "control_finding": "On a finding of the control commission",
}
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
    meetings = events.filter(pl.col("kind") == "meeting")
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
    number: dict[int, int] = defaultdict(int)
    out: list[str] = []
    for m in meetings.iter_rows(named=True):
        f = m["factory"]
        number[f] += 1
        d = m["date"]
        out.append("=" * 78)
        out.append("PROTOCOL of the general meeting of the primary party organisation")
        out.append(f"Factory {f}    {d.day} {d.strftime('%B %Y')}    (event {m['event_id']})")
        out.append(f"Present: {m['detail'].removeprefix('present: ')}")
        items = [c for c in children[m["event_id"]] if c["kind"] == "item"]
        out.append("AGENDA:")
        for j, it in enumerate(items, 1):
            out.append(f"  {j}. {_TOPIC.get(it['topic'], it['topic'])}")
        for j, it in enumerate(items, 1):
            out.append("")
            out.append(f"{j}. HEARD: {_TOPIC.get(it['topic'], it['topic'])} ({it['detail']}).")
            sub = children[it["event_id"]]
            speeches = [c for c in sub if c["kind"] == "speech"]
            if speeches:
                out.append("   SPOKE:")
            for sp in speeches:
                side = {
                    "workers": "for the workers",
                    "management": "for the management",
                    "party_line": "for the party line",
                }.get(sp["side"], sp["side"])
                office = f" ({sp['detail']})" if sp["detail"] else ""
                out.append(
                    f"     - {_who(sp['person'], sp['role'])}{office}, {side}: "
                    f'"{_FRAME.get(sp["frame"], sp["frame"])}" '
                    f"(strength {sp['strength']:.2f})"
                )
            for res in (c for c in sub if c["kind"] == "resolution"):
                out.append(f"   RESOLVED: {res['detail']}.")
                out.append(
                    f"     [carried by the {res['side']} side; "
                    f"{res['outcome'].split(' ', 1)[1].strip('()')}]"
                )
                for ev in children[res["event_id"]]:
                    out.extend(_consequences(ev, children, indent="   "))
    out.append("=" * 78)
    return "\n".join(out) + "\n"


def _consequences(ev: dict, children: dict, indent: str) -> list[str]:
    lines: list[str] = []
    kind = ev["kind"]
    if kind == "directive":
        lines.append(
            f"{indent}DIRECTIVE {ev['detail']}: {ev['outcome']} "
            f"(gap between directive and plant result {ev['strength']:.2f})"
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
        lines.append(
            f"{indent}  {name_of(ev['target'])} ({ev['target_role']}) referred to the "
            f"NKVD and arrested."
        )
    elif kind == "promotion":
        lines.append(
            f"{indent}  {name_of(ev['target'])}, worker and party member, promoted to "
            f"{ev['target_role']} (vydvizhenets)."
        )
    for child in children.get(ev["event_id"], []):
        lines.extend(_consequences(child, children, indent))
    return lines
