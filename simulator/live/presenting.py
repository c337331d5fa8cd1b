"""Presenting live, in pure Python (no Django): what a presenter's view is made of, the messages
that carry it to followers, the diff between a student's sandbox and the projected cluster, and
the predict-then-reveal questions (their specs, the answers a student may give, and how an answer
is graded against the truth the engine computed). docs/protocol.md, "Presenting".

A view is the presenter's focus *by meaning*: which object is selected, which panel tab is open
and what it shows, which diagram elements are in view (each follower fits them to its own screen),
which layers are on, which object's YAML is open. Presenter events carry only the fields that
changed (`set`), so one costs each follower a few hundred bytes; a late joiner gets the whole view.
"""

from __future__ import annotations

import json
from typing import Any

TABS = ("inspect", "services", "dns", "trace", "rules", "workloads")
MAX_FOCUS = 24  # element keys: past this the presenter shows "everything" (focus "*")
MAX_REF = 300
MAX_TEXT = 2000
MAX_VIEW_BYTES = 4096
MAX_ANSWER_PODS = 200

# A view's fields and what each holds (`None` clears it).
VIEW_FIELDS = {
    "select": "a diagram element key, e.g. Service/default/web",
    "tab": "one of " + ", ".join(TABS),
    "dns": '{"from": "NS/POD", "name": "webapp"}: the lookup the DNS tab shows',
    "trace": '{"from": "NS/POD" or "external", "url": "http://..."}: the request the Trace tab shows',
    "rules": "NS/SERVICE: the Service whose kube-proxy chains are shown",
    "job": "NS/NAME: the Job (or DaemonSet, Deployment) whose progress is shown",
    "focus": 'a list of diagram element keys in view, or "*" for the whole diagram',
    "layers": '{"owners": bool, "system": bool}',
    "yaml": "Kind/NS/NAME: the object open in the YAML editor",
    "console": "true or false: the kubectl console open (followers see the presenter's console)",
}


class BadInput(ValueError):
    """A message that cannot be taken as it is: says what and where."""


def _text(value: Any, where: str, limit: int = MAX_REF) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"{where} must be a non-empty string")
    if len(value) > limit:
        raise BadInput(f"{where} has {len(value)} characters; at most {limit}")
    return value.strip()


def _pair(value: Any, where: str, fields: tuple[str, str]) -> dict:
    if not isinstance(value, dict) or set(value) - set(fields):
        raise BadInput(f"{where} must be an object with {' and '.join(fields)}")
    return {f: _text(value.get(f), f"{where}.{f}", MAX_TEXT) for f in fields}


def clean_view(fields: Any) -> dict:
    """A presenter's view fields as the server keeps and sends them, or BadInput saying which field
    is wrong. Only the fields given are checked (an event carries those that changed)."""
    if not isinstance(fields, dict):
        raise BadInput("view must be an object of view fields")
    unknown = sorted(set(fields) - set(VIEW_FIELDS))
    if unknown:
        raise BadInput(f"view.{unknown[0]} is not a view field; they are: {', '.join(VIEW_FIELDS)}")
    out: dict[str, Any] = {}
    for name, value in fields.items():
        where = f"view.{name}"
        if value is None:
            out[name] = None
        elif name == "tab":
            if value not in TABS:
                raise BadInput(f"{where} must be one of {', '.join(TABS)}")
            out[name] = value
        elif name == "dns":
            out[name] = _pair(value, where, ("from", "name"))
        elif name == "trace":
            out[name] = _pair(value, where, ("from", "url"))
        elif name == "focus":
            if value == "*":
                out[name] = "*"
                continue
            if not isinstance(value, list):
                raise BadInput(f'{where} must be a list of element keys or "*"')
            if len(value) > MAX_FOCUS:
                raise BadInput(f'{where} has {len(value)} element keys; at most {MAX_FOCUS} (else "*")')
            out[name] = sorted({_text(v, f"{where}[{i}]") for i, v in enumerate(value)})
        elif name == "console":
            if not isinstance(value, bool):
                raise BadInput(f"{where} must be true or false")
            out[name] = value
        elif name == "layers":
            if not isinstance(value, dict) or set(value) - {"owners", "system"}:
                raise BadInput(f'{where} must be {{"owners": bool, "system": bool}}')
            if not all(isinstance(v, bool) for v in value.values()):
                raise BadInput(f"{where}: owners and system are true or false")
            out[name] = dict(sorted(value.items()))
        else:
            out[name] = _text(value, where)
    if len(encode(out)) > MAX_VIEW_BYTES:
        raise BadInput(f"view is larger than {MAX_VIEW_BYTES} bytes")
    return out


def merge_view(view: dict, fields: dict) -> dict:
    """The whole view after an event's fields (a field set to None goes)."""
    merged = {**view, **fields}
    return {k: v for k, v in sorted(merged.items()) if v is not None}


def encode(payload: dict) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------------- messages
def view_event(seq: int, fields: dict) -> dict:
    """One presenter event: the view fields that changed (`null`: cleared)."""
    return {"type": "view", "seq": seq, "set": fields}


def presenting(
    *, on: bool, presenter: str, seq: int, view: dict, spotlight: dict | None, question: dict | None
) -> dict:
    """The whole presentation: on connect (a late joiner lands on the view), when the presenter
    switches Present on or off, and to a follower who comes back."""
    return {
        "type": "presenting",
        "on": on,
        "presenter": presenter,
        "seq": seq,
        "view": view,
        "spotlight": spotlight,
        "question": question,
    }


# ---------------------------------------------------------------------- spotlight
_OBJECT = "object/"
_SERVICE = "service/"
_GRAPH = "graph/"


def _comparable(manifest: dict) -> dict:
    """What a student changed in an object: its labels, annotations and everything outside
    metadata and status (uid, resourceVersion and timestamps differ between any two copies)."""
    meta = manifest.get("metadata") or {}
    out = {k: v for k, v in manifest.items() if k not in ("metadata", "status")}
    out["metadata"] = {k: meta[k] for k in ("labels", "annotations") if meta.get(k)}
    return out


def _changed_fields(old: dict, new: dict, prefix: str = "") -> list[str]:
    """Dotted paths (two levels deep) where two manifests differ, sorted."""
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        path = f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict) and not prefix:
            out.extend(_changed_fields(a, b, f"{path}."))
        else:
            out.append(path)
    return out


def spotlight_diff(projected: dict, sandbox: dict) -> dict:
    """What differs in a sandbox from the projected cluster, from both clusters' entries:
    `added`, `removed` (object refs `Kind/NS/NAME`, the diagram's ids), `changed`
    (`[{ref, fields}]`), and per Service whose Endpoints differ, the pods `gained` and `lost`."""
    mine = {k[len(_OBJECT) :]: v for k, v in sandbox.items() if k.startswith(_OBJECT)}
    theirs = {k[len(_OBJECT) :]: v for k, v in projected.items() if k.startswith(_OBJECT)}
    changed = []
    for ref in sorted(set(mine) & set(theirs)):
        a, b = _comparable(theirs[ref]["manifest"]), _comparable(mine[ref]["manifest"])
        if a != b:
            changed.append({"ref": ref, "fields": _changed_fields(a, b)})
    endpoints = {}
    services = {k for k in (*projected, *sandbox) if k.startswith(_SERVICE)}
    for key in sorted(services):
        before = {e["pod"] for e in (projected.get(key) or {}).get("endpoints", [])}
        after = {e["pod"] for e in (sandbox.get(key) or {}).get("endpoints", [])}
        if before != after:
            endpoints[key[len(_SERVICE) :]] = {"gained": sorted(after - before), "lost": sorted(before - after)}
    return {
        "added": sorted(set(mine) - set(theirs)),
        "removed": sorted(set(theirs) - set(mine)),
        "changed": changed,
        "endpoints": endpoints,
    }


def spotlight(*, label: str, version: int, sandbox: dict, diff: dict) -> dict:
    """The spotlight message: the sandbox's diagram (its `graph/*` entries and `meta`) under a
    label ("Student 7", or the student's name when they agreed), and its diff."""
    entries = {k: v for k, v in sandbox.items() if k.startswith(_GRAPH) or k == "meta"}
    return {"label": label, "version": version, "entries": entries, "diff": diff}


# ---------------------------------------------------------------------- questions
QUESTION_KINDS = {
    "select": "Which pods will Service SERVICE select (after the edit)? Students click pods.",
    "nslookup": "What does `nslookup NAME` from pod FROM answer? NXDOMAIN, or an address.",
    "curl": "Which pods can receive `curl URL` from pod FROM (or from outside)? Students click pods.",
    "choice": "A free multiple choice: CHOICES, with CORRECT (an index) or none.",
}
ANSWER_WITH = {"select": "pods", "nslookup": "text", "curl": "pods", "choice": "choice"}


def _ref(value: Any, where: str, external: bool = False) -> str:
    text = _text(value, where)
    if external and text == "external":
        return text
    parts = text.split("/")
    if len(parts) != 2 or not all(parts):
        raise BadInput(f'{where} must be "NAMESPACE/NAME"' + (' or "external"' if external else ""))
    return text


def clean_question(spec: Any) -> dict:
    """A question as asked (from a lesson's questions file or the presenter's form), or BadInput
    saying which field is wrong."""
    if not isinstance(spec, dict):
        raise BadInput("question must be an object")
    kind = spec.get("kind")
    if kind not in QUESTION_KINDS:
        raise BadInput(f"question.kind must be one of {', '.join(QUESTION_KINDS)}")
    out: dict[str, Any] = {"kind": kind}
    if spec.get("id") is not None:
        out["id"] = _text(spec["id"], "question.id", 100)
    if spec.get("edit") is not None:
        if kind == "choice":
            raise BadInput("question.edit: a multiple choice has no edit to reveal")
        out["edit"] = _text(spec["edit"], "question.edit", 20000)
    if kind == "select":
        out["service"] = _ref(spec.get("service"), "question.service")
        default = f"Which pods will Service {out['service']} select" + (" after this edit?" if "edit" in out else "?")
    elif kind == "nslookup":
        out["from"] = _ref(spec.get("from"), "question.from")
        out["name"] = _text(spec.get("name"), "question.name")
        default = f"What does nslookup {out['name']} from pod {out['from']} answer?"
    elif kind == "curl":
        out["from"] = _ref(spec.get("from"), "question.from", external=True)
        out["url"] = _text(spec.get("url"), "question.url", MAX_TEXT)
        where = "from outside" if out["from"] == "external" else f"from pod {out['from']}"
        default = f"Which pods can receive curl {out['url']} {where}?"
    else:
        choices = spec.get("choices")
        if not isinstance(choices, list) or not 2 <= len(choices) <= 8:
            raise BadInput("question.choices must be a list of 2 to 8 answers")
        out["choices"] = [_text(c, f"question.choices[{i}]", 200) for i, c in enumerate(choices)]
        correct = spec.get("correct")
        if correct is not None and (not isinstance(correct, int) or not 0 <= correct < len(choices)):
            raise BadInput(f"question.correct must be the index of a choice, 0 to {len(choices) - 1}")
        out["correct"] = correct
        default = ""
    prompt = spec.get("prompt")
    out["prompt"] = _text(prompt, "question.prompt", 500) if prompt is not None else default
    if not out["prompt"]:
        raise BadInput("question.prompt is needed for a multiple choice")
    return out


def public_question(qid: int, spec: dict, answered: int = 0) -> dict:
    """What students see of a question: never the correct choice."""
    out = {"id": qid, "kind": spec["kind"], "prompt": spec["prompt"], "answerWith": ANSWER_WITH[spec["kind"]]}
    for field in ("edit", "choices", "service", "from", "name", "url"):
        if field in spec:
            out[field] = spec[field]
    out["answered"] = answered
    return out


def clean_answer(spec: dict, answer: Any) -> dict:
    """A student's answer as kept, or BadInput saying what the question needs."""
    need = ANSWER_WITH[spec["kind"]]
    if not isinstance(answer, dict) or set(answer) != {need}:
        raise BadInput(f'answer must be {{"{need}": ...}} for this question')
    value = answer[need]
    if need == "pods":
        if not isinstance(value, list) or len(value) > MAX_ANSWER_PODS:
            raise BadInput(f"answer.pods must be a list of at most {MAX_ANSWER_PODS} pods (NAMESPACE/NAME)")
        return {"pods": sorted({_ref(p, f"answer.pods[{i}]") for i, p in enumerate(value)})}
    if need == "text":
        return {"text": _text(value, "answer.text", 200)}
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < len(spec["choices"]):
        raise BadInput(f"answer.choice must be the index of a choice, 0 to {len(spec['choices']) - 1}")
    return {"choice": value}


def truth_of_select(explain: dict) -> dict:
    """The pods the Service's selector picks, from the engine's explain-service answer."""
    return {"pods": sorted(p for p, facts in explain["pods"].items() if facts["selected"])}


def truth_of_curl(request: dict) -> dict:
    """The pods a request can reach (the contract's `candidates`), and why none when it fails."""
    return {"pods": sorted(request.get("candidates") or []), "error": request.get("error")}


def truth_of_nslookup(resolve: dict) -> dict:
    return {"rcode": resolve.get("rcode"), "values": [a["value"] for a in resolve.get("answers") or []]}


def _norm(text: str) -> str:
    return text.strip().rstrip(".").lower()


def label_of(spec: dict, answer: dict) -> str:
    """An answer in words, for the class's distribution."""
    if "pods" in answer:
        return ", ".join(answer["pods"]) or "no pods"
    if "text" in answer:
        text = answer["text"].strip()
        return "NXDOMAIN" if _norm(text) == "nxdomain" else text
    return spec["choices"][answer["choice"]]


def grade(spec: dict, truth: dict, answer: dict) -> bool | None:
    """Right or wrong; None for a multiple choice without a correct answer."""
    kind = spec["kind"]
    if kind in ("select", "curl"):
        return answer["pods"] == truth["pods"]
    if kind == "nslookup":
        said = _norm(answer["text"])
        if truth["rcode"] == "NXDOMAIN":
            return said == "nxdomain"
        return said in {_norm(v) for v in truth["values"]}
    if spec.get("correct") is None:
        return None
    return answer["choice"] == spec["correct"]


def truth_label(spec: dict, truth: dict) -> str:
    kind = spec["kind"]
    if kind in ("select", "curl"):
        words = ", ".join(truth["pods"]) or "no pods"
        return f"{words} ({truth['error']})" if kind == "curl" and truth.get("error") else words
    if kind == "nslookup":
        return "NXDOMAIN" if truth["rcode"] == "NXDOMAIN" else ", ".join(truth["values"]) or truth["rcode"]
    return spec["choices"][spec["correct"]] if spec.get("correct") is not None else "(no single right answer)"


def distribution(spec: dict, truth: dict, answers: list[dict]) -> list[dict]:
    """The class's answers, anonymous: `[{answer, count, correct}]`, most given first."""
    counts: dict[str, list] = {}
    for answer in answers:
        label = label_of(spec, answer)
        entry = counts.setdefault(label, [0, grade(spec, truth, answer)])
        entry[0] += 1
    rows = [{"answer": label, "count": n, "correct": ok} for label, (n, ok) in counts.items()]
    return sorted(rows, key=lambda r: (-r["count"], r["answer"]))


def truth_elements(spec: dict, truth: dict) -> list[str]:
    """The diagram element keys the truth lights up (pods answered, and the Service asked about)."""
    pods = [f"Pod/{p}" for p in truth.get("pods", [])]
    if spec["kind"] == "select":
        namespace, name = spec["service"].split("/")
        return [f"Service/{namespace}/{name}", *pods]
    return pods
