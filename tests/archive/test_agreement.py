"""Krippendorff's alpha (nominal) against values computed by hand from its definition.

Example 1: two coders, eight units: (a,a) (a,a) (b,b) (b,c) (c,c) (a,b) (a,a) (c,c).
n = 16 values; n_a = 7, n_b = 4, n_c = 5. Each unit has m_u = 2, so each ordered pair weighs 1:
the disagreements are o_bc = o_cb = 1 (unit 4) and o_ab = o_ba = 1 (unit 6), sum 4.
sum_{c != k} n_c n_k = 16^2 - (49 + 16 + 25) = 166.
alpha = 1 - (n - 1) * 4 / 166 = 1 - 60 / 166 = 53 / 83 = 0.638554...

Example 2: three units, one coded by three coders: (a,a,b) (b,b) (a,a).
Unit 1 (m_u = 3): ordered pairs a-a 2, a-b 2, b-a 2, each weighing 1/2: o_aa += 1, o_ab = 1,
o_ba = 1. n = 7, n_a = 4, n_b = 3; sum_{c != k} n_c n_k = 49 - (16 + 9) = 24.
alpha = 1 - 6 * 2 / 24 = 0.5.

Example 3: a unit with one value pairs with nothing and is left out: example 1 plus (a, "")
gives the same alpha.
"""

import pytest

from treugolnik.archive.agreement import alpha_nominal, coincidences

EX1 = [("a", "a"), ("a", "a"), ("b", "b"), ("b", "c"), ("c", "c"), ("a", "b"), ("a", "a"),
       ("c", "c")]  # fmt: skip


def test_two_coders_by_hand():
    assert alpha_nominal(EX1) == pytest.approx(53 / 83, abs=1e-12)
    o = coincidences(EX1)
    assert o["b", "c"] == o["c", "b"] == o["a", "b"] == o["b", "a"] == 1.0
    assert o["a", "a"] == 6.0 and o["c", "c"] == 4.0 and o["b", "b"] == 2.0


def test_three_coders_in_one_unit_by_hand():
    assert alpha_nominal([("a", "a", "b"), ("b", "b"), ("a", "a")]) == pytest.approx(0.5)


def test_missing_values_pair_with_nothing():
    assert alpha_nominal([*EX1, ("a", ""), (None, "b")]) == pytest.approx(53 / 83, abs=1e-12)


def test_perfect_and_undefined():
    assert alpha_nominal([("a", "a"), ("b", "b")]) == 1.0
    assert alpha_nominal([("a", "a"), ("a", "a")]) is None  # no disagreement expected
    assert alpha_nominal([("a", "")]) is None
    # systematic disagreement is worse than chance
    assert alpha_nominal([("a", "b"), ("b", "a")]) < 0
