"""`python -m explorer.runner plan.json -o results.jsonl --provider CUDAExecutionProvider`."""

import sys

from explorer.runner.runner import main

if __name__ == "__main__":  # importing the module (tools that walk packages) runs nothing
    sys.exit(main())
