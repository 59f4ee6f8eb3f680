"""Write docs/estimate-output.schema.json, the JSON Schema of `accel-explorer estimate
--format json` (and `NetworkEstimate.to_json()`), from explorer/output_schema.py.

    python scripts/gen_estimate_schema.py          # rewrite the file
    python scripts/gen_estimate_schema.py --check  # exit 1 when the committed file is stale

tests/test_output_schema.py fails when the committed file is stale.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from explorer.output_schema import estimate_output_schema  # noqa: E402

SCHEMA_PATH = ROOT / "docs" / "estimate-output.schema.json"


def render() -> str:
    return json.dumps(estimate_output_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if stale")
    args = parser.parse_args()
    text = render()
    if args.check:
        stale = SCHEMA_PATH.read_text(encoding="utf-8") != text
        if stale:
            print(f"{SCHEMA_PATH.relative_to(ROOT)} is stale: run {Path(__file__).name}")
        return int(stale)
    SCHEMA_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
