"""`python -m explorer.runner plan.json -o results.jsonl --provider CUDAExecutionProvider`."""

import sys

from explorer.runner.runner import main

sys.exit(main())
