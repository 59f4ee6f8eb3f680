"""The pool device (dense measurements looked up) and the per-layer CSV import."""

from __future__ import annotations

import json

import pytest

from explorer.benchmarking.campaign import Campaign
from explorer.benchmarking.csv_import import import_csv
from explorer.benchmarking.devices import get_device
from explorer.benchmarking.devices.pool import conv_config, linear_config, load_config_list
from explorer.benchmarking.store import BenchmarkStore, open_store
from explorer.errors import BenchmarkError


@pytest.fixture()
def pool_dir(tmp_path):
    """A small pool in the H200 data set's format: a staircase sweep and random rows."""
    rows = [{"set": "sweep_cout_3x3", "cin": 32, "cout": c, "h": 14, "w": 14, "k": 3,
             "stride": 1, "groups": 1, "us": 10.0 + (c + 7) // 8, "us_min": 9.9, "us_max": 10.2}
            for c in range(1, 97)]
    rows += [{"set": "random", "cin": 8 * i, "cout": 16, "h": 7 + i, "w": 7 + i, "k": 1,
              "stride": 1, "groups": 1, "us": 5.0 + i} for i in range(1, 41)]
    rows += [{"set": "random", "m": 1, "k": 64 * i, "n": 256, "us": 3.0 + i / 10}
             for i in range(1, 21)]
    rows.append(dict(rows[-1], us=4.0))  # measured twice: the median stands
    data = tmp_path / "pool"
    data.mkdir()
    (data / "single_all.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (data / "info.json").write_text(json.dumps({"gpu": "NVIDIA H200", "torch": "2.11"}))
    return data


def test_pool_looks_up_and_refuses_what_it_lacks(pool_dir):
    held = [conv_config(8, 16, 8, 8, 1)]
    pool = get_device(f"pool:{pool_dir}", exclude=held)
    m = pool.measure(conv_config(16, 16, 9, 9, 1))
    assert m.latency_s == pytest.approx(7e-6)
    assert pool.measure(linear_config(1, 1280, 256)).latency_s == pytest.approx(4.5e-6)
    with pytest.raises(BenchmarkError, match="no measurement of Conv 3x9x9->5"):
        pool.measure(conv_config(3, 5, 9, 9, 3))
    with pytest.raises(BenchmarkError, match="held out"):
        pool.measure(held[0])
    assert held[0] not in pool.candidates() and len(pool.candidates()) == 39 + 20
    assert pool.provenance()["sm_count"] == "132"


def test_pool_campaigns_select_only_candidates(pool_dir, tmp_path):
    pool = get_device(f"pool:{pool_dir}")
    for strategy in ("pr", "random"):
        with BenchmarkStore(tmp_path / f"{strategy}.h5", device=pool.name,
                            provenance=pool.provenance()) as store:
            Campaign(pool, store, strategy, 40, seed=3, sweep_share=0.1).run()
            assert len(store) == 40
            configs = store.configs()
        assert all(c in pool for c in configs)


def test_bad_pools_are_refused_in_one_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"cin": 3, "cout": 8, "h": 8, "w": 8, "k": 3, "us": "fast"}\n')
    with pytest.raises(BenchmarkError, match="bad.jsonl:1: `us` 'fast' is not a number"):
        get_device(f"pool:{bad}")
    with pytest.raises(BenchmarkError, match="no such pool"):
        get_device(f"pool:{tmp_path / 'nowhere'}")


def test_the_committed_holdout_list_loads():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "h200_holdout.json"
    configs = load_config_list(path)
    assert len(configs) == 1300 and len({c.key() for c in configs}) == 1300


CSV = """kind,in_channels,in_h,in_w,out_channels,kernel_h,kernel_w,pad_top,pad_left,pad_bottom,pad_right,latency_us
conv,64,28,28,64,3,3,1,1,1,1,12.5
conv,64,28,28,128,3,3,1,1,1,1,20
"""


def test_csv_import_with_units_and_refusals(tmp_path):
    good = tmp_path / "layers.csv"
    good.write_text(CSV)
    counts = import_csv(good, tmp_path / "s.h5", device="remote:npu")
    assert counts == {"added": 2, "already_stored": 0}
    with open_store(tmp_path / "s.h5") as store:
        assert store.column("latency_s").tolist() == pytest.approx([12.5e-6, 20e-6])
    units = tmp_path / "units.csv"
    units.write_text("kind,m,n,k,latency\nmatmul,1,256,512,0.4 ms\nmatmul,1,512,512,3 parsecs\n")
    with pytest.raises(BenchmarkError, match=r"units.csv:3 latency: '3 parsecs' is not a time"):
        import_csv(units, tmp_path / "s.h5")
    dup = tmp_path / "dup.csv"
    dup.write_text(CSV + CSV.splitlines()[1] + "\n")
    with pytest.raises(BenchmarkError, match="dup.csv:4: the same configuration as line 2"):
        import_csv(dup, tmp_path / "s.h5")
    unit_col = tmp_path / "col.csv"
    unit_col.write_text("kind,m,n,k,latency_fortnights\nmatmul,1,2,3,4\n")
    with pytest.raises(BenchmarkError, match="unknown unit"):
        import_csv(unit_col, tmp_path / "s.h5")
    with open_store(tmp_path / "s.h5") as store:
        assert len(store) == 2  # nothing lost, nothing half-written
    assert import_csv(good, tmp_path / "s.h5")["already_stored"] == 2
