"""Label selectors behave, print and fail as apimachinery's do.

Sources: k8s.io/apimachinery pkg/labels/selector.go (NewRequirement, Matches, String, Parse),
pkg/selection/operator.go, pkg/apis/meta/v1/helpers.go (LabelSelectorAsSelector),
pkg/apis/meta/v1/validation/validation.go (ValidateLabelSelector).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from simulator.engine import labels as sel
from simulator.engine.errors import FORBIDDEN, INVALID, NOT_SUPPORTED, REQUIRED
from simulator.engine.labels import Requirement, SelectorError

QNAME_TAIL = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


# ---------------------------------------------------------------------------------------------
# The course lesson: a Service selects Pods carrying every selector label (Boolean AND).
# ---------------------------------------------------------------------------------------------

WEB_PODS = {
    "web-1": {"zone": "prod", "version": "v1", "app": "web"},
    "web-2": {"zone": "prod", "version": "v1"},
    "web-3": {"version": "v1", "zone": "prod", "tier": "frontend"},
}
PROD_ONLY_PODS = {"cache-1": {"zone": "prod"}, "cache-2": {"zone": "prod", "app": "cache"}}


def test_a_service_selects_only_pods_carrying_every_selector_label():
    service_selector = sel.selector_from_set({"zone": "prod", "version": "v1"})
    pods = {**WEB_PODS, **PROD_ONLY_PODS}
    selected = sorted(name for name, labels in pods.items() if service_selector.matches(labels))
    assert selected == ["web-1", "web-2", "web-3"]


def test_explain_names_the_label_a_prod_only_pod_lacks():
    service_selector = sel.selector_from_set({"zone": "prod", "version": "v1"})
    for labels in PROD_ONLY_PODS.values():
        missing = sel.explain(service_selector, labels)
        assert [str(r) for r in missing] == ["version=v1"]
        assert sel.describe_failure(missing[0], labels) == "lacks label version=v1"
    assert sel.explain(service_selector, WEB_PODS["web-1"]) == []


# ---------------------------------------------------------------------------------------------
# Requirement.Matches (selector.go)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, op, values, labels, expected",
    [
        ("env", "=", ["prod"], {"env": "prod"}, True),
        ("env", "=", ["prod"], {"env": "dev"}, False),
        ("env", "=", ["prod"], {}, False),
        ("env", "==", ["prod"], {"env": "prod"}, True),
        ("env", "=", [""], {"env": ""}, True),  # the empty value is a value
        ("env", "=", [""], {}, False),
        ("env", "in", ["prod", "test"], {"env": "test"}, True),
        ("env", "in", ["prod", "test"], {"env": "dev"}, False),
        ("env", "in", ["prod", "test"], {}, False),
        ("env", "!=", ["prod"], {"env": "dev"}, True),
        ("env", "!=", ["prod"], {"env": "prod"}, False),
        ("env", "!=", ["prod"], {}, True),  # absent key: != matches
        ("env", "notin", ["prod", "test"], {"env": "dev"}, True),
        ("env", "notin", ["prod", "test"], {"env": "prod"}, False),
        ("env", "notin", ["prod", "test"], {}, True),  # absent key: notin matches
        ("env", "exists", [], {"env": ""}, True),
        ("env", "exists", [], {}, False),
        ("env", "!", [], {}, True),
        ("env", "!", [], {"env": "prod"}, False),
        ("replicas", "gt", ["3"], {"replicas": "4"}, True),
        ("replicas", "gt", ["3"], {"replicas": "3"}, False),
        ("replicas", "gt", ["3"], {"replicas": "+04"}, True),  # strconv.ParseInt accepts a sign
        ("replicas", "gt", ["0"], {"replicas": "-1"}, False),  # labels can't hold "-1" anyway, but Matches parses it
        ("replicas", "gt", ["3"], {"replicas": "four"}, False),  # not an integer: no match
        ("replicas", "gt", ["3"], {"replicas": "1_000"}, False),  # no underscores in base 10
        ("replicas", "gt", ["3"], {"replicas": "99999999999999999999"}, False),  # overflows int64
        ("replicas", "gt", ["3"], {}, False),
        ("replicas", "lt", ["3"], {"replicas": "2"}, True),
        ("replicas", "lt", ["3"], {"replicas": "3"}, False),
        ("replicas", "lt", ["3"], {}, False),  # absent key: gt/lt never match
    ],
)
def test_a_requirement_matches_labels_like_apimachinery(key, op, values, labels, expected):
    req = Requirement.new(key, op, values)
    assert req.matches(labels) is expected
    assert sel.Selector((req,)).matches(labels) is expected


# ---------------------------------------------------------------------------------------------
# Requirement.String (selector.go)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, op, values, text",
    [
        ("env", "=", ["prod"], "env=prod"),
        ("env", "==", ["prod"], "env==prod"),
        ("env", "!=", ["prod"], "env!=prod"),
        ("env", "in", ["test", "prod"], "env in (prod,test)"),  # values print sorted
        ("env", "notin", ["dev"], "env notin (dev)"),
        ("tier", "exists", [], "tier"),
        ("tier", "!", [], "!tier"),
        ("replicas", "gt", ["3"], "replicas>3"),  # printed as '>', though the operator is "gt"
        ("replicas", "lt", ["3"], "replicas<3"),
        ("example.com/env", "=", [""], "example.com/env="),
    ],
)
def test_a_requirement_prints_in_canonical_selector_syntax(key, op, values, text):
    assert str(Requirement.new(key, op, values)) == text


def test_requirement_values_are_kept_sorted_and_unique():
    req = Requirement.new("env", "in", ["test", "prod", "test"])
    assert req.values == ("prod", "test")
    assert req == Requirement("env", "in", ("prod", "test"))


# ---------------------------------------------------------------------------------------------
# NewRequirement validation (selector.go): field paths and wording
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, op, values, path, expected",
    [
        (
            "env",
            "in",
            [],
            None,
            [
                (
                    INVALID,
                    "values",
                    "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
                )
            ],
        ),
        (
            "env",
            "notin",
            [],
            "spec.selector",
            [
                (
                    INVALID,
                    "spec.selector.values",
                    "spec.selector.values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
                )
            ],
        ),
        (
            "env",
            "=",
            ["a", "b"],
            None,
            [
                (
                    INVALID,
                    "values",
                    'values: Invalid value: []string{"a", "b"}: exact-match compatibility requires one single value',
                )
            ],
        ),
        (
            "env",
            "!=",
            [],
            None,
            [
                (
                    INVALID,
                    "values",
                    "values: Invalid value: []string{}: exact-match compatibility requires one single value",
                )
            ],
        ),
        (
            "env",
            "exists",
            ["a"],
            None,
            [
                (
                    INVALID,
                    "values",
                    'values: Invalid value: []string{"a"}: values set must be empty for exists and does not exist',
                )
            ],
        ),
        (
            "n",
            "gt",
            ["1", "2"],
            None,
            [
                (
                    INVALID,
                    "values",
                    "values: Invalid value: []string{\"1\", \"2\"}: for 'Gt', 'Lt' operators, exactly one value is required",
                )
            ],
        ),
        (
            "n",
            "lt",
            ["x"],
            None,
            [
                (
                    INVALID,
                    "values[0]",
                    "values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer",
                )
            ],
        ),
        (
            "env",
            "~=",
            ["a"],
            None,
            [
                (
                    NOT_SUPPORTED,
                    "operator",
                    'operator: Unsupported value: "~=": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", '
                    '"exists", "!"',
                )
            ],
        ),
        ("-env", "=", ["a"], None, [(INVALID, "key", 'key: Invalid value: "-env": name part ' + QNAME_TAIL)]),
        (
            "env",
            "=",
            ["-a"],
            None,
            [(INVALID, "values[0][env]", 'values[0][env]: Invalid value: "-a": ' + LABEL_VALUE_MSG)],
        ),
    ],
)
def test_new_requirement_reports_every_problem_at_its_field_path(key, op, values, path, expected):
    with pytest.raises(SelectorError) as info:
        Requirement.new(key, op, values, path=path)
    errs = info.value.errors
    assert [(e.type, e.field, f"{e.field}: {e.message()}") for e in errs] == expected


def test_several_requirement_problems_print_as_one_bracketed_list():
    with pytest.raises(SelectorError) as info:
        Requirement.new("-env", "in", [])
    assert str(info.value) == (
        '[key: Invalid value: "-env": name part ' + QNAME_TAIL + ", "
        "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty]"
    )


def test_a_key_with_several_problems_reports_them_joined_by_semicolons():
    with pytest.raises(SelectorError) as info:
        Requirement.new("/", "exists")
    assert (
        info.value.errors[0].detail
        == "prefix part must be non-empty; name part must be non-empty; name part " + QNAME_TAIL
    )


# ---------------------------------------------------------------------------------------------
# Selector: ordering, null objects, exact-match introspection
# ---------------------------------------------------------------------------------------------


def test_a_selector_sorts_requirements_by_key_and_keeps_same_key_order():
    s = sel.Selector(
        (Requirement.new("b", "=", ["1"]), Requirement.new("a", "!=", ["3"]), Requirement.new("a", "exists"))
    )
    assert str(s) == "a!=3,a,b=1"
    assert [r.key for r in s.requirements] == ["a", "a", "b"]


def test_everything_matches_all_labels_and_prints_empty():
    assert sel.everything().matches({}) and sel.everything().matches({"a": "b"})
    assert sel.everything().empty() is True
    assert str(sel.everything()) == ""


def test_nothing_matches_no_labels_is_not_empty_and_prints_empty():
    # selector.go nothingSelector: Matches false, Empty false, String "".
    assert not sel.nothing().matches({}) and not sel.nothing().matches({"a": "b"})
    assert sel.nothing().empty() is False
    assert str(sel.nothing()) == ""
    assert sel.nothing().add(Requirement.new("a", "exists")) == sel.nothing()
    assert sel.nothing().equality_pairs() is None


def test_add_returns_a_new_sorted_selector():
    base = sel.parse("zone=prod")
    more = base.add(Requirement.new("app", "=", ["web"]))
    assert str(base) == "zone=prod"
    assert str(more) == "app=web,zone=prod"


@pytest.mark.parametrize(
    "text, pairs",
    [
        ("", ()),
        ("zone=prod,version=v1", (("version", "v1"), ("zone", "prod"))),
        ("app==web,env in (prod)", (("app", "web"), ("env", "prod"))),
        ("env in (prod,test)", None),
        ("env!=prod", None),
        ("app=web,tier", None),
        ("app=web,!canary", None),
    ],
)
def test_equality_pairs_are_offered_only_for_exact_match_selectors(text, pairs):
    assert sel.parse(text).equality_pairs() == pairs


@pytest.mark.parametrize(
    "text, label, value",
    [
        ("app=web", "app", "web"),
        ("env in (prod)", "env", "prod"),
        ("env in (a,b)", "env", None),
        ("env!=a", "env", None),
        ("app=web", "zone", None),
    ],
)
def test_requires_exact_match_reports_the_single_demanded_value(text, label, value):
    assert sel.parse(text).requires_exact_match(label) == value


# ---------------------------------------------------------------------------------------------
# Parse (selector.go Lexer/Parser): round trips
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("", ""),
        ("foo", "foo"),
        ("!foo", "!foo"),
        ("env in (prod),tier!=db", "env in (prod),tier!=db"),
        ("a=b,c==d", "a=b,c==d"),
        ("tier!=db,env in (prod)", "env in (prod),tier!=db"),  # sorted by key
        ("  env  in  ( test , prod )  ,\ttier\n", "env in (prod,test),tier"),  # whitespace anywhere
        ("x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"),  # empty values
        ("a=", "a="),
        ("a=,b", "a=,b"),
        ("replicas>3", "replicas>3"),
        ("replicas<3", "replicas<3"),
        ("in in (in,notin)", "in in (in,notin)"),  # keywords are identifiers where values go
        ("notin=in", "notin=in"),
        ("app.kubernetes.io/name=web", "app.kubernetes.io/name=web"),
        ("x in (a,a)", "x in (a)"),
    ],
)
def test_selector_strings_parse_and_print_canonically(text, canonical):
    parsed = sel.parse(text)
    assert str(parsed) == canonical
    assert sel.parse(str(parsed)) == parsed


def test_parsed_selectors_match_like_their_requirements():
    s = sel.parse("env in (prod,test),tier!=db,!canary")
    assert s.matches({"env": "prod", "tier": "web"})
    assert s.matches({"env": "test"})
    assert not s.matches({"env": "prod", "tier": "db"})
    assert not s.matches({"env": "prod", "canary": "true"})
    assert not s.matches({"tier": "web"})


def test_an_empty_selector_string_selects_everything():
    assert sel.parse("") == sel.everything()
    assert sel.parse("   ").empty()


# ---------------------------------------------------------------------------------------------
# Parse: errors, worded as kubectl prints them
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
        ("env IN (a)", "unable to parse requirement: found 'IN', expected: in, notin, =, ==, !=, gt, lt"),
        ("x gt 3", "unable to parse requirement: found 'gt', expected: in, notin, =, ==, !=, gt, lt"),
        ("x in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"),
        ("x in (a,b", "unable to parse requirement: found '', expected: ',' or ')'"),
        ("x in a", "unable to parse requirement: found 'a' expected: '('"),
        ("x in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
        ("x=(", "unable to parse requirement: found '(', expected: identifier"),
        ("!", "unable to parse requirement: found '', expected: identifier"),
        ("! =a", "unable to parse requirement: found '=', expected: identifier"),
        ("!=a", "found '!=', expected: !, identifier, or 'end of string'"),  # the lexer reads "!=" greedily
        ("x>-1", 'unable to parse requirement: values[0][x]: Invalid value: "-1": ' + LABEL_VALUE_MSG),
        ("a=b,", "found '', expected: identifier after ','"),
        (",a", "found ',', expected: !, identifier, or 'end of string'"),
        ("a=b c", "found 'c', expected: ',' or 'end of string'"),
        ("!x=y", "found '=', expected: ',' or 'end of string'"),
        ("a:=b", 'unable to parse requirement: <nil>: Invalid value: "a:": name part ' + QNAME_TAIL),
        (
            "x>a",
            "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, "
            "the value must be an integer",
        ),
        ("a=-b", 'unable to parse requirement: values[0][a]: Invalid value: "-b": ' + LABEL_VALUE_MSG),
    ],
)
def test_malformed_selector_strings_fail_with_apimachinerys_message(text, message):
    with pytest.raises(SelectorError) as info:
        sel.parse(text)
    assert info.value.message == message
    assert str(info.value) == message


def test_a_parse_error_in_a_key_keeps_the_field_error_as_data():
    with pytest.raises(SelectorError) as info:
        sel.parse("a:=b", path="spec.selector")
    assert str(info.value) == 'unable to parse requirement: spec.selector: Invalid value: "a:": name part ' + QNAME_TAIL
    assert [(e.type, e.field, e.value) for e in info.value.errors] == [(INVALID, "spec.selector", "a:")]


# ---------------------------------------------------------------------------------------------
# SelectorFromSet: a Service's spec.selector
# ---------------------------------------------------------------------------------------------


def test_a_set_becomes_equality_requirements_sorted_by_key():
    s = sel.selector_from_set({"zone": "prod", "app": "web"})
    assert str(s) == "app=web,zone=prod"
    assert s.equality_pairs() == (("app", "web"), ("zone", "prod"))


@pytest.mark.parametrize("labels", [None, {}])
def test_an_empty_set_selects_everything_as_in_apimachinery(labels):
    # SelectorFromValidatedSet: nil and empty Sets are Everything(). A Service without a
    # selector is a different matter, decided by the caller (no managed Endpoints).
    assert sel.selector_from_set(labels) == sel.everything()


def test_selector_from_set_does_not_validate_but_the_validated_variant_does():
    assert str(sel.selector_from_set({"bad key": "x"})) == "bad key=x"
    with pytest.raises(SelectorError) as info:
        sel.validated_selector_from_set({"bad key": "x"})
    assert str(info.value) == 'key: Invalid value: "bad key": name part ' + QNAME_TAIL


# ---------------------------------------------------------------------------------------------
# metav1.LabelSelector (helpers.go LabelSelectorAsSelector, validation.go ValidateLabelSelector)
# ---------------------------------------------------------------------------------------------


def test_a_missing_label_selector_selects_nothing_and_an_empty_one_everything():
    assert sel.from_label_selector(None) == sel.nothing()
    assert sel.from_label_selector({}) == sel.everything()
    assert sel.from_label_selector({"matchLabels": {}, "matchExpressions": []}) == sel.everything()


def test_a_label_selector_combines_match_labels_and_match_expressions():
    s = sel.from_label_selector(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "env", "operator": "In", "values": ["prod", "test"]},
                {"key": "tier", "operator": "NotIn", "values": ["db"]},
                {"key": "canary", "operator": "DoesNotExist"},
                {"key": "track", "operator": "Exists"},
            ],
        }
    )
    assert str(s) == "app=web,!canary,env in (prod,test),tier notin (db),track"
    assert s.matches({"app": "web", "env": "prod", "track": "stable"})
    assert not s.matches({"app": "web", "env": "prod", "track": "stable", "canary": "1"})


@pytest.mark.parametrize(
    "expr, expected",
    [
        (
            {"key": "env", "operator": "In"},
            [
                (
                    REQUIRED,
                    "spec.selector.matchExpressions[0].values",
                    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
                )
            ],
        ),
        (
            {"key": "env", "operator": "NotIn", "values": []},
            [
                (
                    REQUIRED,
                    "spec.selector.matchExpressions[0].values",
                    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
                )
            ],
        ),
        (
            {"key": "env", "operator": "Exists", "values": ["a"]},
            [
                (
                    FORBIDDEN,
                    "spec.selector.matchExpressions[0].values",
                    "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or "
                    "'DoesNotExist'",
                )
            ],
        ),
        (
            {"key": "env", "operator": "in", "values": ["a"]},  # operators are case-sensitive
            [
                (
                    INVALID,
                    "spec.selector.matchExpressions[0].operator",
                    'spec.selector.matchExpressions[0].operator: Invalid value: "in": not a valid selector operator',
                )
            ],
        ),
        (
            {"key": "env", "operator": "Gt", "values": ["1"]},  # Gt/Lt exist only in the string syntax
            [
                (
                    INVALID,
                    "spec.selector.matchExpressions[0].operator",
                    'spec.selector.matchExpressions[0].operator: Invalid value: "Gt": not a valid selector operator',
                )
            ],
        ),
        (
            {"key": "-env", "operator": "Exists"},
            [
                (
                    INVALID,
                    "spec.selector.matchExpressions[0].key",
                    'spec.selector.matchExpressions[0].key: Invalid value: "-env": name part ' + QNAME_TAIL,
                )
            ],
        ),
        (
            {"key": "env", "operator": "In", "values": ["ok", "not ok"]},
            [
                (
                    INVALID,
                    "spec.selector.matchExpressions[0].values[1]",
                    'spec.selector.matchExpressions[0].values[1]: Invalid value: "not ok": ' + LABEL_VALUE_MSG,
                )
            ],
        ),
    ],
)
def test_label_selector_expressions_are_validated_like_the_api_server(expr, expected):
    d = {"matchExpressions": [expr]}
    errs = sel.validate_label_selector(d, "spec.selector")
    assert [(e.type, e.field, str(e)) for e in errs] == expected
    with pytest.raises(SelectorError) as info:
        sel.from_label_selector(d, "spec.selector")
    assert info.value.errors == errs


def test_match_labels_errors_sit_at_the_match_labels_path():
    errs = sel.validate_label_selector({"matchLabels": {"app": "web app"}}, "spec.selector")
    assert [str(e) for e in errs] == ['spec.selector.matchLabels: Invalid value: "web app": ' + LABEL_VALUE_MSG]


def test_invalid_values_can_be_allowed_for_already_stored_selectors():
    d = {"matchExpressions": [{"key": "env", "operator": "In", "values": ["not ok"]}]}
    assert sel.validate_label_selector(d, "spec.selector", allow_invalid_label_value=True) == []


# ---------------------------------------------------------------------------------------------
# Teaching helpers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, labels, sentence",
    [
        ("zone=prod", {}, "lacks label zone=prod"),
        ("version=v1", {"version": "v2"}, "has version=v2, needs version=v1"),
        ("env in (prod,test)", {}, "lacks label env, needs env in (prod,test)"),
        ("env in (prod,test)", {"env": "dev"}, "has env=dev, needs env in (prod,test)"),
        ("tier!=db", {"tier": "db"}, "has tier=db, excluded by tier!=db"),
        ("env notin (dev,qa)", {"env": "qa"}, "has env=qa, excluded by env notin (dev,qa)"),
        ("track", {}, "lacks label track"),
        ("!canary", {"canary": "true"}, "has label canary=true, excluded by !canary"),
        ("replicas>3", {}, "lacks label replicas, needs replicas>3"),
        ("replicas>3", {"replicas": "2"}, "has replicas=2, needs replicas>3"),
        ("replicas<3", {"replicas": "many"}, "has replicas=many, needs an integer for replicas<3"),
    ],
)
def test_describe_failure_says_in_one_sentence_why_labels_fail(text, labels, sentence):
    (req,) = sel.parse(text).requirements
    assert sel.explain(sel.parse(text), labels) == [req]
    assert sel.describe_failure(req, labels) == sentence


def test_explain_lists_every_failing_requirement_in_selector_order():
    s = sel.parse("zone=prod,version=v1,!canary")
    failing = sel.explain(s, {"version": "v2", "canary": "yes"})
    assert [str(r) for r in failing] == ["!canary", "version=v1", "zone=prod"]


# ---------------------------------------------------------------------------------------------
# Engine hygiene
# ---------------------------------------------------------------------------------------------


def test_the_selector_and_name_modules_import_nothing_from_django_or_channels():
    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys, simulator.engine.apiserver.validation.names, simulator.engine.labels\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'channels'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)
