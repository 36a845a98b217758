"""Regenerate .env.example from Settings: `python docs/gen_env_example.py > .env.example`."""

from __future__ import annotations

from pydantic import AliasChoices

from assistant.config import Settings


def env_name(name: str, field: object) -> str:
    alias = getattr(field, "validation_alias", None)
    if isinstance(alias, AliasChoices):
        return str(alias.choices[-1]) if not str(alias.choices[-1]).islower() else f"ASSISTANT_{name.upper()}"
    return f"ASSISTANT_{name.upper()}"


def main() -> None:
    print("# Every setting of the assistant, with its default. Copy to .env and uncomment what you change.")
    print("# Names with the ASSISTANT_ prefix always work; OPENAI_* and SLACK_* are accepted as shown.\n")
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=False)
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if "shown_default" in extra:
            default = extra["shown_default"]
        elif field.default_factory is not None:
            default = "(per-user data dir)" if "dir" in name or "path" in name else "(computed)"
        shown = "" if default is None else default
        if field.description:
            print(f"# {field.description}")
        print(f"# {env_name(name, field)}={shown}\n")


if __name__ == "__main__":
    main()
