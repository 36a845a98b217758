"""Retrieval benchmark: bm25s vs LangChain Chroma vs this project, in one run.

    .venv/bin/python bench/eval.py ../shared/data/realtimeqa-2023/corpus.jsonl.gz \
        ../shared/data/realtimeqa-2023/questions-dev.jsonl --store /tmp/rtqa-store --json bench/results/eval.json

Same as ``assistant eval``; see assistant/evaluate.py for what is measured.
"""

from __future__ import annotations

import sys

from assistant.evaluate import main

if __name__ == "__main__":
    sys.exit(main())
