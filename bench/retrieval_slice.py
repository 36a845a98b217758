"""Write a slice of a JSON-lines corpus: every gold article of the first N questions plus random distractors.

``python bench/retrieval_slice.py CORPUS QUESTIONS OUT_DIR --questions 100 --distractors 700 --seed 0`` writes
``OUT_DIR/corpus.jsonl`` and ``OUT_DIR/questions.jsonl`` (the first N questions), so that ``assistant eval``
can run on a corpus that ingests in minutes instead of the whole one.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("questions", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--questions", dest="n_questions", type=int, default=100)
    parser.add_argument("--distractors", type=int, default=700)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    lines = [ln for ln in args.questions.read_text(encoding="utf-8").splitlines() if ln.strip()]
    questions = lines[:args.n_questions]
    gold = {str(g) for ln in questions for g in json.loads(ln)["gold_article_ids"]}
    opener = gzip.open if args.corpus.name.endswith(".gz") else open
    with opener(args.corpus, "rt", encoding="utf-8") as fh:
        records = [ln for ln in fh if ln.strip()]
    golds = [r for r in records if str(json.loads(r)["id"]) in gold]
    others = [r for r in records if str(json.loads(r)["id"]) not in gold]
    picked = random.Random(args.seed).sample(others, min(args.distractors, len(others)))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "corpus.jsonl").write_text("".join(golds + picked), encoding="utf-8")
    (args.out / "questions.jsonl").write_text("\n".join(questions) + "\n", encoding="utf-8")
    print(f"{len(questions)} questions, {len(golds)} gold articles, {len(picked)} distractors -> {args.out}")


if __name__ == "__main__":
    main()
