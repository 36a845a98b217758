"""Why the keyword ranking and bm25s alone differ: each difference between them switched one at a time.

``python bench/keyword_causes.py DATA [QUESTIONS] --store DIR`` (DATA as ``assistant eval`` takes it; the store
already ingested). Every row ranks whole articles with BM25 (k1 1.2, b 0.75, bm25s) and differs from the
project's tokenizer in one way; Hits@1 and MRR@10 over the questions' gold articles.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path

import bm25s
import numpy as np

from assistant.answer import Assistant
from assistant.config import Settings
from assistant.eval_systems import article_ids_by_file_name, record_article_ids
from assistant.keyword.tokenize import _stemmer, _stopwords, tokenize
from assistant.metrics import article_metrics
from assistant.text import normalize


def questions_and_golds(data: Path, questions: Path | None, assistant: Assistant) -> tuple[list[str], list[set[str]]]:
    from assistant import eval_sources, evaluate

    in_store = {a.id for a, _ in assistant.corpus().list_articles()}
    if questions is not None:
        ids = record_article_ids(data, evaluate._records(data))
        qs = evaluate.load_questions(questions)
        pairs = [(q.question, {ids[g] for g in q.gold if g in ids} & in_store) for q in qs]
    else:
        store_dir = Path(assistant.settings.store_dir)
        loaded = eval_sources.load_ramdocs(data, store_dir / "keyword-causes") if eval_sources.is_ramdocs(data) \
            else eval_sources.load_folder(data)
        names = article_ids_by_file_name(assistant)
        pairs = [(c.question, {names[f] for f in c.covering if f in names}) for c in loaded.cases]
    pairs = [(q, g) for q, g in pairs if g]
    return [q for q, _ in pairs], [g for _, g in pairs]


_BM25S_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def variants() -> dict[str, Callable[[str], list[str]]]:
    stop = _stopwords()
    from bm25s.stopwords import STOPWORDS_EN

    def words(text: str, pattern: str = r"[a-z0-9]+(?:'[a-z]+)?") -> list[str]:
        return [w[:-2] if w.endswith("'s") else w for w in re.findall(pattern, normalize(text))]

    def keep(ws: list[str], stops: frozenset[str] | set[str]) -> list[str]:
        return [w for w in ws if (len(w) > 1 or w.isdigit()) and w not in stops]

    return {
        "project tokenize": tokenize,
        "no stemming": lambda t: keep(words(t), stop),
        "bm25s stopwords only": lambda t: list(_stemmer().stemWords(keep(words(t), set(STOPWORDS_EN)))),
        "unicode words (\\w)": lambda t: list(_stemmer().stemWords(keep(words(t, r"\w+(?:'\w+)?"), stop))),
        "bm25s tokens, stemmed": lambda t: list(_stemmer().stemWords(
            [w for w in _BM25S_TOKEN.findall(t.lower()) if w not in STOPWORDS_EN])),
        "bm25s tokens": lambda t: [w for w in _BM25S_TOKEN.findall(t.lower()) if w not in STOPWORDS_EN],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("questions", type=Path, nargs="?")
    parser.add_argument("--store", type=Path, required=True)
    args = parser.parse_args()
    assistant = Assistant(Settings(store_dir=args.store), use_llm=False)
    questions, golds = questions_and_golds(args.data, args.questions, assistant)
    corpus = assistant.corpus()
    ids = [a.id for a, _ in corpus.list_articles()]
    articles = corpus.get_articles(ids)
    ids = [a for a in ids if a in articles]
    print(f"{len(questions)} questions, {len(ids)} articles")
    print("| tokens | title x | Hits@1 | Hits@5 | MRR@10 |\n|---|---|---|---|---|")
    for name, tok in variants().items():
        for title_times in (1, 2):
            docs = [tok(articles[a].title or "") * title_times + tok(articles[a].text) for a in ids]
            index = bm25s.BM25()
            index.index(docs, show_progress=False)
            vocab = index.vocab_dict
            runs = []
            for q, gold in zip(questions, golds):
                words = [w for w in dict.fromkeys(tok(q)) if w in vocab]
                scores = np.asarray(index.get_scores(words)) if words else np.zeros(len(ids))
                order = np.argsort(-scores, kind="stable")[:10]
                runs.append(([ids[i] for i in order if scores[i] > 0], gold))
            m = article_metrics(runs).as_dict()
            print(f"| {name} | {title_times} | {m['hits@1']:.3f} | {m['hits@5']:.3f} | {m['mrr@10']:.3f} |",
                  flush=True)


if __name__ == "__main__":
    main()
