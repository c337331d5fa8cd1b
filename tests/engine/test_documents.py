"""Loading YAML like kubectl, safely: every problem has a document and a line, nothing blows up.

Separator rules: k8s.io/apimachinery/pkg/util/yaml/decoder.go (YAMLReader).
Alias bombs: go-yaml's "document contains excessive aliasing" guard.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest
import yaml

from simulator.engine.apiserver.documents import Document, load_documents, split_documents
from simulator.engine.errors import InputRejected

from .conftest import simulate


def test_documents_are_numbered_from_one_and_know_their_first_line():
    docs = load_documents("---\n# only a comment\n---\na: 1\n---\n\nb: 2\n")
    assert [(d.index, d.line, d.value) for d in docs] == [(1, 4, {"a": 1}), (2, 7, {"b": 2})]


@pytest.mark.parametrize("separator", ["---", "--- ", "---  # next object"])
def test_a_separator_line_may_carry_spaces_or_a_comment(separator):
    assert [c for _, c in split_documents(f"a: 1\n{separator}\nb: 2\n")] == ["a: 1\n", "b: 2\n"]


def test_a_syntax_error_reports_its_line_and_the_other_documents_still_load():
    docs = load_documents("a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n")
    assert docs[0].value == {"a": 1} and docs[2].value == {"d": 4}
    assert docs[1].error is not None and docs[1].error.line in (3, 4, 5)


def test_a_field_path_is_located_on_its_own_line():
    (doc,) = load_documents("kind: Service\nspec:\n  ports:\n  - name: a\n    port: 80\n  - name: b\n    port: x\n")
    assert doc.locate("spec.ports[1].port") == 7
    assert doc.locate("spec.ports[5].port") == 3  # deepest existing parent
    assert doc.locate("spec.nodeSelector[ssd]") == 2


def test_a_billion_laughs_alias_bomb_is_refused_quickly_and_in_little_memory():
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "\n".join(levels) + "\n"
    tracemalloc.start()
    started = time.perf_counter()
    (doc,) = load_documents(text)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert doc.error is not None and doc.error.message == "yaml: document contains excessive aliasing"
    assert elapsed < 5 and peak < 200 * 1024 * 1024


def test_moderate_aliases_and_merge_keys_work_as_in_yaml_1_1():
    (doc,) = load_documents("base: &b {app: web, tier: front}\nlabels:\n  <<: *b\n  tier: back\n")
    assert doc.value["labels"] == {"app": "web", "tier": "back"}


def _libyaml_refuses(text: str) -> bool:
    """Whether libyaml's own parser stops `text` (it has a nesting limit of its own since 0.2.6)."""
    try:
        for _event in yaml.parse(text, Loader=yaml.CSafeLoader):
            pass
    except yaml.YAMLError:
        return True
    return False


# Which guard stops a deep document depends on its shape: libyaml's scanner reads a run of `[` ahead
# and stops at its limit (1000) before our builder sees a single level; block maps reach our own
# guard (100) first. Both must give the same words: the document, its line and our limit.
DEEP_FLOW = "a: " + "[" * 50_000 + "]" * 50_000
DEEP_BLOCK = "".join(f"{'  ' * depth}k{depth}:\n" for depth in range(150)) + "  " * 150 + "leaf: 1\n"


@pytest.mark.parametrize(
    "text, libyaml_stops_it",
    [(DEEP_FLOW, True), (DEEP_BLOCK, False), ("a: " + "{x: " * 5000 + "1" + "}" * 5000, True)],
    ids=["flow-lists-libyaml-guard", "block-maps-our-guard", "flow-maps"],
)
def test_very_deep_nesting_is_our_error_whichever_guard_stops_it(text, libyaml_stops_it):
    assert _libyaml_refuses(text) is libyaml_stops_it  # the case still covers the guard it names
    (doc,) = load_documents(text)
    assert doc.error is not None
    assert doc.error.message.startswith("the document nests deeper than 100 levels")
    assert "yaml:" not in doc.error.message and "exceeded maximum" not in doc.error.message
    assert doc.error.line == (1 if text is not DEEP_BLOCK else 101)


def test_a_too_deep_document_is_reported_with_its_document_and_line_and_the_others_load():
    text = "kind: A\n---\n" + DEEP_BLOCK + "---\nkind: C\n"
    first, deep, last = load_documents(text)
    assert first.value == {"kind": "A"} and last.value == {"kind": "C"}
    assert deep.index == 2 and deep.error.line == 3 + 100
    assert "100 levels" in deep.error.message


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['echo hi']", "!custom x", "!!binary aGk="])
def test_unsafe_or_unknown_tags_are_refused(tag):
    (doc,) = load_documents(f"a: {tag}\n")
    assert doc.error is not None and "is not loaded" in doc.error.message
    assert doc.error.line == 1


def test_a_duplicate_key_is_an_error_on_its_line():
    (doc,) = load_documents("metadata:\n  name: a\n  name: b\n")
    assert doc.error.message == 'key "name" already set in map' and doc.error.line == 3


def test_an_input_over_the_size_limit_is_refused_as_a_whole():
    with pytest.raises(InputRejected) as exc:
        load_documents("a: " + "x" * 2000 + "\n", max_bytes=1000)
    assert "over the limit of 1000 bytes" in exc.value.diagnostics[0].message


def test_an_input_with_too_many_documents_is_refused_as_a_whole():
    with pytest.raises(InputRejected) as exc:
        load_documents("---\n".join(f"a: {i}\n" for i in range(20)), max_documents=10)
    assert "20 documents" in exc.value.diagnostics[0].message


def test_a_nul_byte_or_invalid_utf8_is_refused_with_a_message():
    with pytest.raises(InputRejected):
        load_documents("a: 1\n\x00\n")
    with pytest.raises(InputRejected) as exc:
        load_documents(b"a: \xff\n")
    assert "UTF-8" in exc.value.diagnostics[0].message


def test_yaml_1_1_scalars_become_the_values_kubernetes_sees():
    (doc,) = load_documents("a: 0x1F\nb: 010\nc: 1_000\nd: 'yes'\ne: yes\nf: ~\ng: 2001-12-14\nh: 1.5\n")
    assert doc.value == {"a": 31, "b": 8, "c": 1000, "d": "yes", "e": True, "f": None, "g": "2001-12-14", "h": 1.5}


def test_non_string_keys_become_their_json_text():
    (doc,) = load_documents("80: http\ntrue: x\n")
    assert doc.value == {"80": "http", "true": "x"}


def test_simulate_reports_a_broken_document_and_applies_the_others():
    out = simulate("""
        apiVersion: v1
        kind: Namespace
        metadata: {name: good}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: broken
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: also-good}
    """)
    (error,) = out["errors"]
    assert error["document"] == 2 and error["line"] >= 5 and error["message"].startswith("yaml: line")
    assert isinstance(load_documents("a: 1")[0], Document)
