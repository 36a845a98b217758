"""The ``assistant`` command. Thin: builds ``Settings``, calls the core, renders, turns errors into one line."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from .config import SAMPLES_DIR, Settings
from .errors import AssistantError, ConfigError

app = typer.Typer(
    help="Ask questions over news articles; get verbatim, cited excerpts from each source.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

SAMPLE_QUESTION = "Was the transit workers' union consulted?"


class State:
    store: Path | None = None
    chroma_host: str | None = None
    chroma_port: int | None = None
    debug: bool = False


state = State()


def make_settings(**overrides: Any) -> Settings:
    """Settings from env/.env plus the global flags; a bad value becomes a ``ConfigError``."""
    from pydantic import ValidationError

    values = {k: v for k, v in overrides.items() if v is not None}
    if state.store is not None:
        values["store_dir"] = state.store
    if state.chroma_host is not None:
        values["chroma_host"] = state.chroma_host
    if state.chroma_port is not None:
        values["chroma_port"] = state.chroma_port
    try:
        return Settings(**values)
    except ValidationError as e:
        first = e.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "?"
        raise ConfigError(f"Invalid setting ASSISTANT_{name.upper()}: {first['msg']}") from e


@contextmanager
def edge() -> Iterator[None]:
    """Turn core errors into one line on stderr and exit status 1 (traceback only with --debug)."""
    try:
        yield
    except AssistantError as e:
        if state.debug:
            err.print_exception()
        err.print(f"[red]error:[/red] {e}", soft_wrap=True)  # one line, also when piped
        raise typer.Exit(1) from None
    except Exception as e:  # a Chroma call outside the Store (which turns timeouts into a StoreError itself)
        from .answer import timeout_failure

        failure = timeout_failure(e, make_settings)
        if failure is None:
            raise
        if state.debug:
            err.print_exception()
        err.print(f"[red]error:[/red] {failure}", soft_wrap=True)
        raise typer.Exit(1) from None


def _ctrl_c_interrupts() -> None:
    """Ctrl-C (SIGINT) cancels an answer in the chat and stops the bot, also when this process was started with
    SIGINT ignored (a shell without job control does that to background commands, and children inherit it)."""
    import signal

    signal.signal(signal.SIGINT, signal.default_int_handler)


@app.callback()
def main_options(
    store: Annotated[Path | None, typer.Option(
        "--store", envvar="ASSISTANT_STORE_DIR", show_default=False,
        help="Directory of the embedded Chroma store (default: the per-user data folder).")] = None,
    chroma_host: Annotated[str | None, typer.Option(
        "--chroma-host", envvar="ASSISTANT_CHROMA_HOST", help="Use the Chroma server on this host.")] = None,
    chroma_port: Annotated[int | None, typer.Option(
        "--chroma-port", envvar="ASSISTANT_CHROMA_PORT", help="Port of the Chroma server (default: 8000).")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks, and which reader read each page.")]
    = False,
) -> None:
    state.store = store
    state.chroma_host = chroma_host
    state.chroma_port = chroma_port
    state.debug = debug
    if debug:
        _debug_log("assistant.ingest")


def _debug_log(name: str) -> None:
    """Debug lines of one part of the core on stderr (not every library's)."""
    import logging

    logger = logging.getLogger(name)
    logger.setLevel(logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("debug: %(message)s"))
    logger.addHandler(handler)


@app.command()
def ingest(
    sources: Annotated[list[str] | None, typer.Argument(
        metavar="PATH_OR_LINK", show_default=False,
        help="Files, folders (recursive) or http(s) links to pages and RSS/Atom feeds. Formats: .txt .md .html "
             ".pdf .json .jsonl, each also .gz")] = None,
    urls: Annotated[Path | None, typer.Option("--urls", metavar="FILE", help="A file of links, one a line.")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", metavar="YYYY-MM-DD", help="Feeds: skip entries dated before this day.")] = None,
) -> None:
    """Add articles to the store (re-ingesting is safe: unchanged files are skipped, changed ones replaced;
    fetched pages are kept under the store and not fetched again)."""
    from .answer import Assistant
    from .progress import ingest_with_progress

    with edge():
        wanted: list[Path | str] = list(sources or [])  # the core tells links from paths
        if urls is not None:
            wanted += _link_list(urls)
        if not wanted:
            raise ConfigError("Nothing to ingest: give files, folders or links, or --urls FILE.")
        code = ingest_with_progress(Assistant(make_settings(), use_llm=False), wanted, err,
                                    since=_day(since, "--since"))
    raise typer.Exit(code)


def _link_list(path: Path) -> list[str]:
    """The links of a ``--urls`` file, one a line; blank lines and ``#`` comments skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"--urls {path}: cannot read the list of links ({e})") from None
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _day(value: str | None, option: str) -> Any:
    """A YYYY-MM-DD option as a date (None when not given); a bad value is a ``ConfigError``."""
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not a date; use YYYY-MM-DD, e.g. {option} 2023-03-10") from None


@app.command()
def show(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="An article id (from `sources` or `ask --json`).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Print one stored article, its metadata and full text, to check a quote in its context."""
    from .answer import Assistant
    from .render import article_json, article_text

    with edge():
        article = Assistant(make_settings(), use_llm=False).show(article_id.strip())
        text = json.dumps(article_json(article), ensure_ascii=False, indent=2) if as_json else article_text(article)
        sys.stdout.write(text + "\n")


def _answer(assistant: Any, question: str, as_json: bool, as_of: Any = None, console: Console = out) -> None:
    """Ask and print: one JSON object, plain text for a pipe, or on a terminal each source's panel as soon as
    it is ready (and the LLM answer as it streams), the rest once the answer is done."""
    from .render import answer_text

    if as_json or not console.is_terminal:
        answer = assistant.ask(question, as_of=as_of)
        text = json.dumps(answer.to_json(), ensure_ascii=False, indent=2) if as_json else answer_text(answer)
        sys.stdout.write(text + "\n")
        return
    from .chat import Stream

    status = console.status("searching…", spinner="dots")
    status.start()
    stream = Stream(console, status)
    try:
        stream.finish(assistant.ask(question, as_of=as_of, events=stream.events()))
    finally:
        stream.close()


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help='The question, e.g. "Was Israel consulted?"')],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as one JSON object.")] = False,
    offline: Annotated[bool, typer.Option("--offline", help="Extractive answer only, even if an LLM is set.")] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="YYYY-MM-DD",
        help='Reference date for "this week", "last month"...; newer articles are ranked down.')] = None,
) -> None:
    """Answer a question with verbatim excerpts from each source (plus an LLM answer when configured)."""
    from .answer import Assistant

    with edge():
        reference = parse_as_of(as_of)
        assistant = Assistant(make_settings(), use_llm=False if offline else None)
        loading = _load_model_meanwhile(assistant)
        try:
            _answer(assistant, question, as_json, reference)
        finally:
            if loading is not None:  # a process that exits while ONNX Runtime builds its session aborts
                loading.join()


def _load_model_meanwhile(assistant: Any) -> threading.Thread | None:
    """Load the local question model in a background thread while the store opens.

    ONNX Runtime builds its session in C++ without holding the GIL, so on two cores it is ready by the time
    Chroma has been imported and opened (a cold ``ask`` waits for the slower of the two, not their sum). The
    vectors do not change: each text is embedded alone. A remote embedding model is left alone (no request
    is made before the question). Returns the thread, to be joined before the process exits.
    """
    if assistant.settings.embedding_provider != "local":
        return None

    def load() -> None:
        with suppress(Exception):  # the question's own embedding raises it again, in the foreground
            assistant.warm_up()

    thread = threading.Thread(target=load, name="load-model", daemon=True)
    thread.start()
    return thread


def parse_as_of(value: str | None) -> Any:
    """``--as-of`` as a date (None when not given); a bad value is a ``ConfigError``."""
    return _day(value, "--as-of")


@app.command()
def sources(as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False) -> None:
    """List the ingested articles."""
    from rich.table import Table

    from .answer import Assistant

    with edge():
        rows = Assistant(make_settings(), use_llm=False).sources()
        if as_json:
            for article, n in rows:
                sys.stdout.write(json.dumps({**article.model_dump(exclude={"text"}), "chunks": n}) + "\n")
            return
        table = Table(title=f"{len(rows)} article(s)")
        for col in ("id", "outlet", "title", "date", "chunks"):
            table.add_column(col, overflow="fold")
        for article, n in rows:
            table.add_row(article.id, article.outlet or "", article.title or "", article.date or "", str(n))
        out.print(table)


@app.command()
def demo(
    question: Annotated[str, typer.Argument(help="Question to ask about the samples.")] = SAMPLE_QUESTION,
) -> None:
    """Ingest the bundled sample articles and answer a sample question (offline)."""
    from .answer import Assistant
    from .progress import ingest_with_progress

    with edge():
        assistant = Assistant(make_settings(), use_llm=False)
        ingest_with_progress(assistant, [SAMPLES_DIR], err, quiet=True)
        out.print(f"[bold]Q:[/bold] {question}")
        _answer(assistant, question, as_json=False)


# --- chat --------------------------------------------------------------------------------


@app.command()
def chat(
    offline: Annotated[bool, typer.Option("--offline", help="Extractive answers only, even if an LLM is set.")] = False,
) -> None:
    """Chat in the terminal: follow-up questions, answers streamed as they are made, /help for commands."""
    from .chat import run_chat

    _ctrl_c_interrupts()
    with edge():
        code = run_chat(make_settings(), use_llm=False if offline else None, debug=state.debug)
    raise typer.Exit(code)


# --- slack and feedback ------------------------------------------------------------------


@app.command()
def slack(
    http: Annotated[bool, typer.Option("--http", help="Serve the Events API over HTTP (needs SLACK_SIGNING_SECRET) "
                                                      "instead of Socket Mode (SLACK_APP_TOKEN).")] = False,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="HTTP mode: port to listen on.")] = 3000,
    host: Annotated[str, typer.Option("--host", help="HTTP mode: address to bind (0.0.0.0 = all interfaces).")]
    = "127.0.0.1",
) -> None:
    """Run the Slack bot: answers mentions and DMs in threads with cited excerpts (setup: docs/slack.md)."""
    _ctrl_c_interrupts()
    with edge():
        from .slack.app import serve

        serve(make_settings(), http=http, host=host, port=port, debug=state.debug)


@app.command()
def feedback(as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False) -> None:
    """Summarise the 👍/👎 votes given to the Slack bot's answers (log file: ASSISTANT_FEEDBACK_PATH)."""
    from .feedback import summarise, summary_text

    with edge():
        summary = summarise(make_settings().feedback_path)
        text = json.dumps(summary.to_json(), ensure_ascii=False, indent=2) if as_json else summary_text(summary)
        sys.stdout.write(text + "\n")


# --- eval ----------------------------------------------------------------------------------------


@app.command("eval")
def eval_command(
    data: Annotated[Path, typer.Argument(help="A corpus file (with QUESTIONS), a RAMDocs .jsonl, a folder of "
                                         "articles with questions.json, or an articles folder with a "
                                         "conversations.json (after it, or inside the folder).")],
    questions: Annotated[Path | None, typer.Argument(
        help="For a corpus: JSON lines with question, answer, gold_article_ids[, question_date]; for follow-ups: "
             "conversations.json.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Only the first N questions.")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the full report (JSON) here.")] = None,
    no_ingest: Annotated[bool, typer.Option("--no-ingest", help="Use the store as it is (no top-up).")] = False,
    no_ablations: Annotated[bool, typer.Option("--no-ablations", help="Skip the ablation rows.")] = False,
) -> None:
    """Benchmark in one run, baselines beside this assistant: retrieval (a corpus and its questions), each
    source's answer (RAMDocs, a folder with questions.json) or follow-ups per turn kind (conversations.json);
    use --store to reuse a store."""
    from .eval_sources import format_sources_table, is_ramdocs, questions_file, run_sources_eval
    from .evaluate import format_table, run_eval

    with edge():
        settings = make_settings()
        say = lambda m: err.print(m)  # noqa: E731
        from .eval_conversations import run_from_cli

        conversations = run_from_cli(data, questions, settings, limit=limit, json_path=json_path,
                                     ingest=not no_ingest, with_ablations=not no_ablations, progress=say)
        if conversations is not None:  # the arguments named a conversations file
            typer.echo(conversations)
            return
        if questions is None and (is_ramdocs(data) or (data.is_dir() and questions_file(data))):
            report = run_sources_eval(data, settings, limit=limit, ingest=not no_ingest,
                                      with_ablations=not no_ablations, progress=say)
            text = format_sources_table(report)
        elif questions is None:
            raise typer.BadParameter("give the questions file after the corpus, or a RAMDocs .jsonl, or a folder "
                                     "holding questions.json", param_hint="QUESTIONS")
        else:
            report = run_eval(data, questions, settings, limit=limit, ingest=not no_ingest,
                              with_ablations=not no_ablations, progress=say)
            text = format_table(report)
        typer.echo(text)
        if json_path is not None:
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.write_text(json.dumps(report, indent=2), encoding="utf-8")
            err.print(f"report written to {json_path}")


def main() -> None:
    import gc

    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    finally:
        gc.freeze()  # exit without walking torch's object graph (seconds once the model is loaded)
