"""The periodic scheduler's shortcuts: abandoning a losing candidate, sharing loops."""

from __future__ import annotations

from mapping_layers import conv

from explorer.engine.loop_memo import LoopMemo
from explorer.engine.schedule import periodic_cost, schedule, schedule_within
from explorer.hardware.library import load_accelerator
from explorer.mapping.mapper import map_layer


def test_schedule_within_gives_up_only_when_the_limit_is_reached():
    kernel = map_layer(conv(64, 28, 64, 3, pad=1), load_accelerator("gemmini"), periodic_cost()).kernel
    exact = schedule(kernel, periodic=False)
    assert schedule_within(kernel, exact.cycles) is None
    within = schedule_within(kernel, exact.cycles + 1)
    assert within is not None and within.cycles == exact.cycles
    assert within.body_counts == exact.body_counts


def test_a_shared_memo_reuses_loops_of_another_kernel_exactly():
    acc = load_accelerator("gemmini")
    first, second = (map_layer(conv(64, 28, cout, 3, pad=1), acc, periodic_cost()).kernel for cout in (64, 128))
    memo = LoopMemo()
    schedule(first, periodic=True, memo=memo)
    alone = schedule(second, periodic=True)
    shared = schedule(second, periodic=True, memo=memo)
    assert shared.bodies_evaluated < alone.bodies_evaluated  # inner loops were reused
    exact = schedule(second, periodic=False)
    assert (shared.cycles, shared.body_counts) == (exact.cycles, exact.body_counts)
    assert shared.unit_busy_cycles == exact.unit_busy_cycles


def test_a_memo_that_starts_over_stays_exact(monkeypatch):
    import explorer.engine.loop_memo as loop_memo

    monkeypatch.setattr(loop_memo, "MAX_ENTRIES", 2)
    acc = load_accelerator("gemmini")
    memo = LoopMemo()
    for cout in (64, 128, 64):
        kernel = map_layer(conv(64, 28, cout, 3, pad=1), acc, periodic_cost()).kernel
        shared = schedule(kernel, periodic=True, memo=memo)
        exact = schedule(kernel, periodic=False)
        assert (shared.cycles, shared.body_counts) == (exact.cycles, exact.body_counts)
    assert len(memo.outcomes) <= 2
