"""The engine's one cache contract: a value is reused while its inputs are the same objects."""

from __future__ import annotations

from simulator.engine.memo import Memo, Memos


def counting():
    calls = []

    def compute(*args):
        calls.append(args)
        return object()

    return compute, calls


def test_a_value_is_reused_while_its_input_is_the_same_object_and_recomputed_for_an_equal_copy():
    memo = Memo()
    compute, calls = counting()
    source = {"a": 1}
    first = memo.get("k", source, compute, 1)
    assert memo.get("k", source, compute, 1) is first
    assert memo.get("k", dict(source), compute, 2) is not first
    assert calls == [(1,), (2,)]


def test_plain_values_among_the_inputs_are_compared_by_value():
    memo = Memo()
    compute, calls = counting()
    obj = object()
    first = memo.get("k", (obj, 10**6, "zone."), compute)
    assert memo.get("k", (obj, int("1000000"), "".join(["zone", "."])), compute) is first
    assert memo.get("k", (obj, 10**6 + 1, "zone."), compute) is not first
    assert len(calls) == 2


def test_forget_and_keep_only_drop_what_came_from_objects_that_are_gone():
    memo = Memo()
    compute, _calls = counting()
    for key in ("a", "b", "c"):
        memo.get(key, key, compute)
    memo.forget("a")
    memo.keep_only({"c"})
    assert list(memo.keys()) == ["c"]


def test_a_bounded_memo_starts_afresh_when_full():
    memo = Memo(limit=2)
    compute, _calls = counting()
    memo.get("a", 1, compute)
    memo.get("b", 2, compute)
    memo.get("c", 3, compute)
    assert list(memo.keys()) == ["c"]


def test_an_engines_memos_are_made_when_first_asked_for_and_kept():
    memos = Memos()
    assert memos["dns"] is memos["dns"] and memos["dns"] is not memos["trace"]
