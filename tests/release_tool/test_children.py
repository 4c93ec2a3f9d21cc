"""The child processes of a release: process groups, time limits, signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import load_release_tool
from tests.release_tool.helpers import (
    TOKEN,
    FakeSteps,
    expect_credentials,
    process_is_gone,
    run,
)


def test_a_step_runs_in_the_project_in_its_own_session_with_only_the_given_environment(ca):
    script = (
        "import os, sys; print(os.getcwd()); print(sorted(k for k in os.environ if k != 'LC_CTYPE')); "
        "print(repr(sys.stdin.read()), flush=True); print(os.getpgid(0) == os.getpid(), file=sys.stderr); sys.exit(3)"
    )
    proc = ca.run_child([sys.executable, "-c", script], {"ONLY": "this"})
    assert (proc.returncode, proc.stderr) == (3, "")
    assert proc.stdout.splitlines() == [str(ca.PROJECT_ROOT), "['ONLY']", "''", "True"]
    assert proc.args == [sys.executable, "-c", script]


def test_a_step_that_outlives_its_timeout_is_stopped_with_everything_it_started(ca, tmp_path):
    pid_file = tmp_path / "grandchild"
    command = ["sh", "-c", f'sleep 30 & echo $! > "{pid_file}"; wait']
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"^no answer within 0\.5 s$"):
        ca.run_child(command, dict(os.environ), timeout=0.5)
    assert time.monotonic() - started < 4
    assert process_is_gone(int(pid_file.read_text()))


def test_a_step_that_ignores_sigterm_is_killed_after_five_seconds(ca):
    script = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert child.stdout.readline() == "up\n"
    graces: list[float | None] = []
    wait = child.wait
    child.wait = lambda timeout=None: graces.append(timeout) or wait(timeout)  # type: ignore[method-assign]
    started = time.monotonic()
    ca.stop_group(child)
    assert 5 <= time.monotonic() - started < 8
    assert child.returncode == -signal.SIGKILL
    assert graces[:2] == [5.0, 5.0]  # five seconds after SIGTERM, then as long after SIGKILL
    assert child.stdout.closed


def test_stopping_a_step_that_already_ended_does_nothing(ca):
    child = subprocess.Popen([sys.executable, "-c", "print('bye')"], stdout=subprocess.PIPE, text=True)
    child.wait()
    ca.stop_group(child)
    assert child.returncode == 0
    assert child.stdout.closed  # what it printed was collected, its pipe closed


@pytest.mark.parametrize(("signum", "name", "code"), [(signal.SIGINT, "SIGINT", 130), (signal.SIGTERM, "SIGTERM", 143)])
def test_a_signal_becomes_its_own_exit_code(ca, signum, name, code):
    stopped = ca.Stopped(signum)
    assert (str(stopped), stopped.exit_code) == (f"stopped by {name}", code)


def test_a_failed_tool_is_named_by_its_last_line_or_its_status(ca):
    assert ca.last_line(subprocess.CompletedProcess([], 2, "first\nsecond\n", "third\n\n")) == "third"
    assert ca.last_line(subprocess.CompletedProcess([], 2, "only\n", "")) == "only"
    assert ca.last_line(subprocess.CompletedProcess([], 2, " \n", "")) == "exit status 2"


def test_the_work_tree_is_clean_dirty_or_not_in_git(bake_copy, monkeypatch):
    project = bake_copy(project_name="Git State")
    module = load_release_tool(project)
    assert module.git_tree_state() == "none"
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    assert module.git_tree_state() == "clean"
    assert module.git_output("rev-parse", "--is-inside-work-tree") == "true\n"
    (project / "new.txt").write_text("x")
    assert module.git_tree_state() == "dirty"
    monkeypatch.setenv("PATH", "")
    assert module.git_output("status") is None and module.git_tree_state() == "none"


def test_the_first_signal_stops_the_tool_and_later_ones_are_ignored(ca):
    ca.stop_on_signals()
    with pytest.raises(ca.Stopped) as stopped:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)  # the handler raises in the main thread, here
    assert stopped.value.exit_code == ca.Exit.TERMINATED
    assert signal.getsignal(signal.SIGINT) == signal.getsignal(signal.SIGTERM) == signal.SIG_IGN


@pytest.mark.parametrize(
    ("failing", "message"),
    [("venv", "no virtual environment"), ("show", "acme-utils==0.1.0 is not in the new environment")],
)
def test_verify_names_the_step_that_failed(ca, stub, capsys, monkeypatch, failing, message):
    steps = FakeSteps(ca, monkeypatch)
    real = steps.run_child

    def fails(command, environ, timeout=None):
        if failing in command:
            return subprocess.CompletedProcess(command, 1, f"boom {TOKEN}", "")
        return real(command, environ, timeout)

    monkeypatch.setattr(ca, "run_child", fails)
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "verify")
    assert (code, err) == (1, f"error: {message}:\nboom ****\n")


def test_a_step_never_reads_the_users_terminal(ca):
    read_end, write_end = os.pipe()
    os.write(write_end, b"typed by the user\n")
    os.close(write_end)
    saved = os.dup(0)
    os.dup2(read_end, 0)
    try:
        proc = ca.run_child([sys.executable, "-c", "import sys; print(repr(sys.stdin.read()))"], dict(os.environ), 10)
    finally:
        os.dup2(saved, 0)
        os.close(saved)
        os.close(read_end)
    assert proc.stdout == "''\n"
