"""Counter-based random numbers: every draw is a pure function of (seed, stream, kind of
entity, entity id, counter).

Usage::

    from treugolnik.rng import stream_key, uniform
    key = stream_key(seed=11, stream="absence")            # the stream's draws for persons
    u = uniform(key, day, person_id)      # inside a Numba kernel or in Python
    slot = stream_key(11, "hiring", "slot")                # its draws for (factory, role) slots

Streams and the kinds of entity they draw for are named in one table (:data:`STREAMS`). A
(stream, kind) pair has its own key, hashed from its names and the seed, so draws for a person
and for a meeting item or a factory never share a number, whatever their ids; ids are never
offset to keep kinds apart. The counter is the day for daily draws; it can be any other count
(a person's k-th waiting time). Nothing here holds state. A person's draw for a mechanism on a
day depends only on the root seed, the stream, the day and the person's stable id, so

* the same seed gives bit-identical runs in any storage order or process split;
* a change to one mechanism's parameters never shifts the draws of another mechanism
  (each has its own stream);
* a counterfactual run shares every random number with its baseline (common random numbers,
  as in Starsim 3.5) until its change alters who exists or what happens.

The hash is splitmix64's finaliser (Steele, Lea and Flood 2014), applied twice over the mixed
key, day and id. Uniforms are the top 53 bits, so they lie in [0, 1).
"""

from __future__ import annotations

import hashlib

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53


# every stream the model draws from, with the kinds of entity it draws for
KINDS = ("person", "factory", "shop", "slot", "item")
STREAMS: dict[str, tuple[str, ...]] = {
    "init": ("person", "factory"),  # the first day's people and factory sizes
    "absence": ("person",),
    "quit": ("person",),
    "hiring": ("person", "slot"),  # newcomers; hires per (factory, role) slot
    "flitting": ("person", "factory"),  # re-hired quitters; how many each factory takes
    "accidents": ("person",),
    "quota": ("person",),
    "institutions": ("person",),
    "party": ("person",),
    "norms": ("shop",),  # the foreman's informal deal
    "meetings": ("person", "item"),  # attendance and speeches; an agenda item's outcome
    "repression": ("person",),
    "ogpu": ("person",),  # the political police's arrests of specialists and managers
    "elections": ("person",),  # votes in elections of the party and union officers
}
ITEMS_PER_MEETING = 1000  # an item's id: factory * ITEMS_PER_MEETING + its place on the agenda


def stream_key(seed: int, stream: str, kind: str = "person") -> np.uint64:
    """The 64-bit key of a stream's draws for one kind of entity under a root seed (stable
    across platforms).
    """
    if kind not in KINDS:
        raise ValueError(f"kind of entity {kind!r}: one of {', '.join(KINDS)}")
    h = hashlib.blake2b(f"{int(seed)}/{stream}/{kind}".encode(), digest_size=8).digest()
    return np.uint64(int.from_bytes(h, "little"))


@njit(cache=True, inline="always")
def _mix(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def hash3(key, day, ident):
    """64-bit hash of (stream key, day, id)."""
    z = _mix(key + np.uint64(day) * _GOLDEN)
    return _mix(z ^ (np.uint64(ident) * _M2 + _GOLDEN))


@njit(cache=True, inline="always")
def uniform(key, day, ident):
    """A uniform number in [0, 1) for (stream key, day, id)."""
    return np.float64(hash3(key, day, ident) >> _S11) * _INV53


@njit(cache=True, inline="always")
def uniform2(key, day, ident, salt):
    """A second independent uniform for the same (key, day, id), told apart by ``salt``."""
    return np.float64(hash3(key ^ (np.uint64(salt) * _GOLDEN), day, ident) >> _S11) * _INV53


@njit(cache=True, inline="always")
def normal(key, day, ident):
    """A standard normal number for (stream key, day, id) (Box-Muller on two uniforms)."""
    u1 = uniform2(key, day, ident, 101)
    u2 = uniform2(key, day, ident, 202)
    return np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(2.0 * np.pi * u2)


@njit(cache=True)
def uniforms(key, day, ids):
    """Vector of uniforms, one per id (for tests and non-hot code)."""
    out = np.empty(ids.shape[0], dtype=np.float64)
    for i in range(ids.shape[0]):
        out[i] = uniform(key, day, ids[i])
    return out


@njit(cache=True)
def uniforms2(key, day, ids, salt):
    """Vector of salted uniforms (``uniform2``), one per id."""
    out = np.empty(ids.shape[0], dtype=np.float64)
    for i in range(ids.shape[0]):
        out[i] = uniform2(key, day, ids[i], salt)
    return out


@njit(cache=True)
def normals(key, day, ids):
    """Vector of standard normals, one per id."""
    out = np.empty(ids.shape[0], dtype=np.float64)
    for i in range(ids.shape[0]):
        out[i] = normal(key, day, ids[i])
    return out


class Streams(dict):
    """The stream keys of one run, looked up by stream name (its draws for persons) or by
    (stream, kind).

    >>> s = Streams(seed=3)
    >>> s["absence"] == stream_key(3, "absence")
    True
    >>> s["meetings", "item"] == stream_key(3, "meetings", "item")
    True
    """

    def __init__(self, seed: int):
        super().__init__()
        self.seed = int(seed)

    def __missing__(self, name) -> np.uint64:
        # a key is computed once, then found by the dictionary lookup itself
        stream, kind = name if isinstance(name, tuple) else (name, "person")
        if stream not in STREAMS or kind not in STREAMS[stream]:
            raise KeyError(f"no stream {stream!r} drawing for {kind!r} (rng.STREAMS)")
        key = self[name] = stream_key(self.seed, stream, kind)
        return key


@njit(cache=True)
def gamma(key, day, ident, shape, salt):
    """A Gamma(shape, 1) number (Marsaglia and Tsang 2000), retries drawn from further salts."""
    boost = 1.0
    a = shape
    if a < 1.0:
        boost = uniform2(key, day, ident, salt + 7919) ** (1.0 / a)
        a += 1.0
    d = a - 1.0 / 3.0
    cc = 1.0 / np.sqrt(9.0 * d)
    for attempt in range(1000):
        s = salt + 2 * attempt
        u1 = uniform2(key, day, ident, s + 11)
        u2 = uniform2(key, day, ident, s + 13)
        x = np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(2.0 * np.pi * u2)
        v = (1.0 + cc * x) ** 3
        if v <= 0.0:
            continue
        u = uniform2(key, day, ident, s + 17)
        if np.log(1.0 - u) < 0.5 * x * x + d - d * v + d * np.log(v):
            return d * v * boost
    return d * boost


@njit(cache=True)
def beta(key, day, ident, a, b, salt):
    """A Beta(a, b) number from two Gamma draws."""
    x = gamma(key, day, ident, a, salt)
    y = gamma(key, day, ident, b, salt + 100003)
    return x / (x + y)
