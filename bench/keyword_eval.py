"""Keyword side of the retriever on a whole corpus, without embeddings (minutes, not hours).

    .venv/bin/python bench/keyword_eval.py ../shared/data/realtimeqa-2023/corpus.jsonl.gz \
        ../shared/data/realtimeqa-2023/questions-dev.jsonl [--limit N] [--json PATH]

Builds ``assistant.keyword.KeywordIndex`` straight from the corpus file (no Chroma, no vectors) and reports
article-level Hits@1/5/10 and MRR@10 for: BM25 over title + body; the title counted twice; the reference-date
prior (``date_factors``: recency, later articles halved); and the date-phrase boost. Each row adds one change,
so the differences are what each change contributes on the full corpus.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from assistant.config import Settings
from assistant.errors import IngestError
from assistant.evaluate import _records, load_questions
from assistant.ingest import article_from_record
from assistant.keyword import KeywordIndex
from assistant.metrics import article_metrics
from assistant.query import parse_query
from assistant.retrieve import date_factors
from assistant.weights import RetrievalWeights


def build(corpus: Path, folder: Path, title_weight: int) -> tuple[KeywordIndex, dict[str, str], list[str]]:
    index = KeywordIndex(folder, title_weight=title_weight)
    ids: dict[str, str] = {}
    outlets: set[str] = set()
    for i, record in enumerate(_records(corpus), start=1):
        try:
            article = article_from_record(corpus, f"{corpus}:{i}", record, {})
        except IngestError:
            continue
        ids[str(record.get("id", i))] = article.id
        outlets.add(article.outlet or "")
        index.add(article, [])
    index.commit()
    return index, ids, sorted(o for o in outlets if o)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("questions", type=Path)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    questions = load_questions(args.questions)[: args.limit or None]
    base = Settings(_env_file=None)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for title_weight in (1, 2):
            t = time.perf_counter()
            index, ids, outlets = build(args.corpus, Path(tmp) / f"t{title_weight}", title_weight)
            print(f"indexed {len(ids)} articles (title x{title_weight}) in {time.perf_counter() - t:.0f} s",
                  flush=True)
            variants = [("no dates", None, 0.0)] if title_weight == 1 else [
                ("no dates", None, 0.0), ("+ reference-date prior", True, 0.0),
                (f"+ date phrases ({base.date_phrase_weight})", True, base.date_phrase_weight)]
            for name, dates, phrase_weight in variants:
                settings = base.model_copy(update={"date_phrase_weight": phrase_weight})
                runs = []
                for q in questions:
                    intent = parse_query(q.question, q.as_of if dates else None, outlets)
                    prior = RetrievalWeights.from_settings(settings)
                    weights = (lambda d, i=intent, w=prior: date_factors(d, i, w)) if dates else None
                    hits = index.search_articles(intent.search_text if dates else q.question, 10,
                                                 date_weights=weights)
                    runs.append(([h.article_id for h in hits], {ids[g] for g in q.gold if g in ids}))
                m = article_metrics(runs)
                rows.append({"title_weight": title_weight, "variant": name, **m.as_dict()})
                print(f"title x{title_weight} {name:28s} " + " ".join(f"{k} {v:.3f}" for k, v in m.as_dict().items()),
                      flush=True)
    if args.json:
        args.json.write_text(json.dumps({"questions": len(questions), "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
