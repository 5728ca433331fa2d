"""Bad input gets one line naming the file or field and exit status 2, never a traceback, and
nothing is written: scenario files, --set values, paths, numbers that are not finite."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from treugolnik.cli import app
from treugolnik.errors import ScenarioError
from treugolnik.scenario.load import load_scenario, parse_set

runner = CliRunner()


def _refused(args, tmp_path, *, needle):
    out = tmp_path / "out"
    r = runner.invoke(app, ["run", *args, "-q", "--out", str(out)])
    assert r.exit_code == 2, r.output
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), r.output
    assert needle in lines[0], lines[0]
    assert not out.exists()


def test_a_scenario_file_that_is_not_utf8_or_is_a_folder(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b'name = "x"\n\xff\xfe\n')
    _refused([str(bad)], tmp_path, needle="not UTF-8 text")
    _refused([str(tmp_path)], tmp_path, needle="is a folder")
    _refused(["x" * 5000], tmp_path, needle="cannot be read")
    _refused(["a\x00b.toml"], tmp_path, needle="cannot be read")


def test_nesting_beyond_any_scenario_is_refused_before_parsing(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    _refused([str(deep)], tmp_path, needle="nested deeper than 16")
    _refused(["kirov-small", "--set", "x=" + "[" * 500], tmp_path, needle="nested deeper")


@pytest.mark.parametrize(
    ("item", "needle"),
    [
        ("grievance.g_max=inf", "finite number"),
        ("production.e_sd=nan", "finite number"),
        ("factories.skill.alpha=inf", "finite number"),
        ("name=../../x", "a name, not a path"),
        ("name=/etc/x", "a name, not a path"),
        ("name=.hidden", "a name, not a path"),
    ],
)
def test_values_without_meaning_are_refused(item, needle, tmp_path):
    _refused(["kirov-small", "--set", item], tmp_path, needle=needle)


def test_one_problem_is_one_line_and_threads_zero_is_a_line(tmp_path):
    _refused(["kirov-small", "--set", "a\nb=1"], tmp_path, needle="a\\nb")
    _refused(["kirov-small", "--threads", "0"], tmp_path, needle="--threads")


def test_an_output_folder_under_a_file_is_refused_before_the_run(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    r = runner.invoke(app, ["run", "kirov-small", "-q", "--out", str(afile / "sub")])
    assert r.exit_code == 2 and "is a file, not a folder" in r.output
    assert afile.read_text() == "x"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400))
def test_any_bytes_as_a_scenario_load_or_give_problems(tmp_path, data):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    try:
        load_scenario(path)
    except ScenarioError as e:
        assert e.problems and all("\n" not in p or "TOML" in p for p in e.problems)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_set_string_parses_or_gives_problems(item):
    try:
        key, _ = parse_set(item)
    except ScenarioError as e:
        assert e.problems
        return
    try:
        load_scenario("kirov-small", sets=[item])
    except ScenarioError as e:
        assert e.problems
    assert key


def _schema_keys(model=None, prefix=""):
    from pydantic import BaseModel

    from treugolnik.scenario.schema import Scenario

    for name, info in (model or Scenario).model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from _schema_keys(ann, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


KEYS = sorted(_schema_keys()) + ["nosuch", "factories.nosuch", "period", "meetings"]
_scalars = (
    st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.booleans()
    | st.text(max_size=12)
    | st.dates()
)
VALUES = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=6)


def _toml(value) -> str:
    import json
    import math

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value) if not hasattr(value, "isoformat") else value.isoformat()


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8))
def test_any_scenario_document_loads_or_gives_one_line_problems(tmp_path, doc):
    path = tmp_path / "doc.toml"
    path.write_text("".join(f"{k} = {_toml(v)}\n" for k, v in doc.items()))
    try:
        load_scenario(path)
    except ScenarioError as e:
        assert e.problems and all("\n" not in p or "TOML" in p for p in e.problems)
    try:  # the same values as overrides of a bundled scenario
        load_scenario("kirov-small", sets=dict(doc))
    except ScenarioError as e:
        assert e.problems
