"""Loading scenarios: bundled names or TOML paths, regime presets, ``--set`` overrides, errors.

>>> from treugolnik import load_scenario
>>> s = load_scenario("kirov-small", sets=["period.end=1929-12-31"])
>>> s.period.end.isoformat()
'1929-12-31'

Precedence, lowest first: schema defaults, the regime preset, the scenario file, ``--set``.
Every problem is reported as one line naming the file (or ``--set``), the field and what is
allowed; all problems are collected before raising :class:`ScenarioError`.
"""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import ScenarioError
from .regimes import PRESETS
from .schema import REGIMES, Scenario

# ScenarioError lives in treugolnik.errors; it is re-exported here so that
# ``from treugolnik.scenario.load import ScenarioError`` keeps working.
__all__ = ["ScenarioError", "bundled_names", "bundled_path", "load_scenario", "parse_set"]


def bundled_names() -> list[str]:
    """Names of the bundled scenarios."""
    folder = resources.files("treugolnik.scenario") / "bundled"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def bundled_path(name: str) -> Path:
    return Path(str(resources.files("treugolnik.scenario") / "bundled" / f"{name}.toml"))


MAX_BYTES = 1 << 20  # a scenario file of more than 1 MiB is not a scenario
MAX_DEPTH = 16  # tables and arrays nested deeper than any scenario needs


def nesting(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in TOML text, outside strings and comments
    (checked before parsing: the parser recurses once a level).
    """
    depth = top = 0
    quote = ""
    comment = False
    for ch in text:
        if comment:
            comment = ch != "\n"
        elif quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            comment = True
        elif ch in "[{":
            depth += 1
            top = max(top, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return top


def _read_toml(path: Path, label: str) -> dict[str, Any]:
    missing = f"no such file or bundled scenario (bundled: {', '.join(bundled_names())})"
    return read_toml(path, label, "scenario", missing)


def read_toml(path: Path, label: str, what: str, missing: str) -> dict[str, Any]:
    """A TOML file (a scenario or a sweep) read with every check before parsing: not a
    folder, readable, at most :data:`MAX_BYTES`, UTF-8, nested at most :data:`MAX_DEPTH`.
    ``missing`` is said of a file that does not exist.
    """
    try:
        is_dir = path.is_dir()
    except (OSError, ValueError):
        is_dir = False
    if is_dir:
        raise ScenarioError([f"{label}: is a folder, not a {what} file"])
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError([f"{label[:300]}: {missing}"]) from None
    except (OSError, ValueError) as err:  # a name too long, a NUL in it, no permission
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise ScenarioError([f"{label[:200]}: cannot be read ({reason})"]) from None
    if len(data) > MAX_BYTES:
        raise ScenarioError([f"{label}: larger than {MAX_BYTES:,} bytes; not a {what} file"])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ScenarioError([f"{label}: not UTF-8 text (byte {err.start})"]) from None
    if nesting(text) > MAX_DEPTH:
        raise ScenarioError([f"{label}: tables or arrays nested deeper than {MAX_DEPTH}"])
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError([f"{label}: not valid TOML: {err}"]) from None


def parse_set(item: str) -> tuple[str, Any]:
    """Parse ``KEY=VALUE``; VALUE is read as a TOML value, else taken as a string."""
    if "=" not in item:
        raise ScenarioError([f"--set {item}: expected KEY=VALUE, e.g. period.end=1930-12-31"])
    key, raw = item.split("=", 1)
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise ScenarioError([f"--set {item}: empty key"])
    if len(item) > 10_000 or nesting(raw) > MAX_DEPTH:
        raise ScenarioError([f"--set {key}: value longer or nested deeper than a scenario needs"])
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        value = raw.strip()
    return key, value


def _set_dotted(tree: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    node = tree
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[parts[-1]] = value


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in top.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _model_at(loc: tuple) -> type[BaseModel] | None:
    model: Any = Scenario
    for part in loc:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        if field is None:
            return None
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        else:
            return None
    return model


def _describe(err: dict, source_of) -> str:
    loc = tuple(err["loc"])
    field = ".".join(str(p) for p in loc) or "(top level)"
    source = source_of(field)
    if err["type"] == "extra_forbidden":
        parent = _model_at(loc[:-1])
        allowed = ", ".join(parent.model_fields) if parent else "?"
        return f"{source}: unknown field '{field}' (allowed here: {allowed})"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    got = err.get("input")
    shown = "" if isinstance(got, dict) else f" (got {got!r})"
    return f"{source}: {field}: {msg}{shown}{_allowed(loc)}"


def _allowed(loc: tuple) -> str:
    """``; allowed: LOW to HIGH`` for a number field of the schema (else nothing)."""
    parent = _model_at(loc[:-1]) if loc else None
    info = parent.model_fields.get(loc[-1]) if parent and isinstance(loc[-1], str) else None
    if info is None or info.annotation not in (int, float):
        return ""
    lo = hi = None
    for m in info.metadata:
        for name, sign in (("ge", ""), ("gt", "above ")):
            if getattr(m, name, None) is not None:
                lo = f"{sign}{getattr(m, name):,}"
        for name, sign in (("le", ""), ("lt", "below ")):
            if getattr(m, name, None) is not None:
                hi = f"{sign}{getattr(m, name):,}"
    if lo is None or hi is None:
        return ""
    kind = "whole number" if info.annotation is int else "number"
    return f"; allowed: a {kind} from {lo} to {hi}"


def load_scenario(
    scenario: str | Path = "kirov",
    *,
    regime: str | None = None,
    seed: int | None = None,
    sets: list[str] | dict[str, Any] | None = None,
) -> Scenario:
    """Load a bundled scenario by name or a TOML file, apply the regime preset and overrides.

    Args:
        scenario: a bundled name (see ``treugolnik scenarios``) or a path to a TOML file.
        regime: ``bargaining``, ``despotism`` or ``niche``; default: the file's, else bargaining.
        seed: the root seed; default: the file's, else 1.
        sets: ``["KEY=VALUE", ...]`` or ``{"key": value}`` overrides with dotted keys.

    Returns:
        A validated :class:`Scenario`.

    Raises:
        ScenarioError: one line per problem, naming file, field and allowed values.

    """
    text = str(scenario)
    if text in bundled_names():
        path, label = bundled_path(text), f"{text}.toml"
    else:
        path, label = Path(text), text
    raw = _read_toml(path, label)
    raw.setdefault("name", path.stem)
    tl = raw.get("timeline")
    if isinstance(tl, str) and tl != "bundled" and not Path(tl).is_absolute():
        # a timeline named in a scenario file is found next to that file
        raw["timeline"] = str((path.parent / tl).resolve())

    overrides: list[tuple[str, Any]] = []
    if isinstance(sets, dict):
        overrides = list(sets.items())
    elif sets:
        overrides = [parse_set(s) for s in sets]
    if regime is not None:
        overrides.append(("regime", regime))
    if seed is not None:
        overrides.append(("seed", seed))
    set_keys = {k for k, _ in overrides}
    for key, value in overrides:
        _set_dotted(raw, key, value)

    chosen = raw.get("regime", "bargaining")
    if chosen not in REGIMES:
        src = "--regime/--set" if "regime" in set_keys else label
        raise ScenarioError([f"{src}: regime: {chosen!r} is not one of {', '.join(REGIMES)}"])
    preset: dict[str, Any] = {}
    for key, value in PRESETS[chosen].items():
        _set_dotted(preset, key, value)
    merged = _merge(preset, raw)

    def source_of(field: str) -> str:
        hit = any(
            field == k or field.startswith(k + ".") or k.startswith(field + ".") for k in set_keys
        )
        return "--set" if hit else label

    try:
        return Scenario.model_validate(merged)
    except ValidationError as err:
        raise ScenarioError([_describe(e, source_of) for e in err.errors()]) from None


def load_scenario_dict(
    data: dict[str, Any], label: str, *, sets: list[str] | None = None
) -> Scenario:
    """A scenario from a resolved scenario's dump (as ``run.json`` and checkpoints hold it),
    with ``KEY=VALUE`` overrides on top (no regime preset is applied: the dump has its
    values already).
    """
    import copy

    raw = copy.deepcopy(data)
    overrides = [parse_set(s) for s in sets or []]
    set_keys = {k for k, _ in overrides}
    for key, value in overrides:
        _set_dotted(raw, key, value)

    def source_of(field: str) -> str:
        hit = any(field == k or field.startswith(k + ".") for k in set_keys)
        return "--set" if hit else label

    try:
        return Scenario.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError([_describe(e, source_of) for e in err.errors()]) from None
