"""``assistant chat``: a conversational terminal over the core ``Assistant``.

Questions are read with prompt-toolkit (line editing, persistent history, multi-line paste sent as one
question). The last turns (question and the ``Answer`` shown) are kept as memory and passed to
``Assistant.ask(history=...)``, which rewrites a follow-up into a standalone question before searching; the
chat shows that rewrite dimly, with the outlet filter it implies. Answers are
printed as they are made: each source's panel when it is ready, LLM tokens as they arrive. Slash commands
manage the session (``/help``). When stdin is not a terminal, each line is a question and answers are plain
text, so the chat can be scripted.

Startup stays light: nothing here imports torch or chromadb. The embedding model and the store are opened
in a background thread once the prompt is showing; the first question waits for it if needed.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shlex
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from .config import SAMPLES_DIR, Settings
from .errors import AssistantError, EmptyStoreError
from .events import AskEvents, Searched
from .render import answer_text, footer, source_panel

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession
    from rich.status import Status

    from .answer import Assistant, Conversation
    from .schema import Answer, SourceAnswer

PROMPT = "» "

HELP = """\
Ask a question about the ingested articles; follow-ups ("When did that happen?") use the conversation.
  /help          this help
  /sources       list the ingested articles
  /ingest PATH   add articles from files, folders or links (.txt .md .html .pdf .json .jsonl, feeds)
  /reset         forget the conversation (the next question starts fresh)
  /json          print the last answer as JSON (the `assistant ask --json` object)
  /show N        print source N of the last answer in full (metadata and text)
  /quit          leave (also Ctrl-D, or Ctrl-C at an empty prompt)
Ctrl-C while an answer is printing cancels it. Pasted multi-line text is sent as one question."""


def searched_line(searched: Searched) -> str:
    """The dim line naming what a follow-up searched, and the outlet filter it implies."""
    line = f"searched: {searched.standalone}"
    if searched.outlets:
        line += "  [outlet: " + ", ".join(searched.outlets) + "]"
    return line


class Stream:
    """Prints one answer on a terminal while it is made: searched question, source panels, LLM tokens."""

    def __init__(self, console: Console, status: Status) -> None:
        self.console = console
        self.status = status
        self.shown: set[int] = set()
        self.tokens: list[str] = []
        self.column = 0

    def events(self) -> AskEvents:
        """The hooks ``Assistant.ask`` streams this answer through."""
        return AskEvents(on_searched=self.searched, on_source=self.source, on_token=self.token)

    def searched(self, searched: Searched) -> None:
        if searched.rewritten:  # a question searched as typed needs no line
            self.status.stop()
            self.console.print(Text(searched_line(searched), style="dim italic"))

    def source(self, source: SourceAnswer) -> None:
        if source.covers and source.n not in self.shown:
            self.status.stop()
            self.console.print(source_panel(source))
            self.shown.add(source.n)

    def token(self, piece: str) -> None:
        if not self.tokens:
            self.status.stop()
            self.console.print(Text("Answer", style="bold blue"))
        self.tokens.append(piece)
        self._write_wrapped(piece)

    def _write_wrapped(self, piece: str) -> None:
        """Write streamed text, breaking lines between words at the terminal's width."""
        width = max(20, self.console.width - 1)
        out = self.console.file
        for part in re.split(r"(\s+)", piece):
            if not part:
                continue
            if "\n" in part:
                out.write(part)
                self.column = len(part.rsplit("\n", 1)[1])
            elif part.isspace():
                if self.column:
                    out.write(part)
                    self.column += len(part)
            else:
                if self.column and self.column + len(part) > width:
                    out.write("\n")
                    self.column = 0
                out.write(part)
                self.column += len(part)
        out.flush()

    def close(self) -> None:
        """End the stream (also when cancelled): stop the spinner, end a half-written line."""
        self.status.stop()
        if self.column:
            self.console.file.write("\n")
            self.console.file.flush()
            self.column = 0

    def finish(self, answer: Answer) -> None:
        self.close()
        streamed = "".join(self.tokens).strip()
        if answer.answer and answer.answer != streamed:  # not streamed, or changed by the citation checks
            title = "Answer (citations checked)" if streamed else "Answer"
            self.console.print(Panel(Text(answer.answer), title=title, title_align="left", border_style="blue"))
        self.console.print(Text(answer.summary, style="bold"))
        for source in answer.covering:
            self.source(source)
        for part in footer(answer):
            self.console.print(part)


class Chat:
    """One chat session: the assistant, the conversation memory and the slash commands."""

    def __init__(self, settings: Settings, *, plain: bool, use_llm: bool | None = None, debug: bool = False) -> None:
        self.settings = settings
        self.plain = plain
        self.debug = debug
        self.use_llm = settings.llm_enabled if use_llm is None else use_llm
        self._assistant: Assistant | None = None
        if self.use_llm:  # the core loads the prompt files as it starts: a broken one fails now, not at a question
            self._assistant = self._new_assistant()
        self._memory: Conversation | None = None
        self.last: Answer | None = None
        self.failed = False
        self.out = Console(highlight=False, soft_wrap=plain)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)
        self._warm: threading.Thread | None = None

    @property
    def memory(self) -> Conversation:
        """The turns remembered (created on first use: the core's modules are not needed at the prompt)."""
        if self._memory is None:
            from .answer import Conversation

            self._memory = Conversation(self.settings.history_turns)
        return self._memory

    @property
    def assistant(self) -> Assistant:
        """The core, created on first use (by the warm-up thread, or the first command that needs it; in LLM
        mode at start)."""
        if self._assistant is None:
            self._assistant = self._new_assistant()
        return self._assistant

    def _new_assistant(self) -> Assistant:
        # imported here, not at the top: the core pulls in LangChain, which the prompt need not wait for
        from .answer import Assistant

        return Assistant(self.settings, use_llm=self.use_llm)

    # -- output ---------------------------------------------------------------------------------------

    def say(self, text: str, style: str = "") -> None:
        if self.plain:
            sys.stdout.write(text + "\n")
            sys.stdout.flush()
        else:
            self.out.print(Text(text, style=style))

    def error(self, message: str) -> None:
        self.failed = True
        self.err.print(Text("error: ", style="red").append(Text(message)))

    def banner(self) -> None:
        s = self.settings
        mode = f"LLM {s.llm_model}" if self.use_llm else "offline (extractive answers)"
        store = f"Chroma server {s.chroma_host}:{s.chroma_port}" if s.chroma_host else str(s.store_dir)
        self.say(f"assistant chat · {mode} · store {store}", "dim")
        self.say("Ask a question about your articles; /help for commands, Ctrl-D to quit.", "dim")
        if not s.store_created:
            self.say(f"The store is empty: add articles with /ingest PATH (try /ingest {SAMPLES_DIR}).", "yellow")

    # -- background warm-up ---------------------------------------------------------------------------

    def start_warm_up(self) -> None:
        """Load the embedding model and open the store in a background thread (errors surface later)."""

        def warm() -> None:
            try:
                self.assistant.warm_up(open_store=True)
            except Exception:  # the first question reports it as a one-line error
                pass

        self._warm = threading.Thread(target=warm, name="warm-up", daemon=True)
        self._warm.start()

    def wait_warm_up(self, status: Status | None = None) -> None:
        """Wait (interruptibly) until the warm-up thread is done; the assistant is then used by one thread."""
        if self._warm is None or not self._warm.is_alive():
            return
        if status is not None:
            status.update("loading the embedding model (first question only)…")
        while self._warm.is_alive():
            self._warm.join(0.1)
        if status is not None:
            status.update("searching…")

    # -- one line of input ----------------------------------------------------------------------------

    def handle(self, line: str) -> bool:
        """Act on one line of input; False when the session should end."""
        text = line.strip()
        if not text:
            return True
        try:
            if text.startswith("/"):
                return self.command(text)
            self.ask(text)
        except KeyboardInterrupt:
            if self.plain:
                raise
            self.say("cancelled", "dim")
        except EmptyStoreError:
            self.error(f"No articles in the store yet; add some with /ingest PATH (try /ingest {SAMPLES_DIR}).")
        except AssistantError as err:
            self.error(str(err))
        except Exception as err:  # a bug or a library failure: one line, the session goes on
            if self.debug:
                self.err.print_exception()
            self.error(f"unexpected {type(err).__name__}: {err} (run with --debug for the traceback)")
        return True

    def ask(self, question: str) -> None:
        history = self.memory.history()
        if self.plain:
            answer = self.assistant.ask(question, history=history)
            self.say(f"Q: {question}\n{answer_text(answer)}\n")
        else:
            status = self.out.status("searching…", spinner="dots")
            status.start()
            stream = Stream(self.out, status)
            try:
                self.wait_warm_up(status)
                answer = self.assistant.ask(question, history=history, events=stream.events())
                stream.finish(answer)
            finally:
                stream.close()
        self.memory.remember(answer)
        self.last = answer

    def command(self, text: str) -> bool:
        name, _, rest = text.partition(" ")
        name = name.lower()
        if name in ("/quit", "/exit"):
            return False
        if name == "/help":
            self.say(HELP)
        elif name == "/reset":
            self.memory.reset()
            self.last = None
            self.say("Conversation forgotten; the next question starts fresh.", "dim")
        elif name == "/json":
            if self.last is None:
                self.say("No answer yet: ask a question first.", "dim")
            else:
                sys.stdout.write(json.dumps(self.last.to_json(), ensure_ascii=False, indent=2) + "\n")
                sys.stdout.flush()
        elif name == "/sources":
            self.list_sources()
        elif name == "/show":
            self.show(rest.strip())
        elif name == "/ingest":
            self.ingest(rest.strip())
        else:
            self.say(f"Unknown command {name}; type /help for the commands.", "yellow")
        return True

    def list_sources(self) -> None:
        self.wait_warm_up()
        rows = self.assistant.sources()
        if not rows:
            raise EmptyStoreError(self.assistant.location)
        self.say(f"{len(rows)} article(s):", "bold")
        for article, n_chunks in rows:
            label = " — ".join(x for x in (article.outlet, article.title, article.date) if x) or article.id
            self.say(f"  {label}  ({n_chunks} chunks, id {article.id})")

    def show(self, arg: str) -> None:
        """Source ``arg`` (its number) of the last answer, in full."""
        from .render import article_text

        sources = {str(s.n): s for s in self.last.sources} if self.last else {}
        if arg not in sources:
            shown = f"1 to {len(sources)}" if sources else "none yet: ask a question first"
            self.say(f"Usage: /show N, with N a source number of the last answer ({shown}).", "yellow")
            return
        self.wait_warm_up()
        sys.stdout.write(article_text(self.assistant.show(sources[arg].id)) + "\n")
        sys.stdout.flush()

    def ingest(self, arg: str) -> None:
        from .progress import ingest_with_progress

        if not arg:
            self.say(f"Usage: /ingest PATH [PATH ...]  (e.g. /ingest {SAMPLES_DIR})", "yellow")
            return
        try:
            parts = shlex.split(arg)
        except ValueError:  # an unbalanced quote: take the line as one path
            parts = [arg]
        self.wait_warm_up()
        # strings, not Paths: the core tells links from paths, and a Path would fold a link's "//"
        ingest_with_progress(self.assistant, [os.path.expanduser(p) for p in parts], self.err, quiet=self.plain)

    # -- sessions -------------------------------------------------------------------------------------

    def run_lines(self, lines: Iterable[str]) -> int:
        """Script mode: one question or command per line; status 1 when a turn failed."""
        for line in lines:
            if not self.handle(line):
                break
        return 1 if self.failed else 0

    def run_terminal(self) -> int:
        session = prompt_session(self.settings.history_path)
        self.banner()
        self.start_warm_up()
        while True:
            try:
                line = session.prompt(PROMPT)
            except EOFError:
                return 0
            except KeyboardInterrupt:
                if session.default_buffer.text.strip():  # Ctrl-C on a half-typed line only clears it
                    continue
                return 0
            if not self.handle(line):
                return 0


def prompt_session(history_path: Path) -> PromptSession[Any]:
    """A prompt with emacs-style editing and history kept in ``history_path`` (in memory if unwritable)."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, History, InMemoryHistory

    history: History
    try:
        history_path.parent.mkdir(parents=True, exist_ok=True)
        history_path.touch(exist_ok=True)
        history = FileHistory(str(history_path))
    except OSError:
        history = InMemoryHistory()
    return PromptSession(history=history)


def run_chat(settings: Settings, *, use_llm: bool | None = None, debug: bool = False) -> int:
    """Run the chat on this terminal, or in script mode when stdin is not a terminal; the exit status."""
    chat = Chat(settings, plain=not sys.stdin.isatty(), use_llm=use_llm, debug=debug)
    code = chat.run_lines(sys.stdin) if chat.plain else chat.run_terminal()
    gc.freeze()  # leave quickly: the collector's last pass over torch's many objects takes seconds
    return code
