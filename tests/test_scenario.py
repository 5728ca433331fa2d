import pytest

from treugolnik import load_scenario
from treugolnik.scenario import PRESETS, REGIMES, ScenarioError, bundled_names


def test_bundled_scenarios_load():
    assert {"kirov", "kirov-small"} <= set(bundled_names())
    k = load_scenario("kirov")
    assert k.period.start.isoformat() == "1928-10-01" and k.period.end.isoformat() == "1941-06-21"
    assert k.regime == "bargaining"


def test_set_overrides_with_validation():
    s = load_scenario("kirov-small", sets=["period.end=1930-12-31", "meetings.speakers=9"])
    assert s.period.end.isoformat() == "1930-12-31" and s.meetings.speakers == 9
    with pytest.raises(ScenarioError) as e:
        load_scenario("kirov-small", sets=["meetings.speakers=1"])
    assert e.value.problems[0].startswith("--set: meetings.speakers")


def test_regime_presets_are_parameters():
    for regime in REGIMES:
        s = load_scenario("kirov-small", regime=regime)
        for key, value in PRESETS[regime].items():
            group, name = key.split(".")
            assert getattr(getattr(s, group), name) == value
    # --set wins over the preset
    s = load_scenario("kirov-small", regime="despotism", sets=["meetings.bias=0.5"])
    assert s.meetings.bias == 0.5


def test_unknown_key_names_file_and_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[factories]\nsise = 10\n[period]\nend = 1930-01-01\n")
    with pytest.raises(ScenarioError) as e:
        load_scenario(bad)
    (line,) = e.value.problems
    assert str(bad) in line and "factories.sise" in line and "size" in line


def test_all_problems_reported_at_once(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('regime = "bargaining"\n[factories]\ncount = 0\nshops = "many"\n')
    with pytest.raises(ScenarioError) as e:
        load_scenario(bad)
    assert len(e.value.problems) == 2


@pytest.mark.parametrize(
    "sets,needle",
    [
        (["regime=nonsense"], "regime"),
        (["period.end=1920-01-01"], "period"),
        (["factories.role_mix.worker=0.5"], "sum to 1"),
        (["nokey"], "KEY=VALUE"),
    ],
)
def test_bad_overrides(sets, needle):
    with pytest.raises(ScenarioError) as e:
        load_scenario("kirov-small", sets=sets)
    assert needle in e.value.problems[0]


def test_not_toml(tmp_path):
    bad = tmp_path / "x.toml"
    bad.write_text("this is = = not toml")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(bad)


_REGIMES_ALONE = """
import importlib.util, sys, types
# Stand-ins for the parent packages, so that their __init__ (which imports scenario.load)
# does not run: only what regimes.py itself imports is loaded.
root = importlib.util.find_spec("treugolnik").submodule_search_locations[0]
for name, path in (("treugolnik", root), ("treugolnik.scenario", root + "/scenario")):
    pkg = types.ModuleType(name)
    pkg.__path__ = [path]
    sys.modules[name] = pkg
import treugolnik.scenario.regimes as regimes
assert "treugolnik.scenario.load" not in sys.modules, "regimes imports load at import time"
try:
    regimes.with_regime(None, "no-such-regime")
except regimes.ScenarioError as e:
    assert "no-such-regime" in str(e)
else:
    raise AssertionError("with_regime accepted an unknown regime")
assert "treugolnik.scenario.load" not in sys.modules, "with_regime imports load"
"""


def test_regimes_imports_without_load():
    import subprocess
    import sys

    for code in (_REGIMES_ALONE, "import treugolnik.scenario.regimes"):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_scenario_error_is_one_class_on_every_path():
    import treugolnik
    import treugolnik.errors
    import treugolnik.scenario
    import treugolnik.scenario.load
    import treugolnik.scenario.regimes

    cls = treugolnik.errors.ScenarioError
    assert treugolnik.ScenarioError is cls and treugolnik.scenario.ScenarioError is cls
    assert treugolnik.scenario.load.ScenarioError is cls
    assert treugolnik.scenario.regimes.ScenarioError is cls
