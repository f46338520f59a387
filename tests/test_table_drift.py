"""The transition table is the only source: the schema, the CLI and the rules agree with it.

Each test fails when someone adds a state, an action, a close reason or a
required section in one place and not the others.
"""

from __future__ import annotations

import json

import pytest
import typer

from kesu import cli, lifecycle, rules
from kesu.commands import steps

from conftest import PROJECT

SCHEMA = json.loads((PROJECT / "schemas" / "case.schema.json").read_text(encoding="utf-8"))
TIMELINE_ITEM = SCHEMA["properties"]["timeline"]["items"]["properties"]


def test_the_schema_lists_the_tables_states_and_actions():
    assert SCHEMA["properties"]["state"]["enum"] == list(lifecycle.STATES)
    assert TIMELINE_ITEM["from"]["enum"] == list(lifecycle.STATES)
    assert TIMELINE_ITEM["to"]["enum"] == list(lifecycle.STATES)
    assert TIMELINE_ITEM["action"]["enum"] == list(lifecycle.TABLE)


def test_the_schemas_required_sections_by_state_are_the_tables():
    required_in: dict[str, set[str]] = {}
    for rule in SCHEMA["allOf"]:
        states = rule["if"]["properties"]["state"]["enum"]
        for section in rule["then"]["required"]:
            required_in.setdefault(section, set()).update(states)
    expected: dict[str, set[str]] = {}
    for state, sections in lifecycle.REQUIRED_SECTIONS.items():
        for section in sections:
            expected.setdefault(section, set()).add(state)
    assert required_in == expected
    assert set(lifecycle.REQUIRED_SECTIONS) == set(lifecycle.STATES)


def test_every_action_has_a_rule_and_every_rule_an_action():
    assert set(rules.RULES) == set(lifecycle.TABLE)


def test_every_step_of_the_table_is_a_command():
    registered = {name for name, module in cli.COMMANDS.items() if module == "steps"}
    assert registered == set(lifecycle.STEP_COMMANDS) == set(steps.COMMANDS)
    for action, command in steps.COMMANDS.items():
        assert command.__name__.rstrip("_") == action.replace("-", "_")
    assert set(lifecycle.OWN_COMMANDS) == set(lifecycle.TABLE) - set(lifecycle.STEP_COMMANDS)


def _choices(command, option: str) -> list[str]:
    app = typer.Typer()
    app.command()(command)
    click_command = typer.main.get_command(app)
    for param in click_command.params:
        if option in param.opts:
            return list(param.type.choices)
    raise AssertionError(f"{command.__name__} has no {option}")


@pytest.mark.parametrize("action, option, table", [
    ("close", "--reason", lifecycle.CLOSE_REASONS),
    ("follow-up", "--satisfaction", lifecycle.SATISFACTION_CLOSES),
    ("ack", "--method", lifecycle.TELL_METHODS),
    ("notify", "--method", lifecycle.TELL_METHODS),
])
def test_cli_choices_are_the_tables(action, option, table):
    assert _choices(steps.COMMANDS[action], option) == list(table)

