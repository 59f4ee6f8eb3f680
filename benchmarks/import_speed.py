"""Import speed of the nine zoo networks (issue 2: resnet50 ≤ 0.5 s), of a BERT-base-
sized encoder with ~340 MB of inline weights (built on the fly, see _synthetic_bert.py),
and the cost of applying fusion rules (called on every estimate, so it must take
milliseconds). Writes docs/validation/import_speed.json.

    .venv/bin/python benchmarks/import_speed.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import _synthetic_bert  # noqa: E402
from _common import timed, write_result  # noqa: E402

TARGET_RESNET50_S = 0.5
# First import in a fresh interpreter, including `import onnx` and the explorer modules.
COLD = """
import time; t = time.perf_counter()
from explorer.workload import load_network
load_network({name!r})
print(time.perf_counter() - t)
"""


def main() -> None:
    from explorer.hardware.schema import FusionRule
    from explorer.workload import ZOO_NAMES, load_network
    from explorer.workload.fusion import apply_fusion

    root = Path(__file__).resolve().parents[1]
    rules = [FusionRule(pattern=p) for p in (["Conv", "BatchNormalization", "Relu"],
                                              ["Conv", "BatchNormalization"],
                                              ["Conv", "Relu"], ["Gemm", "Relu"])]
    networks = {}
    for name in ZOO_NAMES:
        net = load_network(name)
        warm = timed(lambda n=name: load_network(n), 7)
        fusion = timed(lambda n=net: apply_fusion(n, rules), 20)
        networks[name] = {"layers": len(net), "macs": net.macs, "import": warm,
                          "fused_layers": len(apply_fusion(net, rules)), "fusion": fusion}
        print(f"{name:14s} import {warm['median_s'] * 1e3:7.1f} ms  "
              f"fusion {fusion['median_s'] * 1e3:6.2f} ms", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        bert_path = _synthetic_bert.build(Path(tmp) / "bert_base_like.onnx")
        bert = load_network(bert_path)
        bert_times = timed(lambda: load_network(bert_path), 3)
        networks["synthetic_bert_base"] = {
            "layers": len(bert), "macs": bert.macs, "expected_macs": _synthetic_bert.expected_macs(),
            "file_bytes": bert_path.stat().st_size, "import": bert_times,
            "warnings": bert.warnings}
    print(f"synthetic BERT-base ({networks['synthetic_bert_base']['file_bytes'] / 1e6:.0f} MB)"
          f" import {bert_times['median_s']:.2f} s", flush=True)
    cold = [float(subprocess.run([sys.executable, "-c", COLD.format(name="resnet50")],
                                 capture_output=True, text=True, check=True,
                                 cwd=root, env={"PYTHONPATH": str(root)}).stdout)
            for _ in range(3)]
    resnet = networks["resnet50"]["import"]["median_s"]
    print(f"resnet50 cold (fresh interpreter) {min(cold) * 1e3:.0f} ms")
    path = write_result("import_speed", {
        "target_resnet50_import_s": TARGET_RESNET50_S,
        "resnet50_import_median_s": resnet,
        "resnet50_import_cold_s": cold,
        "meets_target": resnet <= TARGET_RESNET50_S and min(cold) <= TARGET_RESNET50_S,
        "fusion_rules": [r.pattern for r in rules],
        "networks": networks,
    })
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
