"""``assistant slack``: build the Bolt app and run it over Socket Mode (``SLACK_APP_TOKEN``) or HTTP (``--http``).

A thin front end over ``Assistant.ask``: Bolt acks each event at once, the listeners (``listeners/``) hand the
answering to a bounded pool that posts a placeholder in the thread, asks the core with the thread as history,
and replaces it with Block Kit from ``blocks.answer_blocks``. Errors become a short ``:warning:`` reply.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import TYPE_CHECKING, Any

from ..config import Settings
from ..errors import ConfigError
from .api import SLACK_ERRORS, api_error, api_url
from .bot import Asker, SlackBot
from .listeners import register
from .redact import DropMessages, configure_logging
from .tokens import api_unreachable, app_token, bot_token, check_settings, signing_secret, token_refused
from .web import EVENTS_PATH, EventsServer

if TYPE_CHECKING:
    from slack_bolt import App
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk import WebClient

log = logging.getLogger(__name__)


def build_app(settings: Settings, bot: SlackBot, *, http: bool, client: WebClient | None = None) -> App:
    """A Bolt ``App`` on ``settings.slack_api_url`` with ``register``'s listeners.

    Calls ``auth.test`` once; raises ``ConfigError`` when Slack refuses the token or cannot be reached.
    """
    from slack_bolt import App
    from slack_bolt.error import BoltError
    from slack_sdk import WebClient

    client = client or WebClient(token=bot_token(settings), base_url=api_url(settings), timeout=30)
    # Bolt also reads SLACK_BOT_TOKEN itself and then warns that our client's token wins; that is intended.
    bolt_log = logging.getLogger("slack_bolt.App")
    quiet = DropMessages("`token` will be unused")
    bolt_log.addFilter(quiet)
    try:
        app = App(name="assistant", client=client, signing_secret=signing_secret(settings) if http else None,
                  request_verification_enabled=http,
                  process_before_response=False, listener_executor=bot.listeners)  # ack first, answer after
    except BoltError as e:
        raise token_refused(api_url(settings), e) from None
    except OSError as e:
        raise api_unreachable(api_url(settings), e) from None
    finally:
        bolt_log.removeFilter(quiet)
    register(app, bot)
    return app


def socket_mode_handler(app: App, settings: Settings) -> SocketModeHandler:
    """Bolt's built-in Socket Mode handler; its ``apps.connections.open`` goes to ``settings.slack_api_url``."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(app, app_token=app_token(settings), web_client=app.client)


def _serve_http(app: App, bot: SlackBot, host: str, port: int, debug: bool) -> None:
    server = EventsServer(app, bot, host, port, access_log=debug)
    log.info("HTTP mode: Slack events at %s%s (set this as the Request URL behind your public https address); "
             "health at %s/health", server.url, EVENTS_PATH, server.url)
    server.serve_forever()


def _serve_socket_mode(app: App, settings: Settings) -> None:
    handler = socket_mode_handler(app, settings)
    try:
        handler.connect()
    except SLACK_ERRORS as e:
        raise ConfigError(f"Socket Mode could not connect ({api_error(e)}). Check SLACK_APP_TOKEN "
                          "(xapp-…, scope connections:write) and that Socket Mode is on for the app.") from None
    log.info("Socket Mode: connected; mention the bot in a channel or send it a DM")
    try:
        threading.Event().wait()
    finally:
        handler.close()


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def serve(settings: Settings, *, http: bool = False, host: str = "127.0.0.1", port: int = 3000,
          debug: bool = False, assistant: Asker | None = None) -> None:
    """Run the bot until interrupted: Socket Mode, or HTTP mode on ``host:port`` with ``--http``.

    The embedding model loads in the background, so the bot acks and shows its placeholder at once.
    Raises ``ConfigError`` for missing or refused tokens and a port that cannot be bound.
    """
    check_settings(settings, http=http)
    configure_logging(settings, debug)
    if assistant is None:
        from ..answer import Assistant

        assistant = Assistant(settings)
    bot = SlackBot(assistant, settings)
    try:
        app = build_app(settings, bot, http=http)
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _interrupt)
        bot.warm_up_in_background()
        if http:
            _serve_http(app, bot, host, port, debug)
        else:
            _serve_socket_mode(app, settings)
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        bot.close()
