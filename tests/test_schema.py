"""The JSON Schemas: an independent validator agrees with kesu validate on structure."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from conftest import PROJECT, SAMPLE_CASES, kesu
from kesu import validate, yamlio

CHECK_JSONSCHEMA = str(Path(sys.executable).parent / "check-jsonschema")
CASE_SCHEMA = PROJECT / "schemas" / "case.schema.json"
SAMPLES = sorted(SAMPLE_CASES.glob("*/*/*.yaml"))
DISPATCHED = SAMPLE_CASES / "2026" / "10" / "KS-20261020-GNV8P6.yaml"  # closed, has every section


def independent(path: Path, schema: Path = CASE_SCHEMA) -> subprocess.CompletedProcess:
    return subprocess.run([CHECK_JSONSCHEMA, "--schemafile", str(schema), str(path)],
                          capture_output=True, text=True)


def test_both_schemas_are_valid_draft_2020_12():
    for name in ("case.schema.json", "config.schema.json"):
        Draft202012Validator.check_schema(json.loads((PROJECT / "schemas" / name).read_text()))


def test_every_sample_case_passes_both_validators(sample_archive):
    assert independent(*SAMPLES[:1]).returncode == 0
    result = subprocess.run([CHECK_JSONSCHEMA, "--schemafile", str(CASE_SCHEMA), *map(str, SAMPLES)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert kesu("validate", cwd=sample_archive).returncode == 0


def test_the_default_policy_passes_the_config_schema(archive):
    result = independent(archive / "kesu.yaml", PROJECT / "schemas" / "config.schema.json")
    assert result.returncode == 0, result.stdout


def _breakages(case: dict) -> dict[str, dict]:
    broken = {}
    dispatched = copy.deepcopy(case)
    dispatched["state"] = "dispatched"
    del dispatched["classification"]
    broken["dispatched without classification"] = dispatched
    bad_state = copy.deepcopy(case)
    bad_state["state"] = "lost"
    broken["unknown state"] = bad_state
    no_offset = copy.deepcopy(case)
    no_offset["received_at"] = "2026-10-20T14:05:00"
    broken["time without offset"] = no_offset
    extra = copy.deepcopy(case)
    extra["complaint"]["mood"] = "bad"
    broken["unknown key"] = extra
    bad_id = copy.deepcopy(case)
    bad_id["id"] = "KS-2026-1020"
    broken["bad id"] = bad_id
    text_amount = copy.deepcopy(case)
    text_amount["plan"]["compensation"][0]["amount"] = "a lot"
    broken["amount as text"] = text_amount
    return broken


@pytest.mark.parametrize("what", ["dispatched without classification", "unknown state", "time without offset",
                                  "unknown key", "bad id", "amount as text"])
def test_both_validators_reject_the_same_structural_breakage(archive, what):
    case = yamlio.load(DISPATCHED.read_text(encoding="utf-8"))
    broken = _breakages(case)[what]
    target = archive / "cases" / "2026" / "10" / f"{case['id']}.yaml"
    target.parent.mkdir(parents=True)
    target.write_text(yamlio.dump(broken), encoding="utf-8")
    theirs = independent(target)
    ours = kesu("validate", str(target), cwd=archive)
    assert theirs.returncode == 1, theirs.stdout
    assert ours.returncode == 1, ours.stdout + ours.stderr
    assert ours.stdout.startswith(f"cases/2026/10/{case['id']}.yaml:")


def test_vocabulary_is_kesus_business_not_the_schemas(archive):
    """An unknown category is well-formed (the schema passes it) but not in kesu.yaml."""
    case = yamlio.load(DISPATCHED.read_text(encoding="utf-8"))
    case["classification"]["category"] = "weather"
    target = archive / "cases" / "2026" / "10" / f"{case['id']}.yaml"
    target.parent.mkdir(parents=True)
    target.write_text(yamlio.dump(case), encoding="utf-8")
    assert independent(target).returncode == 0
    ours = kesu("validate", str(target), cwd=archive)
    assert ours.returncode == 1 and "not in kesu.yaml vocabularies.categories" in ours.stdout


_reference = Draft202012Validator(json.loads(CASE_SCHEMA.read_text()))
_sample = yamlio.load(DISPATCHED.read_text(encoding="utf-8"))
_paths = [("state",), ("received_at",), ("channel",), ("complaint", "emotion"), ("plan", "total"),
          ("classification", "risk"), ("timeline", 0, "action"), ("customer", "name"), ("id",)]
_values = st.one_of(st.none(), st.integers(-5, 5), st.text(max_size=12), st.booleans(),
                    st.sampled_from(["closed", "2026-10-20T14:05:00+08:00", "2026-10-20", "high", "intake"]))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_paths), _values, st.booleans())
def test_kesus_fast_schema_check_agrees_with_the_reference_validator(path, value, remove):
    case = copy.deepcopy(_sample)
    holder = case
    for key in path[:-1]:
        holder = holder[key]
    if remove and isinstance(holder, dict):
        holder.pop(path[-1], None)
    else:
        holder[path[-1]] = value
    expected = sorted(e.message for e in _reference.iter_errors(case))
    found = validate.schema_findings(case)
    assert bool(found) == bool(expected)
    assert len(found) == len(expected)
