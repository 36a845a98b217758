"""Names vulture cannot see used: read by a library, not by this project's code (``vulture`` reads this file)."""

# ruff: noqa
_ = object()

_.model_config  # pydantic-settings reads Settings.model_config
_.nonoccurrence_array  # bm25s reads it when it saves and scores an index (assistant/keyword/bm25.py)
_.timings  # Retrieval.timings: for a person reading Assistant.last_retrieval (seconds per search step)

# schema fields that reach the reader through model_dump / to_json (ask --json, Slack blocks)
_.author
_.said_by
_.entity
_.groups

# the MultiHop-RAG metrics, checked against the official values by tests/test_metrics.py; no eval runs them yet
_.multihop_metrics
_.load_multihop_output

# uvicorn reads this flag on its server to stop (assistant/slack/web.py)
_.should_exit

# ONNX Runtime reads these SessionOptions attributes (assistant/embed.py)
_.intra_op_num_threads
_.inter_op_num_threads
_.log_severity_level
_.graph_optimization_level
_.optimized_model_filepath

# conversation memory for Slack threads (assistant/memory/turns.py): the bot keeps its posted Answers in an
# AnswerCache and reads a thread back with thread_turns; the Slack package wires them
_.put
_.thread_turns
# TurnResult fields reach the report through as_dict (assistant/eval_conversations.py)
_.conversation
