import numpy as np

from treugolnik.rng import Streams, beta, normals, stream_key, uniform, uniforms


def test_same_inputs_same_draws():
    key = stream_key(11, "absence")
    ids = np.arange(1000, dtype=np.int64)
    assert np.array_equal(uniforms(key, 500, ids), uniforms(key, 500, ids))


def test_draws_do_not_depend_on_storage_order():
    key = stream_key(11, "absence")
    ids = np.arange(5000, dtype=np.int64)
    perm = np.random.default_rng(0).permutation(ids)
    a = uniforms(key, 77, ids)
    b = uniforms(key, 77, perm)
    assert np.array_equal(a[perm], b)


def test_streams_days_and_seeds_are_distinct():
    ids = np.arange(2000, dtype=np.int64)
    base = uniforms(stream_key(1, "absence"), 10, ids)
    for other in (
        uniforms(stream_key(1, "quit"), 10, ids),
        uniforms(stream_key(2, "absence"), 10, ids),
        uniforms(stream_key(1, "absence"), 11, ids),
    ):
        assert not np.array_equal(base, other)
        # independent uniforms: correlation near zero (|r| < 4 / sqrt(n))
        assert abs(np.corrcoef(base, other)[0, 1]) < 4 / np.sqrt(ids.size)


def test_uniforms_are_uniform():
    u = uniforms(stream_key(5, "x"), 3, np.arange(200_000, dtype=np.int64))
    assert u.min() >= 0.0 and u.max() < 1.0
    counts, _ = np.histogram(u, bins=20, range=(0, 1))
    expected = u.size / 20
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 45  # 19 d.f.: P(chi2 > 45) < 0.001


def test_normals_and_beta_moments():
    z = normals(stream_key(5, "n"), 3, np.arange(100_000, dtype=np.int64))
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    key = stream_key(5, "b")
    b = np.array([beta(key, 1, i, 2.0, 5.0, 0) for i in range(20_000)])
    assert abs(b.mean() - 2 / 7) < 0.01  # Beta(2, 5) mean
    assert abs(b.var() - (2 * 5) / (7**2 * 8)) < 0.003


def test_stream_keys_do_not_depend_on_anything_but_seed_and_name():
    s = Streams(42)
    assert s["meetings"] == stream_key(42, "meetings")
    assert uniform(s["meetings"], 1, 2) == uniform(stream_key(42, "meetings"), 1, 2)


def test_every_stream_and_kind_has_its_own_key():
    from treugolnik import records
    from treugolnik.rng import KINDS, STREAMS

    keys = {(s, k): stream_key(7, s, k) for s, kinds in STREAMS.items() for k in kinds}
    assert len(set(keys.values())) == len(keys)
    # the keys compiled steps receive are the table's
    rec = records.keys(Streams(7))
    assert rec.meetings_item == keys["meetings", "item"]
    assert rec.hiring_slot == keys["hiring", "slot"] and rec.absence == keys["absence", "person"]
    assert set(k for kinds in STREAMS.values() for k in kinds) <= set(KINDS)


def test_a_stream_unknown_to_the_table_is_refused():
    import pytest

    s = Streams(1)
    with pytest.raises(KeyError, match="rng.STREAMS"):
        s["meetings", "shop"]
    with pytest.raises(ValueError, match="kind of entity"):
        stream_key(1, "meetings", "planet")


def test_ids_that_once_collided_across_kinds_now_draw_apart():
    """An agenda item's outcome was drawn at id 7,000,000 + factory * 1000 + item on the
    meetings stream that also draws attendance by person id; in ussr-industry person ids pass
    8 million, so a person and an item shared a number. Now items have their own key."""
    from treugolnik.rng import ITEMS_PER_MEETING

    s = Streams(3)
    day = 4000
    items = np.array([f * ITEMS_PER_MEETING + j for f in range(40) for j in range(6)])
    old_ids = 7_000_000 + items
    person = uniforms(s["meetings"], day, old_ids)
    item = uniforms(s["meetings", "item"], day, items)
    assert not np.isin(person, item).any()
    # and the numbers of the two kinds are independent
    persons = uniforms(s["meetings"], day, np.arange(20_000, dtype=np.int64))
    itemsd = uniforms(s["meetings", "item"], day, np.arange(20_000, dtype=np.int64))
    assert abs(np.corrcoef(persons, itemsd)[0, 1]) < 4 / np.sqrt(20_000)
