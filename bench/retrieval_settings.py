"""Each retrieval setting varied on one corpus, beside bm25s alone and LangChain Chroma (ranking only).

``python bench/retrieval_settings.py DATA [QUESTIONS] --store DIR [--halves]``: DATA and QUESTIONS as
``assistant eval`` takes them, the store already ingested. Prints Hits@1, Hits@5 and MRR@10 per row; with
``--halves``, each figure for the first and the second half of the questions too, so that a setting is
chosen on one half and checked on the other.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from keyword_causes import questions_and_golds  # noqa: E402

from assistant.answer import Assistant  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.eval_systems import Bm25sBaseline, CachedEmbed, LangChainBaseline, RetrievalQuestion  # noqa: E402
from assistant.metrics import article_metrics  # noqa: E402
from assistant.retrieve import Options, Retriever  # noqa: E402
from assistant.weights import RetrievalWeights  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("questions", type=Path, nargs="?")
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--halves", action="store_true")
    args = parser.parse_args()
    settings = Settings(store_dir=args.store)
    assistant = Assistant(settings, use_llm=False)
    texts, golds = questions_and_golds(args.data, args.questions, assistant)
    as_of = {}
    if args.questions is not None:
        from assistant.evaluate import load_questions

        as_of = {q.question: q.as_of for q in load_questions(args.questions)}
    qs = [RetrievalQuestion(t, None, as_of.get(t)) for t in texts]
    base = RetrievalWeights.from_settings(settings)
    embed = CachedEmbed(assistant)
    bm25, chroma = Bm25sBaseline(assistant), LangChainBaseline(assistant)

    def ours(weights: RetrievalWeights, options: Options | None = None):  # type: ignore[no-untyped-def]
        retriever = Retriever(assistant.corpus(), settings, weights)
        return lambda q: retriever.search(q.question, embed, as_of=q.as_of, options=options, k=10).ranked_ids[:10]

    rows = [("bm25s alone", lambda q: bm25.ranking(q.question)),
            ("langchain-chroma", lambda q: chroma.run(q)[0]),
            ("project index, question as typed", lambda q: [h.article_id for h in
                                                           assistant.corpus().keyword_search(q.question, 10)]),
            ("assistant (defaults)", ours(base)),
            ("-dates", ours(base, Options(dates=False))),
            ("-dense (keyword mode)", ours(base, Options(dense=False))),
            ("-dense -dates", ours(base, Options(dense=False, dates=False))),
            ("-keyword", ours(base, Options(keyword=False)))]
    for w in (0.0, 0.1, 0.2, 0.3, 0.5):
        rows.append((f"dense_weight {w}", ours(dataclasses.replace(base, dense_weight=w))))
    for w in (0.0, 0.1, 0.3, 0.6):
        rows.append((f"recency_weight {w}", ours(dataclasses.replace(base, recency_weight=w))))
    for w in (0.0, 1.0):
        rows.append((f"date_phrase_weight {w}", ours(dataclasses.replace(base, date_phrase_weight=w))))
    half = len(qs) // 2
    parts = [("all", range(len(qs)))] + ([("1st half", range(half)), ("2nd half", range(half, len(qs)))]
                                          if args.halves else [])
    print(f"{len(qs)} questions")
    print("| system | " + " | ".join(f"H@1 {p} | H@5 {p} | MRR {p}" for p, _ in parts) + " |")
    for name, rank in rows:
        ranked = [rank(q) for q in qs]
        cells = []
        for _, idx in parts:
            m = article_metrics([(ranked[i], golds[i]) for i in idx]).as_dict()
            cells.append(f"{m['hits@1']:.3f} | {m['hits@5']:.3f} | {m['mrr@10']:.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
