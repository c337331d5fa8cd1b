"""`kubectl edit` in the console: the real kubectl launches our editor program (KUBE_EDITOR), which
hands kubectl's file to the session over the run's own socket and writes back what was saved;
kubectl then patches, re-opens after an error, or reports a cancel, as with any editor. Each
guard (the file's place, the socket's peer and secret, no shell, the time limit, Ctrl+C) is
shown to stop what it guards."""

from __future__ import annotations

import itertools
import json
import os
import pathlib
import socket
import subprocess
import sys
import threading
import time

import pytest

from simulator.console import editing, kube_editor, policy
from simulator.console.commandline import Refused
from simulator.console.runner import Limits, Slots, Workspace
from simulator.engine import Engine
from tests.console.test_runner import LESSONS, Console, config_for, objects_of
from tests.kubeapi.kubeserver import KubeServer


class Browser:
    """What the dashboard does with an edit: `answers` says, per opening, what to save (a function
    of the text shown) or None to cancel; "wait" leaves it open."""

    def __init__(self, console: Console, *answers):
        self.console = console
        self.answers = list(answers)
        self.opened: list[editing.EditRequest] = []
        self.closed: list[int] = []

    def on_edit(self, request: editing.EditRequest) -> None:
        self.opened.append(request)
        answer = self.answers.pop(0) if self.answers else None
        if answer == "wait":
            return
        text = answer(request.text) if answer else None
        threading.Thread(target=self.console.session.answer_edit, args=(request.number, text)).start()

    def run(self, line: str):
        printed = []
        outcome = self.console.session.execute(
            line, buffer=None, on_output=printed.append, on_edit=self.on_edit, on_edit_closed=self.closed.append
        )
        return outcome, b"".join(printed).decode().replace("\r\n", "\n")


@pytest.fixture(scope="module")
def engine():
    engine = Engine.new()
    assert not engine.apply_text((LESSONS / "webapp.yaml").read_text()).errors
    return engine


@pytest.fixture
def api(engine):
    with KubeServer(objects_of(engine)) as server:
        console = Console(config_for(server), limits=Limits(burst=100, per_second=100))
        yield server, console
        console.session.close()


def nodeport(text: str) -> str:
    assert "type: ClusterIP" in text
    return text.replace("type: ClusterIP", "type: NodePort")


def served_type(console: Console) -> str:
    outcome, printed = console("kubectl get svc webapp -o jsonpath={.spec.type}")
    assert outcome.exit_code == 0, printed
    return printed


def test_saving_in_the_browser_makes_kubectl_patch_what_changed(api):
    _server, console = api
    browser = Browser(console, nodeport)
    outcome, printed = browser.run("kubectl edit service webapp")
    assert outcome.exit_code == 0 and outcome.stopped is None, printed
    assert printed == "service/webapp edited\n"
    [opened] = browser.opened
    assert opened.title == "service/webapp" and opened.format == "yaml"
    assert opened.text.startswith("# Please edit the object below. Lines beginning with a '#' will be ignored,")
    assert browser.closed == [opened.number]
    assert served_type(console) == "NodePort"


def test_cancel_leaves_the_object_as_it_was(api):
    _server, console = api
    browser = Browser(console, None)
    outcome, printed = browser.run("kubectl edit svc/webapp")
    assert outcome.exit_code == 0, printed
    assert printed == "Edit cancelled, no changes made.\n"
    assert served_type(console) == "ClusterIP"


def test_json_edits_open_as_json_without_kubectls_header(api):
    _server, console = api
    browser = Browser(console, lambda text: text.replace('"type": "ClusterIP"', '"type": "NodePort"'))
    outcome, printed = browser.run("kubectl edit svc webapp -o json")
    assert outcome.exit_code == 0, printed
    assert json.loads(printed)["spec"]["type"] == "NodePort"  # `-o json` prints the edited object too
    [opened] = browser.opened
    assert opened.format == "json" and opened.title == "service/webapp"
    assert json.loads(opened.text)["kind"] == "Service"


def test_an_error_reopens_the_file_with_the_error_at_the_top_as_kubectl_does(api):
    _server, console = api
    broken = lambda text: text.replace("kind: Service", "kind: Service\n  oops: [")  # noqa: E731
    mended = lambda text: nodeport(text.replace("\n  oops: [", ""))  # noqa: E731
    browser = Browser(console, broken, mended)
    outcome, printed = browser.run("kubectl edit service webapp")
    assert outcome.exit_code == 0, printed
    first, second = browser.opened
    assert second.number == first.number + 1 and second.title == first.title == "service/webapp"
    assert second.text.startswith("# Please edit the object below.")
    assert '# services "webapp" was not valid:\n# * <nil>: Invalid value: "The edited file failed validation"' in (
        second.text
    )
    assert "  oops: [" in second.text  # what was typed is kept
    assert printed.startswith('error: services "webapp" is invalid\n')
    assert printed.endswith("service/webapp edited\n")
    assert browser.closed == [first.number, second.number]


def test_cancelling_a_reopened_edit_saves_nothing(api):
    _server, console = api
    broken = lambda text: text.replace("kind: Service", "kind: Service\n  oops: [")  # noqa: E731
    browser = Browser(console, broken, None)
    outcome, printed = browser.run("kubectl edit service webapp")
    assert outcome.exit_code == 1
    assert "Edit cancelled, no valid changes were saved." in printed
    assert served_type(console) == "ClusterIP"


def test_ctrl_c_while_the_edit_is_open_stops_kubectl_and_closes_the_edit(api):
    _server, console = api
    browser = Browser(console, "wait")
    result = {}
    thread = threading.Thread(target=lambda: result.update(run=browser.run("kubectl edit service webapp")))
    thread.start()
    deadline = time.monotonic() + 30
    while not browser.opened and time.monotonic() < deadline:
        time.sleep(0.05)
    assert browser.opened
    console.session.interrupt()
    thread.join(timeout=15)
    assert not thread.is_alive()
    outcome, _printed = result["run"]
    assert outcome.stopped == "interrupted"
    assert browser.closed == [browser.opened[0].number]
    assert not console.session.answer_edit(browser.opened[0].number, "too late")
    assert served_type(console) == "ClusterIP"


def test_an_edit_left_open_ends_at_the_interactive_time_limit_naming_it(engine):
    with KubeServer(objects_of(engine)) as server:
        console = Console(config_for(server), limits=Limits(watch_seconds=1))
        browser = Browser(console, "wait")
        outcome, _ = browser.run("kubectl edit service webapp")
        console.session.close()
    assert outcome.stopped == "stopped after 1 s: the console's time limit for an edit"
    assert browser.closed == [browser.opened[0].number]


def test_without_a_browser_to_answer_an_edit_is_cancelled(api):
    _server, console = api
    outcome, printed = console("kubectl edit service webapp")
    assert outcome.exit_code == 0
    assert printed == "Edit cancelled, no changes made.\n"


# ---------------------------------------------------------------------- the plan
@pytest.mark.parametrize(
    ("argv", "editor"),
    [
        (["edit", "service", "webapp"], True),
        (["edit", "svc/webapp", "-o", "json"], True),
        (["create", "-f", "-", "--edit"], True),
        (["create", "-f", "-", "--edit=false"], False),
        (["apply", "edit-last-applied", "deploy/web"], True),
        (["get", "svc"], False),
    ],
)
def test_the_plan_says_which_runs_open_kubectls_editor(argv, editor):
    plan = policy.check(argv)
    assert plan.editor is editor
    assert plan.long_running is editor  # the interactive time limit


def test_an_edit_cannot_go_inside_a_substitution(api):
    _server, console = api
    outcome, _ = console("X=$(kubectl edit svc webapp)")
    assert outcome.refused == "a command that runs until stopped cannot go inside `$( )`"


def test_the_editor_variable_cannot_be_set_from_the_line(api):
    _server, console = api
    outcome, _ = console("KUBE_EDITOR=vi kubectl edit svc webapp")
    assert outcome.refused and "environment variables are not passed" in outcome.refused


# ---------------------------------------------------------------------- the editor program's guards
def test_kube_editor_is_argv_split_on_spaces_never_a_shell():
    command = editing.editor_command()
    assert not any(c in command for c in "\"'\\")  # kubectl would hand it to $SHELL
    assert command.split(" ") == [sys.executable, "-I", str(editing.PROGRAM)]


def test_paths_with_spaces_are_refused_rather_than_given_to_a_shell(monkeypatch):
    monkeypatch.setattr(sys, "executable", "/opt/my python/bin/python")
    with pytest.raises(Refused, match="kubectl edit` is not available on this server"):
        editing.editor_command()


@pytest.fixture
def tmpdir_env(tmp_path):
    private = tmp_path / "private"
    private.mkdir()
    return private, {"TMPDIR": str(private), "KUBEVIZ_EDIT_SOCKET": str(tmp_path / "none.sock")}


@pytest.mark.parametrize(
    "where",
    ["outside", "wrong-name", "symlink", "directory", "nested"],
)
def test_the_editor_program_touches_only_the_file_kubectl_made_in_the_private_tmpdir(tmpdir_env, tmp_path, where):
    private, env = tmpdir_env
    secret = tmp_path / "secret.txt"
    secret.write_text("server secret\n")
    if where == "outside":
        target = tmp_path / "kubectl-edit-abcde.yaml"
        target.write_text("x: 1\n")
    elif where == "wrong-name":
        target = private / "settings.yaml"
        target.write_text("x: 1\n")
    elif where == "symlink":
        target = private / "kubectl-edit-abcde.yaml"
        target.symlink_to(secret)
    elif where == "directory":
        target = private / "kubectl-edit-abcde.yaml"
        target.mkdir()
    else:
        (private / "sub").mkdir()
        target = private / "sub" / "kubectl-edit-abcde.yaml"
        target.write_text("x: 1\n")
    with pytest.raises(kube_editor.Failed):
        kube_editor.checked_path(str(target), env["TMPDIR"])
    done = subprocess.run(
        [sys.executable, "-I", str(editing.PROGRAM), str(target)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1 and done.stderr.startswith("kubeviz editor: ")
    assert secret.read_text() == "server secret\n"


def test_the_editor_program_without_its_socket_fails_saying_so(tmpdir_env):
    private, env = tmpdir_env
    target = private / "kubectl-edit-abcde.yaml"
    target.write_text("kind: Service\n")
    done = subprocess.run(
        [sys.executable, "-I", str(editing.PROGRAM), str(target)], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 1 and "kubeviz editor:" in done.stderr
    assert target.read_text() == "kind: Service\n"


# ---------------------------------------------------------------------- the channel's guards
@pytest.fixture
def channel():
    workspace = Workspace("apiVersion: v1\n")
    opened = []
    channel = editing.EditChannel(workspace.path, numbers=itertools.count(1), on_open=opened.append)
    yield channel, opened
    channel.close()
    workspace.close()


def ask(channel: editing.EditChannel, token: str) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(10)
        connection.connect(str(channel.path))
        connection.sendall(json.dumps({"token": token, "file": "kubectl-edit-abcde.yaml", "text": "a: 1\n"}).encode())
        connection.sendall(b"\n")
        return json.loads(connection.makefile().readline())


def test_the_socket_is_private_to_the_session(channel):
    channel, _ = channel
    assert oct(channel.path.stat().st_mode & 0o777) == "0o600"
    assert oct(channel.path.parent.stat().st_mode & 0o777) == "0o700"


def test_a_process_that_is_not_this_runs_editor_is_refused_even_with_the_secret(channel):
    channel, opened = channel
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        channel.start(other.pid)  # this run's kubectl is another process: the test is not its child
        answer = ask(channel, channel.token)
    finally:
        other.kill()
        other.wait()
    assert answer == {"action": "refuse", "message": "this editor does not belong to this run"}
    assert opened == []


def test_the_runs_own_process_tree_with_a_wrong_secret_is_refused(channel):
    channel, opened = channel
    channel.start(os.getpid())  # the test plays kubectl: its own connection is "of the run"
    assert ask(channel, "guessed") == {"action": "refuse", "message": "the editor's secret does not match this run"}
    assert opened == []
    threading.Timer(0.2, lambda: channel.answer(1, "a: 2\n")).start()
    assert ask(channel, channel.token) == {"action": "save", "text": "a: 2\n"}
    assert [request.title for request in opened] == ["an object"]


def test_titles_name_objects_as_kubectl_does():
    assert editing.title_of("# c\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n", "yaml") == (
        "deployment.apps/web"
    )
    assert editing.title_of('{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "webapp"}}', "json") == (
        "service/webapp"
    )
    assert editing.title_of("apiVersion: v1\nkind: List\nitems: [{}, {}]\n", "yaml") == "2 objects"
    assert editing.title_of("a: [", "yaml") == "an object"


def test_the_workspace_gives_kubectl_a_private_tmpdir():
    workspace = Workspace("apiVersion: v1\n")
    try:
        tmp = pathlib.Path(workspace.environment()["TMPDIR"])
        assert tmp.parent == workspace.path and oct(tmp.stat().st_mode & 0o777) == "0o700"
    finally:
        workspace.close()


# ---------------------------------------------------------------------- slots while a person edits
def free_slots(slots: Slots) -> int:
    taken = 0
    while slots.semaphore.acquire(blocking=False):
        taken += 1
    for _ in range(taken):
        slots.semaphore.release()
    return taken


def test_a_slot_is_lent_to_others_while_a_person_edits_and_taken_back_after():
    slots = Slots(1, wait=0.2, edits=4)
    with slots.held() as slot:
        assert free_slots(slots) == 0
        with slot.lent():
            with slots.held():  # someone else's `kubectl get pods` runs meanwhile
                assert free_slots(slots) == 0
            assert free_slots(slots) == 1
        assert free_slots(slots) == 0  # Save: the edit's kubectl goes on with a slot again
    assert free_slots(slots) == 1


def test_past_its_limit_of_waiting_edits_an_edit_keeps_its_slot():
    slots = Slots(2, wait=0.2, edits=1)
    with slots.held() as first, slots.held() as second, first.lent(), second.lent():
        assert free_slots(slots) == 1  # only the first lent its slot
    assert free_slots(slots) == 2


def test_a_run_that_ends_while_its_edit_waits_for_a_slot_gives_nothing_back_twice():
    slots = Slots(1, wait=0.2, edits=4)
    with slots.held() as slot:
        lent = slot.lent()
        lent.__enter__()
        other = slots.held()
        other.__enter__()  # another command took the lent slot
        taking_back = threading.Thread(target=lent.__exit__, args=(None, None, None))
        taking_back.start()  # the person saved: the edit waits for a slot
        slot.give_back()  # ... and the run ended (time limit, Ctrl+C) meanwhile
        taking_back.join(timeout=5)
        assert not taking_back.is_alive()
        other.__exit__(None, None, None)
    assert free_slots(slots) == 1


def test_other_commands_run_while_an_edit_waits_with_every_slot_taken(engine):
    slots = Slots(1, wait=0.5)
    with KubeServer(objects_of(engine)) as server:
        editing_console = Console(config_for(server), slots=slots)
        other = Console(config_for(server), slots=slots)
        browser = Browser(editing_console, "wait")
        result = {}
        thread = threading.Thread(target=lambda: result.update(run=browser.run("kubectl edit service webapp")))
        thread.start()
        deadline = time.monotonic() + 30
        while not browser.opened and time.monotonic() < deadline:
            time.sleep(0.05)
        outcome, printed = other("kubectl get svc webapp")
        assert outcome.exit_code == 0 and outcome.refused is None, outcome
        assert "webapp" in printed
        editing_console.session.answer_edit(browser.opened[0].number, nodeport(browser.opened[0].text))
        thread.join(timeout=30)
        editing_console.session.close()
        other.session.close()
    assert result["run"][1] == "service/webapp edited\n"
