"""The Slack bot (``assistant slack``), in the shape of Slack's bolt-python samples.

``app.py`` builds and serves the Bolt app; ``listeners/`` holds the listeners, wired by ``register(app, bot)``;
``bot.py`` their shared state; ``blocks.py`` renders an ``Answer`` as Block Kit; ``history.py`` turns a
thread into conversation turns; ``web.py`` is HTTP mode; ``mrkdwn.py``, ``api.py``, ``tokens.py`` and
``redact.py`` are Slack text, Web API errors, token checks and log redaction.
"""
