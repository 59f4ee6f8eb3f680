import numpy as np
import pytest

from explorer.learned.configs import LayerConfig
from explorer.learned.pr import RuleSet, StepRule, detect_rule, representative_configs

VALUES = list(range(1, 97))


def staircase(values, period, height=100.0, noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    return [height * (1 + np.ceil(v / period)) * (1 + noise * rng.standard_normal())
            for v in values]


@pytest.mark.parametrize("period", [8, 16, 32])
def test_detects_the_period_of_a_noisy_staircase(period):
    rule = detect_rule("conv", "out_channels", VALUES, staircase(VALUES, period, noise=0.005),
                       tol=0.03)
    assert rule is not None and rule.period == period and rule.divisor == 1


def test_no_rule_for_a_linear_curve():
    assert detect_rule("conv", "out_channels", VALUES, [10.0 * v for v in VALUES],
                       tol=0.03) is None


def test_divisibility_class():
    """Multiples of 4 follow a period-16 staircase, the other values a slow linear path
    (what onnxruntime does with input channels on AVX-512)."""
    lat = [100 * (1 + np.ceil(v / 16)) if v % 4 == 0 else 30.0 * v for v in VALUES]
    rule = detect_rule("conv", "in_channels", VALUES, lat, tol=0.03)
    assert (rule.period, rule.divisor) == (16, 4)
    assert rule.representative(20) == 32
    assert rule.representative(21) == 21


def test_representatives_collapse_plateaus():
    rules = RuleSet([StepRule("conv", "out_channels", 16),
                     StepRule("conv", "in_channels", 16, 4),
                     StepRule("conv", "out_channels", 32)])  # the finer period wins
    base = LayerConfig(kind="conv", op="Conv", in_channels=20, in_h=8, in_w=8, out_channels=17,
                       kernel_h=3, kernel_w=3)
    rep = rules.representative(base)
    assert (rep.in_channels, rep.out_channels) == (32, 32)
    odd = base.with_changes(in_channels=21)
    assert rules.representative(odd).in_channels == 21
    configs = [base.with_changes(out_channels=c) for c in range(17, 40)]
    reps = representative_configs(configs, rules, budget=10)
    assert [c.out_channels for c in reps] == [32, 48]
    assert RuleSet.from_list(rules.to_list()).to_list() == rules.to_list()


def test_first_block_values_represent_themselves():
    rule = StepRule("conv", "out_channels", 16)
    assert [rule.representative(v) for v in (1, 16, 17, 33)] == [1, 16, 32, 48]


def test_plateau_start_respects_divisibility():
    assert StepRule("conv", "out_channels", 16).plateau_start(40) == 33
    assert StepRule("conv", "in_channels", 16, 4).plateau_start(40) == 36
