"""kesu reads and writes YAML 1.2, as check-jsonschema (ruamel.yaml) does.

The reader keeps libyaml's speed but decides what a plain scalar means by
ruamel.yaml's YAML 1.2 rules; these tests compare the two readers value for
value, and ``kesu validate`` with check-jsonschema file for file.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
import yaml
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml.resolver import VersionedResolver

from check_jsonschema.parsers.yaml import construct_yaml_implementation
from conftest import kesu
from kesu import yaml12, yamlio
from kesu.casefile import case_text
from kesu.errors import UsageError
from test_schema import DISPATCHED, SAMPLES, independent

#: check-jsonschema's own reader: ruamel.yaml, YAML 1.2, timestamps kept as text.
_reference = construct_yaml_implementation()


def reference_load(text: str):
    return _reference.load(text)


#: A reader of its own: after a ``%YAML 1.1`` document a ruamel.yaml instance
#: keeps reading YAML 1.1 (so check-jsonschema reads a file differently when a
#: file with that directive came before it in the same run).
_reference_yaml11 = construct_yaml_implementation()


def reference_load_yaml11(text: str):
    """ruamel.yaml told by a directive to read YAML 1.1 (timestamps still text)."""
    return _reference_yaml11.load("%YAML 1.1\n---\n" + text)


class _PyYamlTextTimes(yaml.SafeLoader):
    """PyYAML's own YAML 1.1 reader, timestamps kept as text."""


_PyYamlTextTimes.add_constructor("tag:yaml.org,2002:timestamp", _PyYamlTextTimes.construct_yaml_str)


def pyyaml_load(text: str):
    return yaml.load(text, Loader=_PyYamlTextTimes)  # noqa: S506 - a SafeLoader subclass


def same(a, b) -> bool:
    """Equal value and equal type, all the way down (NaN equals NaN; key order counts)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict):
        return len(a) == len(b) and all(same(ka, kb) and same(va, vb)
                                        for (ka, va), (kb, vb) in zip(a.items(), b.items()))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def outcome(read, text: str):
    """("ok", value) or ("error", None); kesu's readers may only fail with YamlError."""
    try:
        return "ok", read(text)
    except yamlio.YamlError:
        return "error", None
    except Exception:  # noqa: BLE001 - ruamel.yaml also fails with ValueError and friends
        if read in (yamlio.load, yamlio.load_with_lines):
            raise
        return "error", None


def plain(read, text: str):
    """What a reader makes of a document, ruamel's round-trip containers made plain."""
    kind, value = outcome(read, text)
    return kind, _plain(value)


def _plain(value):
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


# ------------------------------------------------------------------ the rules
def test_the_rules_are_ruamels_yaml_1_2_rules_verbatim():
    ours = yaml12.resolver_table(yaml12.YAML12_RULES)
    theirs = VersionedResolver(version=(1, 2)).versioned_resolver
    assert sorted(ours, key=str) == sorted(theirs, key=str)
    for first, rules in theirs.items():
        assert [(str(tag), rx.pattern, rx.flags) for tag, rx in rules] == \
               [(tag, rx.pattern, rx.flags) for tag, rx in ours[first]], first


# A grammar of plain scalars around every edge of the YAML 1.1 / 1.2 rules.
def every_case(words: list[str]):
    return st.sampled_from(words).flatmap(lambda word: st.lists(
        st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda upper: "".join(c.upper() if u else c.lower() for c, u in zip(word, upper))))


signs = st.sampled_from(["", "+", "-"])
digits = st.text("0123456789_", min_size=1, max_size=6)
ints = st.builds(lambda sign, body: sign + body, signs, st.one_of(
    digits, digits.map(lambda d: "0" + d),
    st.text("01_", min_size=0, max_size=6).map(lambda d: "0b" + d),
    st.text("0123456789_", min_size=0, max_size=6).map(lambda d: "0o" + d),
    st.text("0123456789abcdefABCDEFg_", min_size=0, max_size=6).map(lambda d: "0x" + d),
    st.sampled_from(["0X1A", "0O12", "0B11", "0_", "00", "_1", "1_", "08", "09"])))
exponents = st.builds(lambda e, sign, d: e + sign + d, st.sampled_from(["e", "E"]), signs,
                      st.text("0123456789", min_size=0, max_size=3))
floats = st.builds(lambda sign, whole, dot, fraction, exponent: sign + whole + dot + fraction + exponent,
                   signs, st.text("0123456789_", max_size=4), st.sampled_from([".", "", ".."]),
                   st.text("0123456789_", max_size=4), st.one_of(st.just(""), exponents))
specials = st.builds(lambda sign, dot, word: sign + dot + word, signs, st.sampled_from([".", ""]),
                     every_case(["inf", "nan", "infinity"]))
words = every_case(["yes", "no", "on", "off", "y", "n", "true", "false", "null", "none", "~", "<<", "="])
times = st.builds(lambda sign, h, rest: f"{sign}{h}{rest}", signs, st.integers(0, 190),
                  st.sampled_from([":20", ":05", ":60", ":20:30", ":5:3", ":20.5", ":20:30.25", "::1", ":"]))
dates = st.builds(
    lambda y, m, d, t, tz: f"{y:04d}-{m}-{d}{t}{tz}",
    st.integers(0, 9999), st.sampled_from(["01", "1", "12", "13", "00"]), st.sampled_from(["01", "9", "31", "32"]),
    st.sampled_from(["", "T10:00:00", "t1:02:03", " 10:00:00", "T10:00", "T10:00:00.5", "  10:00:00.",
                     "T25:61:61"]),
    st.sampled_from(["", "Z", "+08:00", "-8", " +08:00", "+0800"]))
text = st.text("0123456789_.+-:eExXoObBaAfFinNtTyYsSlL~<= ", min_size=0, max_size=12)
plain_scalars = st.one_of(ints, floats, specials, words, times, dates, text)


SHAPES = ["v: {}\n", "{}: v\n", "- {}\n", "[{}]\n", "{{k: {}}}\n"]


def yaml_1_1_syntax(scalar: str, shape: str) -> bool:
    """Whether the document is also YAML 1.1 *syntax*, which libyaml parses.

    libyaml refuses two things YAML 1.2 added: an empty implicit key (``: v``)
    and, inside ``[...]`` or ``{...}``, a plain scalar starting or ending with
    ``:``. kesu then refuses the file (see the test after this one); it never
    reads a different value."""
    raw, scalar = scalar, scalar.strip()
    # "- : v" and "? : v": a block indicator, then an empty key
    indicator_only = len(raw) > 1 and raw[0] in "-?" and raw[1].isspace() and scalar in "-?"
    empty_key = ((shape.startswith("{}:") and (not scalar or indicator_only))
                 or scalar == ":" or scalar.startswith(": "))
    flow = shape.startswith(("[", "{{"))
    # each plain scalar of the flow, also those after an implicit key ("0: :0")
    parts = [part.strip() for part in scalar.split(": ")]
    return not empty_key and not (flow and any(p.startswith(":") or p.endswith(":") for p in parts))


@settings(max_examples=1500, deadline=None)
@given(plain_scalars, st.sampled_from(SHAPES))
@example("yes", "v: {}\n")
@example("012", "v: {}\n")
@example("- ", "{}: v\n")
@example("1:20", "v: {}\n")
@example("-_", "v: {}\n")
@example("2026-13-45", "v: {}\n")
def test_kesu_reads_every_plain_scalar_as_ruamels_yaml_1_2_does(scalar, shape):
    assume(yaml_1_1_syntax(scalar, shape))
    document = shape.format(scalar)
    expected = outcome(reference_load, document)
    got = outcome(yamlio.load, document)
    assert got[0] == expected[0], (document, got, expected)
    assert same(got[1], expected[1]), (document, got, expected)
    # The reader that finds lines for error messages reads the same values.
    lines = plain(yamlio.load_with_lines, document)
    assert lines[0] == expected[0] and same(lines[1], expected[1]), (document, lines, expected)


@pytest.mark.parametrize("document", [": v\n", "- : v\n", "[70:]\n", "{k: :x}\n"])
def test_yaml_1_2_only_syntax_is_refused_not_misread(document):
    assert outcome(reference_load, document)[0] == "ok"
    with pytest.raises(yamlio.YamlError):
        yamlio.load(document)


@pytest.mark.parametrize("scalar,value", [
    ("yes", "yes"), ("No", "No"), ("ON", "ON"), ("off", "off"), ("y", "y"), ("n", "n"),
    ("true", True), ("False", False), ("TRUE", True), ("tRue", "tRue"),
    ("012", 12), ("0o12", 10), ("0x1A", 26), ("0b11", 3), ("1_000", 1000), ("-0", 0), ("+7", 7),
    ("1:20", "1:20"), ("190:20:30", "190:20:30"), ("1:20.5", "1:20.5"),
    ("1e3", 1000.0), ("1.5", 1.5), ("-.5", -0.5), (".5e3", ".5e3"), ("1_0.2_5", 10.25),
    (".inf", math.inf), ("-.Inf", -math.inf), ("+.INF", math.inf), (".iNf", ".iNf"),
    ("~", None), ("null", None), ("Null", None), ("NULL", None), ("nULL", "nULL"), ("", None),
    ("2026-11-23", "2026-11-23"), ("2026-11-23T16:10:00+08:00", "2026-11-23T16:10:00+08:00"),
    ("0O12", "0O12"), ("0X1A", "0X1A"),
])
def test_examples_of_yaml_1_2(scalar, value):
    assert same(yamlio.load(f"v: {scalar}\n")["v"], value)


@pytest.mark.parametrize("scalar", ["-_", "0x_", "0b_", "._", "=", "<<"])
def test_scalars_that_ruamel_cannot_read_are_refused_with_their_line(scalar):
    with pytest.raises(yamlio.YamlError) as err:
        yamlio.load(f"a: 1\nv: {scalar}\n", "case.yaml")
    assert str(err.value).startswith("case.yaml:2: invalid YAML:")
    with pytest.raises(Exception):
        reference_load(f"v: {scalar}\n")


# ------------------------------------------------------------------ refusals
READERS = [yamlio.load, yamlio.load_with_lines]


@pytest.mark.parametrize("read", READERS)
def test_a_duplicate_key_is_refused_with_its_line(read):
    with pytest.raises(UsageError) as err:
        read("id: x\nstate: closed\nchannel: app\nstate: received\n", "case.yaml")
    assert str(err.value) == "case.yaml:4: invalid YAML: duplicate key 'state'"


@pytest.mark.parametrize("read", READERS)
@pytest.mark.parametrize("document,line", [
    ("a: {b: 1, c: 2, b: 3}\n", 1),
    ("a:\n  - x: 1\n    x: 2\n", 3),
    ("1: a\n0x1: b\n", 2),          # the same integer, written two ways
    ("true: a\n1: b\n", 2),         # True == 1, as ruamel.yaml sees it too
])
def test_duplicate_keys_are_refused_everywhere(read, document, line):
    with pytest.raises(UsageError, match="duplicate key") as err:
        read(document, "f.yaml")
    assert err.value.line == line
    with pytest.raises(Exception, match="duplicate key"):
        reference_load(document)


@pytest.mark.parametrize("read", READERS)
@pytest.mark.parametrize("document,line", [
    ("a: 1\n<<: {b: 2}\n", 2),
    ("a:\n  <<: [{b: 2}, {c: 3}]\n  d: 4\n", 2),
    ("- {<<: {b: 2}}\n", 1),
])
def test_merge_keys_are_refused_everywhere(read, document, line):
    with pytest.raises(UsageError) as err:
        read(document, "f.yaml")
    assert str(err.value) == f"f.yaml:{line}: invalid YAML: merge keys (<<) are not allowed"


@pytest.mark.parametrize("read", READERS)
def test_a_quoted_merge_sign_is_an_ordinary_key(read):
    assert _plain(read("'<<': 1\n")) == {"<<": 1}


@pytest.mark.parametrize("read", READERS)
def test_aliases_and_oversized_files_stay_refused(read):
    with pytest.raises(UsageError, match="aliases are not allowed"):
        read("a: &x [1]\nb: *x\n")
    with pytest.raises(UsageError, match="larger than"):
        read("x: " + "a" * (yamlio.MAX_BYTES + 1))


@pytest.mark.parametrize("read", READERS)
def test_a_yaml_1_2_directive_is_read_and_any_other_refused(read):
    assert _plain(read("%YAML 1.2\n---\nstore: yes\n")) == {"store": "yes"}
    with pytest.raises(UsageError) as err:
        read("# a case\n%YAML 1.1\n---\nstore: yes\n", "case.yaml")
    assert str(err.value) == ("case.yaml:2: invalid YAML: kesu reads YAML 1.2, not %YAML 1.1; "
                              "remove the directive")
    assert _plain(read("note: '%YAML 1.1'\n")) == {"note": "%YAML 1.1"}


# ------------------------------------------------------------------ writing
@settings(max_examples=800, deadline=None)
@given(st.one_of(plain_scalars, st.text(max_size=20)))
@example("0o12")
@example("1_000")
@example(".inf")
@example("1e3")
@example("y")
def test_a_string_is_written_so_that_yaml_1_2_and_1_1_readers_read_a_string(value):
    document = {"v": value, "list": [value], "entry": yamlio.flow({"v": value})}
    if value:
        document[value] = "key"
    text = yamlio.dump(document)
    for read in (yamlio.load, reference_load, reference_load_yaml11, pyyaml_load):
        assert same(read(text), _plain(document)), (read.__name__, text)


money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
leaves = st.one_of(plain_scalars, st.text(max_size=12), st.integers(-10**12, 10**12), money,
                   st.booleans(), st.none())
keys = st.one_of(st.text("abcdefghij_", min_size=1, max_size=8), plain_scalars.filter(bool))
documents = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4),
    st.dictionaries(keys, inner, max_size=3).map(yamlio.flow)), max_leaves=25)


def as_read(value):
    """What a reader gives back for ``value``: money as the float YAML holds."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: as_read(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_read(v) for v in value]
    return value


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(keys, documents, max_size=6))
def test_dump_then_load_gives_the_same_data(document):
    text = yamlio.dump(document)
    assert same(yamlio.load(text), as_read(document)), text
    assert same(reference_load(text), as_read(document)), text


@settings(max_examples=200, deadline=None)
@given(st.lists(money, min_size=1, max_size=5))
def test_money_is_written_with_two_places_and_read_back_exactly(amounts):
    text = yamlio.dump({"amounts": amounts})
    assert [yamlio.money(a) for a in yamlio.load(text)["amounts"]] == amounts


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_case_files_keep_their_canonical_layout_byte_for_byte(sample):
    text = sample.read_text(encoding="utf-8")
    assert case_text(yamlio.load(text)) == text


# ------------------------------------------------------- kesu validate and check-jsonschema
def _edit(line: str, replacement: str):
    def edit(text: str) -> str:
        assert line in text
        return text.replace(line, replacement, 1)
    return edit


#: (name, how the sample case is changed, whether both validators accept it).
AGREEMENT = [
    ("store: yes is text", _edit("store: 旗舰店", "store: yes"), True),
    ("store: 1:20 is text", _edit("store: 旗舰店", "store: 1:20"), True),
    ("schema_version: 0o1 is one", _edit("schema_version: 1", "schema_version: 0o1"), True),
    ("store: 012 is a number", _edit("store: 旗舰店", "store: 012"), False),
    ("store: 0o12 is a number", _edit("store: 旗舰店", "store: 0o12"), False),
    ("store: 1_000 is a number", _edit("store: 旗舰店", "store: 1_000"), False),
    ("a duplicate key", _edit("channel: hotline", "channel: hotline\nstate: closed"), False),
    ("YAML 1.1 asked for, and store: yes", lambda t: "%YAML 1.1\n---\n" + t.replace("store: 旗舰店", "store: yes"),
     False),
]


@pytest.fixture
def case_target(archive):
    target = archive / "cases" / "2026" / "10" / DISPATCHED.name
    target.parent.mkdir(parents=True)
    return target


@pytest.mark.parametrize("name,edit,accepted", AGREEMENT, ids=[a[0] for a in AGREEMENT])
def test_kesu_validate_and_check_jsonschema_agree(archive, case_target, name, edit, accepted):
    case_target.write_text(edit(DISPATCHED.read_text(encoding="utf-8")), encoding="utf-8")
    theirs = independent(case_target)
    ours = kesu("validate", str(case_target), cwd=archive)
    assert theirs.returncode == (0 if accepted else 1), theirs.stdout
    assert ours.returncode == (0 if accepted else 1), ours.stdout + ours.stderr


def test_a_duplicate_key_is_reported_at_its_line(archive, case_target):
    text = DISPATCHED.read_text(encoding="utf-8").replace("channel: hotline", "channel: hotline\nstate: closed")
    case_target.write_text(text, encoding="utf-8")
    ours = kesu("validate", str(case_target), cwd=archive)
    assert ours.returncode == 1
    assert ours.stdout == f"cases/2026/10/{DISPATCHED.name}:6: invalid YAML: duplicate key 'state'\n"


def test_a_merge_key_is_refused_by_kesu_though_check_jsonschema_merges_it(archive, case_target):
    """check-jsonschema (ruamel.yaml) applies ``<<`` and validates the merged
    mapping; kesu refuses the key, so every reader sees the file as written."""
    text = DISPATCHED.read_text(encoding="utf-8").replace(
        "  owner: li.ming\n", "  <<: {owner: li.ming}\n", 1)
    case_target.write_text(text, encoding="utf-8")
    assert independent(case_target).returncode == 0
    ours = kesu("validate", str(case_target), cwd=archive)
    assert ours.returncode == 1
    line = text.splitlines().index("  <<: {owner: li.ming}") + 1
    assert ours.stdout == f"cases/2026/10/{DISPATCHED.name}:{line}: invalid YAML: merge keys (<<) are not allowed\n"


def test_a_yaml_1_1_directive_is_refused_by_kesu_though_check_jsonschema_reads_it(archive, case_target):
    """ruamel.yaml switches to YAML 1.1 rules for such a file; kesu reads only
    YAML 1.2 and says so, rather than read one file two ways."""
    case_target.write_text("%YAML 1.1\n---\n" + DISPATCHED.read_text(encoding="utf-8"), encoding="utf-8")
    assert independent(case_target).returncode == 0
    ours = kesu("validate", str(case_target), cwd=archive)
    assert ours.returncode == 1
    assert ours.stdout == (f"cases/2026/10/{DISPATCHED.name}:1: invalid YAML: kesu reads YAML 1.2, "
                           "not %YAML 1.1; remove the directive\n")
