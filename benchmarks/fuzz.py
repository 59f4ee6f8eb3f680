"""Robustness fuzzing (issue 13): mutated ONNX files, YAML accelerator descriptions,
`--set` values and record stores, generated from a seed and fed to the real loaders
in-process, each under a time cap (SIGALRM) and the whole run under a memory cap
(RLIMIT_AS); then writers killed at random instants and resumed (fuzz_store.py).

Every input must end in one of two ways: accepted (and, for ONNX, estimated with a
finite latency), or refused with one `ExplorerError` line. Anything else is counted:
a traceback (another exception), a multi-line message, a non-finite result, a time cap
or a memory cap hit. A store input is accepted only if every record read back is one
that was written. The kills count records whose append had returned and are missing.

    python benchmarks/fuzz.py                      # 10,000 inputs and 100 kills, seed 0
    python benchmarks/fuzz.py --inputs 600 --kills 5 --seed 3 --out -   # short, JSON on stdout

The default test tier runs a few hundred of the same inputs (tests/fuzz/); this script
is the long run and writes docs/validation/robustness.json.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "benchmarks"))  # fuzz_store, _common (appended: no shadowing)

import fuzz_store  # noqa: E402

from explorer.errors import ExplorerError  # noqa: E402

SEED_NETWORKS = ("squeezenet", "alexnet", "resnet50", "inception_v1")
SEED_ACCELERATORS = ("gemmini", "eyeriss", "tpuv1", "ultratrail")
ODD_INTS = (-1, 0, 1, 3, 2**31, 2**62, -2**63, 2**40)
ODD_FLOATS = (0.0, -1.0, 5e-324, 1e308, float("inf"), float("nan"), 1e-3)
ODD_VALUES = (True, False, None, [], {}, "", "abc", [1, 2], {"a": 1}, "9" * 400, "500MHz",
              "8MiB", "1e9", "\x00", "line\nbreak", *ODD_INTS, *ODD_FLOATS)


class CapHit(Exception):
    """The per-input time cap fired."""


# -- inputs ---------------------------------------------------------------------------------
def _onnx_seeds() -> list[bytes]:
    from explorer.workload.zoo import is_zoo_name, zoo_path

    return [zoo_path(name).read_bytes() for name in SEED_NETWORKS if is_zoo_name(name)]


def onnx_inputs(rng: random.Random, count: int, folder: Path) -> Iterator[tuple[str, Path]]:
    """Mutated ONNX files written into `folder`: byte flips and truncation of the raw
    protobuf, and structural mutations of decoded models (dims, attributes, types,
    versions, names with control characters, external data, missing data)."""
    import onnx

    seeds = _onnx_seeds()
    for index in range(count):
        data = rng.choice(seeds)
        how = rng.choice(("flip", "truncate", "structure", "structure", "structure"))
        if how == "flip":
            raw = bytearray(data)
            for _ in range(rng.randint(1, 20)):
                raw[rng.randrange(len(raw))] = rng.randrange(256)
            payload = bytes(raw)
        elif how == "truncate":
            payload = data[: rng.randrange(len(data))]
        else:
            model = onnx.ModelProto.FromString(data)
            how = _mutate_model(rng, model)
            payload = model.SerializeToString()
        path = folder / f"case{index}.onnx"
        path.write_bytes(payload)
        yield f"onnx/{how}", path


def _mutate_model(rng: random.Random, model) -> str:
    from onnx import AttributeProto, TensorProto

    graph = model.graph
    choice = rng.randrange(11)
    if choice == 0 and graph.input:
        value = rng.choice(list(graph.input))
        dims = value.type.tensor_type.shape.dim
        if dims:
            rng.choice(list(dims)).dim_value = rng.choice(ODD_INTS[1:])
        return "input-dim"
    if choice == 1 and graph.initializer:
        tensor = rng.choice(list(graph.initializer))
        if tensor.dims:
            tensor.dims[rng.randrange(len(tensor.dims))] = rng.choice(ODD_INTS)
        return "weight-dim"
    if choice == 2 and graph.initializer:
        tensor = rng.choice(list(graph.initializer))
        for field in ("raw_data", "float_data", "int64_data", "int32_data"):
            tensor.ClearField(field)
        return "weight-no-data"
    if choice == 3 and graph.initializer:
        rng.choice(list(graph.initializer)).data_type = rng.randrange(0, 30)
        return "weight-type"
    if choice == 4:
        nodes = [n for n in graph.node if n.attribute]
        if nodes:
            attr = rng.choice(list(rng.choice(nodes).attribute))
            if attr.type == AttributeProto.INT:
                attr.i = rng.choice(ODD_INTS)
            elif attr.type == AttributeProto.INTS and attr.ints:
                attr.ints[rng.randrange(len(attr.ints))] = rng.choice(ODD_INTS)
            elif attr.type == AttributeProto.STRING:
                attr.s = rng.choice((b"FOO", b"", b"\xff"))
            elif attr.type == AttributeProto.FLOAT:
                attr.f = rng.choice(ODD_FLOATS)
        return "attribute"
    if choice == 5:
        model.ir_version = rng.choice((0, 2**40, 99, 3))
        return "ir-version"
    if choice == 6:
        model.opset_import[0].version = rng.choice((0, 1, 99, 2**40))
        return "opset"
    if choice == 7 and graph.node:
        node = rng.choice(list(graph.node))
        node.name = rng.choice(("a\nb", "\x1b[31mred", "tab\there", "\x00", "x" * 5000))
        return "node-name"
    if choice == 8 and graph.node:
        node = rng.choice(list(graph.node))
        node.op_type = rng.choice(("Conv", "MatMul", "Foo", "", "If", "Loop", "Gemm"))
        return "op-type"
    if choice == 9 and graph.initializer:
        tensor = rng.choice(list(graph.initializer))
        tensor.ClearField("raw_data")
        tensor.data_location = TensorProto.EXTERNAL
        entry = tensor.external_data.add()
        entry.key = "location"
        entry.value = rng.choice(("/etc/passwd", "../x.bin", "missing.bin", ""))
        return "external-data"
    if graph.node:
        node = rng.choice(list(graph.node))
        if node.input:
            node.input[rng.randrange(len(node.input))] = rng.choice(("", "nowhere", "x"))
    return "wiring"


def yaml_inputs(rng: random.Random, count: int) -> Iterator[tuple[str, str]]:
    """Mutated accelerator descriptions: odd values at random fields, deleted and
    duplicated keys, aliases, byte damage."""
    import yaml

    from explorer.hardware.library import accelerator_to_data, load_accelerator

    seeds = [accelerator_to_data(load_accelerator(name)) for name in SEED_ACCELERATORS]
    for _ in range(count):
        data = json.loads(json.dumps(rng.choice(seeds)))
        how = rng.choice(("value", "value", "value", "delete", "text", "alias"))
        if how == "value":
            parent, key = _random_slot(rng, data)
            parent[key] = rng.choice(ODD_VALUES)
            yield "yaml/value", yaml.safe_dump(data, sort_keys=False)
        elif how == "delete":
            parent, key = _random_slot(rng, data)
            if isinstance(parent, dict):
                del parent[key]
            yield "yaml/delete", yaml.safe_dump(data, sort_keys=False)
        elif how == "alias":
            depth, width = rng.randint(2, 12), rng.randint(2, 12)
            lines = ["name: &l0 x"] + [
                f"k{i}: &l{i} [{', '.join(f'*l{i - 1}' for _ in range(width))}]"
                for i in range(1, depth)]
            yield "yaml/alias", "\n".join(lines) + "\n" + yaml.safe_dump(data)
        else:
            text = bytearray(yaml.safe_dump(data, sort_keys=False).encode())
            for _ in range(rng.randint(1, 10)):
                text[rng.randrange(len(text))] = rng.choice(b"{}[]:&*!|>-\n\t #'\"\x00")
            yield "yaml/text", text.decode("utf-8", errors="replace")


def _random_slot(rng: random.Random, data):
    node, key = data, rng.choice(list(data))
    while isinstance(node[key], (dict, list)) and node[key] and rng.random() < 0.7:
        node = node[key]
        key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
    return node, key


def set_inputs(rng: random.Random, count: int) -> Iterator[tuple[str, str]]:
    """`--set PATH=VALUE` assignments: real paths with odd values, odd paths."""
    paths = ["clock_hz", "compute.pe_rows", "compute.pe_cols", "compute.dataflow",
             "memories[0].size_bytes", "memories[0].holds", "memories[1].banks",
             "offchip.bandwidth_bytes_per_cycle", "dma.bus_width_bits", "queues.load",
             "memories[scratchpad].size_bytes", "memories[99].size_bytes", "nope.x",
             "compute.precision.input_bits", "memories[-1].name", "fusion[0].pattern"]
    values = ["", "0", "-1", "1e-324", "5e-324", "1e309", "nan", "inf", "true", "abc",
              "500MHz", "8MiB", "8 KiB", "1,2", "ws", "9" * 5000, "1" * 70, "0x10", "1e9Hz",
              "input,input", "\x00", "4GiB", "2.5"]
    for _ in range(count):
        path = rng.choice(paths)
        if rng.random() < 0.1:
            path = path.replace(".", rng.choice(("..", "[", "]", "=", ".")), 1)
        yield "set", f"{path}={rng.choice(values)}"


# -- running --------------------------------------------------------------------------------
def _check_onnx(path: Path) -> None:
    from explorer.estimators.registry import get_estimator
    from explorer.hardware.library import load_accelerator
    from explorer.workload import load_network

    network = load_network(path)
    result = get_estimator("roofline").estimate(network, load_accelerator("gemmini"))
    if not math.isfinite(result.latency_s) or result.latency_s < 0:
        raise ValueError(f"non-finite latency {result.latency_s}")


def _check_yaml(text: str) -> None:
    from explorer.hardware.library import parse_accelerator

    parse_accelerator(text, "fuzz.yaml")


def _check_set(assignment: str) -> None:
    from explorer.hardware.library import load_accelerator
    from explorer.hardware.overrides import apply_overrides

    apply_overrides(load_accelerator("gemmini"), [assignment])


def run_one(check: Callable[[], None], time_cap_s: float) -> tuple[str, str]:
    """(outcome, detail): accepted, refused, or a failure class."""
    def on_alarm(_signum, _frame):
        raise CapHit()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, time_cap_s)
    try:
        check()
        return "accepted", ""
    except CapHit:
        return "time_cap", ""
    except MemoryError:
        return "memory_cap", ""
    except ExplorerError as exc:
        text = str(exc)
        return ("refused", text) if "\n" not in text and text else ("multiline", text[:500])
    except Exception:  # the very thing we count
        return "traceback", traceback.format_exc(limit=6)[-1500:]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def fuzz(inputs: int, seed: int, time_cap_s: float, folder: Path,
         progress: Callable[[str], None] | None = None) -> dict:
    """Split `inputs` between ONNX (35 %), YAML (35 %), --set (15 %) and stores (15 %)."""
    rng = random.Random(seed)
    n_onnx, n_yaml, n_store = inputs * 7 // 20, inputs * 7 // 20, inputs * 3 // 20
    n_set = inputs - n_onnx - n_yaml - n_store
    cases: list[tuple[str, Callable[[], None]]] = []
    cases += [(kind, lambda p=path: _check_onnx(p))
              for kind, path in onnx_inputs(rng, n_onnx, folder)]
    cases += [(kind, lambda t=text: _check_yaml(t)) for kind, text in yaml_inputs(rng, n_yaml)]
    cases += [(kind, lambda a=text: _check_set(a)) for kind, text in set_inputs(rng, n_set)]
    cases += [(kind, lambda p=path: fuzz_store.check(p))
              for kind, path in fuzz_store.store_inputs(rng, n_store, folder)]
    outcomes: Counter = Counter()
    by_class: dict[str, Counter] = {}
    failures: list[dict] = []
    slowest = (0.0, "")
    start = time.perf_counter()
    for number, (kind, check) in enumerate(cases):
        begun = time.perf_counter()
        outcome, detail = run_one(check, time_cap_s)
        took = time.perf_counter() - begun
        slowest = max(slowest, (took, kind))
        outcomes[outcome] += 1
        by_class.setdefault(kind, Counter())[outcome] += 1
        if outcome not in ("accepted", "refused"):
            failures.append({"case": number, "class": kind, "outcome": outcome,
                             "detail": detail})
        if progress and number % 500 == 0:
            progress(f"{number}/{len(cases)} {dict(outcomes)}")
    return {"inputs": len(cases), "seed": seed, "outcomes": dict(outcomes),
            "by_class": {k: dict(v) for k, v in sorted(by_class.items())},
            "failures": failures, "slowest_input_s": round(slowest[0], 3),
            "slowest_class": slowest[1], "wall_s": round(time.perf_counter() - start, 1)}


def main(argv: list[str] | None = None) -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kills", type=int, default=100,
                        help="times a store writer is killed and resumed")
    parser.add_argument("--time-cap", type=float, default=20.0, help="seconds per input")
    parser.add_argument("--memory-cap-gib", type=float, default=2.0,
                        help="address space added to what the process has at start")
    parser.add_argument("--out", default=str(ROOT / "docs" / "validation" /
                                             "robustness.json"), help="'-': stdout")
    args = parser.parse_args(argv)
    import explorer.estimators.roofline  # noqa: F401  (imports done before the cap)
    import explorer.workload  # noqa: F401

    baseline = _address_space_bytes()
    cap = baseline + int(args.memory_cap_gib * 1024**3)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    with tempfile.TemporaryDirectory() as tmp:
        result = fuzz(args.inputs, args.seed, args.time_cap, Path(tmp),
                      progress=lambda text: print(text, file=sys.stderr, flush=True))
    with tempfile.TemporaryDirectory() as tmp:
        result["kills"] = fuzz_store.kill_campaign(Path(tmp), args.kills, args.seed)
    print(f"kills: {result['kills']}", file=sys.stderr)
    result["caps"] = {"time_s_per_input": args.time_cap,
                      "memory_gib_over_start": args.memory_cap_gib}
    from _common import machine_info

    result = {"machine": machine_info(),
              "note": "load average recorded: the machine is shared; wall times are noisy",
              **result}
    text = json.dumps(result, indent=2) + "\n"
    if args.out == "-":
        print(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}: {result['outcomes']}", file=sys.stderr)
    bad = sum(v for k, v in result["outcomes"].items() if k not in ("accepted", "refused"))
    bad += result["kills"]["lost_records"] + result["kills"]["changed_records"]
    return 1 if bad else 0


def _address_space_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[0])
    return pages * resource.getpagesize()


if __name__ == "__main__":
    raise SystemExit(main())
