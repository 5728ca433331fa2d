"""Krippendorff's alpha for nominal codes, from its definition.

For units (rows) each coded by two or more coders, with ``n`` pairable values in all (units with
fewer than two values are left out), the coincidence matrix counts, in every unit ``u`` with
``m_u`` values, each ordered pair of values from different coders with weight ``1 / (m_u - 1)``:
``o_ck``. Its margins are ``n_c`` (how often code ``c`` was given). For nominal codes the
disagreement of two values is 0 if they are equal and 1 otherwise, so

    alpha = 1 - D_o / D_e = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k

(observed disagreement over the disagreement expected by chance). Alpha is 1 for perfect
agreement, about 0 for agreement at chance; it is undefined (None) when every value is the same
code (no disagreement is expected) or fewer than two values pair.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence


def coincidences(units: Iterable[Sequence[str]]) -> Counter:
    """The coincidence matrix ``o[(c, k)]`` of the units' values (missing values: None or "")."""
    o: Counter = Counter()
    for unit in units:
        values = [v for v in unit if v not in (None, "")]
        m = len(values)
        if m < 2:
            continue
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    o[c, k] += 1.0 / (m - 1)
    return o


def alpha_nominal(units: Iterable[Sequence[str]]) -> float | None:
    """Krippendorff's alpha (nominal) of ``units``: each a sequence of the codes given to one
    unit by the coders (None or "" where a coder gave none).
    """
    o = coincidences(units)
    margins: Counter = Counter()
    for (c, _k), w in o.items():
        margins[c] += w
    n = sum(margins.values())
    if n < 2:
        return None
    observed = sum(w for (c, k), w in o.items() if c != k)
    expected = n * n - sum(v * v for v in margins.values())  # sum over c != k of n_c n_k
    if expected <= 0:
        return None
    return 1.0 - (n - 1) * observed / expected
