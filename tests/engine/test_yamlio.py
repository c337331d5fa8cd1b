"""Loading YAML like kubectl, safely: every problem has a document and a line, nothing blows up.

Separator rules: k8s.io/apimachinery/pkg/util/yaml/decoder.go (YAMLReader).
Alias bombs: go-yaml's "document contains excessive aliasing" guard.
"""
from __future__ import annotations

import time
import tracemalloc

import pytest

from simulator.engine.errors import InputRejected
from simulator.engine.yamlio import Document, load_documents, split_documents

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


@pytest.mark.parametrize("text", ["a: " + "[" * 50_000 + "]" * 50_000, "a: " + "{x: " * 5000 + "1" + "}" * 5000])
def test_very_deep_nesting_is_an_error_not_a_crash(text):
    (doc,) = load_documents(text)
    assert doc.error is not None and "nests deeper than" in doc.error.message


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
    assert doc.value == {"a": 31, "b": 8, "c": 1000, "d": "yes", "e": True, "f": None, "g": "2001-12-14",
                         "h": 1.5}


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
