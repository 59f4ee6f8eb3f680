"""`loading_folds` in closed form against the enumeration it replaced: every fold of the
nest, classed by each loop's first / middle / last index and weighted by how often that
class occurs, asking `loads_tile` whether the fold loads its tile."""

from __future__ import annotations

import itertools
import random

from explorer.mapping.plans import Loop, LoopName, loading_folds, loads_tile

NAMES = list(LoopName)


def enumerated(loops: list[Loop], mine: set[LoopName], level: int) -> int:
    def walk(depth: int, ctx: tuple[tuple[bool, bool], ...]) -> int:
        if depth == len(loops):
            return int(loads_tile(loops, mine, level, ctx))
        count = loops[depth].count
        if count == 1:
            return walk(depth + 1, (*ctx, (True, True)))
        total = walk(depth + 1, (*ctx, (True, False))) + walk(depth + 1, (*ctx, (False, True)))
        if count > 2:
            total += (count - 2) * walk(depth + 1, (*ctx, (False, False)))
        return total

    return walk(0, ())


def test_closed_form_matches_every_fold_enumerated():
    rng = random.Random(0)
    checked = 0
    for _ in range(400):
        names = rng.sample(NAMES, rng.randint(1, len(NAMES)))
        loops = [Loop(name, rng.choice([1, 1, 2, 3, 7]), 4, 3) for name in names]
        for r in range(len(NAMES) + 1):
            for mine in itertools.combinations(NAMES, r):
                for level in range(len(loops) + 1):
                    assert loading_folds(loops, set(mine), level) == enumerated(
                        loops, set(mine), level), (loops, mine, level)
                    checked += 1
    assert checked > 10_000


def test_every_fold_loads_when_nothing_is_held():
    loops = [Loop(LoopName.G, 2, 1, 1), Loop(LoopName.ROW, 3, 8, 8),
             Loop(LoopName.COL, 5, 8, 8), Loop(LoopName.CHUNK, 4, 16, 16)]
    # held from the innermost level: a tile indexed by every loop loads in every fold
    assert loading_folds(loops, set(LoopName), len(loops)) == 2 * 3 * 5 * 4
    # held whole (level 0) and indexed by all loops: every fold still loads a new tile
    assert loading_folds(loops, set(LoopName), 0) == 2 * 3 * 5 * 4
    # indexed by no loop and held whole: loaded once
    assert loading_folds(loops, set(), 0) == 1
