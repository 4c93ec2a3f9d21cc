"""Child processes: run (in the project, with the given environment), checked (a failure is the
tool's last error line, the token masked), git, and the signals that stop the tool."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import load_release_tool
from tests.release_tool.helpers import TOKEN

SHOW = (
    "import os, sys; print(os.getcwd()); print(os.environ.get('ONLY')); print('to stderr', file=sys.stderr); "
    "sys.exit(3)"
)


# python -m build's output when its isolated environment cannot install the backend: pip's cause,
# then build's own lines about the command that failed
BUILD_WITHOUT_BACKEND = """\
* Creating isolated environment: venv+pip...
* Installing packages in isolated environment:
  - hatchling>=1.27
< ERROR: Could not find a version that satisfies the requirement hatchling>=1.27 (from versions: none)
< ERROR: No matching distribution found for hatchling>=1.27

Traceback (most recent call last):
  File "build/__main__.py", line 289, in _handle_build_error
subprocess.CalledProcessError: Command '['python', '-m', 'pip']' returned non-zero exit status 1.

ERROR Command '['python', '-m', 'pip']' returned non-zero exit status 1.
"""


def test_a_child_runs_in_the_project_with_the_environment_given(ca, monkeypatch):
    proc = ca.run([sys.executable, "-c", SHOW], {"ONLY": "this"})
    assert (proc.returncode, proc.stdout, proc.stderr) == (3, f"{ca.ROOT}\nthis\n", "to stderr\n")
    assert proc.args == [sys.executable, "-c", SHOW]
    monkeypatch.setenv("ONLY", "the tool's own")
    assert ca.run([sys.executable, "-c", SHOW]).stdout == f"{ca.ROOT}\nthe tool's own\n"


def test_a_program_that_cannot_be_started_is_named(ca, tmp_path):
    """As a shell says it, with its exit status 127: checked names it, git answers None."""
    missing = ca.run([str(tmp_path / "nothing"), "--version"])
    said = f"cannot run {tmp_path / 'nothing'}: [Errno 2] No such file or directory: '{tmp_path / 'nothing'}'"
    assert (missing.returncode, missing.stdout, missing.stderr) == (127, "", said)
    with pytest.raises(ca.Fault) as failed:
        ca.checked([str(tmp_path / "nothing"), "--version"])
    assert (str(failed.value), failed.value.code) == (f"`{tmp_path / 'nothing'} --version …` failed: {said}", 1)


def answering(ca, monkeypatch, status: int, out: str, err: str = "") -> list:
    """``ca.run`` answers with this; returns the commands and environments it was given."""
    calls: list = []

    def fake(command, env=None):
        calls.append((command, env))
        return subprocess.CompletedProcess(command, status, out, err)

    monkeypatch.setattr(ca, "run", fake)
    return calls


def test_checked_returns_the_standard_output_of_a_tool_that_succeeds(ca, monkeypatch):
    calls = answering(ca, monkeypatch, 0, "out\n", "warning: noise\n")
    assert ca.checked(["tool", "x"], {"A": "1"}, TOKEN) == "out\n"
    assert calls == [(["tool", "x"], {"A": "1"})]
    assert ca.checked(["tool"]) == "out\n" and calls[-1] == (["tool"], None)


@pytest.mark.parametrize(
    ("out", "err", "why"),
    [
        ("Building\n", "warning: a\nerror: first\n  Caused by: deeper\nERROR: second\ntrailing\n", "ERROR: second"),
        ("", "error: Failed to publish\n  cause: Could not read the file\n", "cause: Could not read the file"),
        ("", "  × error: No solution found  \n  ╰─▶ hint\n", "error: No solution found"),
        ("", BUILD_WITHOUT_BACKEND, "ERROR: No matching distribution found for hatchling>=1.27"),
        ("step one\n", "Errors: 3\nerrors found\nerror[E1]: the last\n\n", "error[E1]: the last"),
        ("", "Traceback (most recent call last):\n  File 'x'\nValueError: boom\n", "ValueError: boom"),
        ("  only output  \n\n", "", "only output"),
        ("", "", "exit status 2"),
        (" \n", "\n", "exit status 2"),
    ],
    ids=["last-error", "cause", "symbol", "build-wrapper", "whole-word", "no-error-line", "stripped", "silent",
         "blank"],
)  # fmt: skip
def test_a_failure_is_the_tools_last_error_line_or_its_last_line(ca, monkeypatch, out, err, why):
    answering(ca, monkeypatch, 2, out, err)
    with pytest.raises(ca.Fault) as failed:
        ca.checked(["uv", "build", "--out-dir", "/tmp/x y"])
    assert (str(failed.value), failed.value.code) == (f"`uv build --out-dir …` failed: {why}", 1)


@pytest.mark.parametrize(
    ("cause", "why", "code"),
    [
        ("cause: Server returned status code 500 Internal Server Error. Server says: no",
         "the repository answered HTTP 500 Internal Server Error", 6),
        ("cause: HTTP status client error (401 Unauthorized) for url (https://x/simple/a/)",
         "the repository answered HTTP 401 Unauthorized", 5),
        ("cause: Connection refused (os error 111)", "Connection refused (os error 111)", 7),
        ("cause: failed to lookup address information: No address associated with hostname",
         "No address associated with hostname", 7),
        ("cause: No solution found when resolving dependencies", "cause: No solution found when resolving dependencies",
         1),
    ],
    ids=["500", "401", "refused", "dns", "resolution"],
)  # fmt: skip
def test_the_exit_code_of_a_failed_tool_is_that_of_its_cause_for_every_command(ca, monkeypatch, cause, why, code):
    """One table for every command that reaches the repository (build, upload, verify): an HTTP
    status, or no answer at all (7), as README.md's exit codes say."""
    answering(ca, monkeypatch, 2, "", f"error: failed\n  {cause}\n")
    with pytest.raises(ca.Fault) as failed:
        ca.checked(["uv", "build"])
    assert (str(failed.value), failed.value.code) == (f"`uv build …` failed: {why}", code)
    with pytest.raises(ca.Fault) as failed:
        ca.checked(["uv", "run"], what="installing it")
    assert (str(failed.value), failed.value.code) == (f"installing it failed: {why}", code)


def test_a_failure_names_the_first_three_words_of_the_command_quoted(ca, monkeypatch):
    answering(ca, monkeypatch, 1, "", "error: no\n")
    with pytest.raises(ca.Fault, match=r"^`'/opt/my tools/uv' pip 'a b' …` failed: error: no$"):
        ca.checked(["/opt/my tools/uv", "pip", "a b", "secret"])


def test_the_token_is_masked_in_the_failure_and_nothing_else_is(ca, monkeypatch):
    answering(ca, monkeypatch, 1, "", f"error: 401 for https://aws:{TOKEN}@host/simple/ (aws:{TOKEN})\n")
    with pytest.raises(ca.Fault) as failed:
        ca.checked(["uv", "pip", "install"], None, TOKEN)
    assert str(failed.value) == "`uv pip install …` failed: error: 401 for https://aws:****@host/simple/ (aws:****)"
    answering(ca, monkeypatch, 1, "", "error: 401 for https://aws:x@host/\n")
    with pytest.raises(ca.Fault, match=r"failed: error: 401 for https://aws:x@host/$"):
        ca.checked(["uv", "pip", "install"])


def test_git_answers_in_the_project_or_says_nothing(bake_copy, monkeypatch):
    project = bake_copy(project_name="Git State")
    tool = load_release_tool(project)
    assert tool.git("status", "--porcelain") is None  # not a repository
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    assert tool.git("status", "--porcelain") == ""
    (project / "new.txt").write_text("x")
    assert tool.git("status", "--porcelain") == "?? new.txt\n"
    monkeypatch.setenv("PATH", "")
    assert tool.git("status", "--porcelain") is None  # no git at all


@pytest.mark.parametrize(("signum", "name", "code"), [(signal.SIGINT, "SIGINT", 130), (signal.SIGTERM, "SIGTERM", 143)])
def test_the_first_signal_stops_the_tool_with_its_code_and_later_ones_are_ignored(ca, signum, name, code):
    signal.signal(signal.SIGINT, ca.on_signal)
    signal.signal(signal.SIGTERM, ca.on_signal)
    with pytest.raises(ca.Fault) as stopped:
        os.kill(os.getpid(), signum)
        time.sleep(5)  # the handler raises in the main thread, here
    assert (str(stopped.value), stopped.value.code) == (f"stopped by {name}", code)
    assert signal.getsignal(signal.SIGINT) == signal.getsignal(signal.SIGTERM) == signal.SIG_IGN


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_git_runs_stops_the_tool(ca, capsys, monkeypatch, signum):
    """git() answers None for "no git" or "no work tree"; a Ctrl-C or a cancelled job while it
    runs is neither: publish stops with the signal's code instead of going on."""
    real_run = ca.run

    def git_interrupted(command, env=None):
        if command[0] == "git":
            os.kill(os.getpid(), signum)
            time.sleep(5)
        return real_run(command, env)

    monkeypatch.setattr(ca, "run", git_interrupted)
    monkeypatch.setattr(ca, "connect", lambda *args: pytest.fail("publish went on"))
    assert ca.main(["publish"], object()) == 128 + signum
    assert capsys.readouterr() == ("", f"error: stopped by {signal.Signals(signum).name}\n")


def test_a_signal_while_the_tool_starts_is_one_line_and_after_it_is_done_changes_nothing(ca, monkeypatch, capsys):
    """The handlers come first, before the command line is read (no traceback); once main has
    returned, a late signal cannot turn a finished publish into a death by signal."""

    def slow_start():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)

    parser = ca.parser
    monkeypatch.setattr(ca, "parser", slow_start)
    assert ca.main(["url"]) == 130
    assert capsys.readouterr() == ("", "error: stopped by SIGINT\n")
    assert signal.getsignal(signal.SIGINT) == signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
    monkeypatch.setattr(ca, "parser", parser)
    assert ca.main(["check-tag", "v0.1.0"]) == 0
    assert signal.getsignal(signal.SIGINT) == signal.getsignal(signal.SIGTERM) == signal.SIG_IGN


def test_main_stops_on_either_signal(ca, monkeypatch, capsys):
    def interrupted(args, where, client):
        assert signal.getsignal(signal.SIGTERM) == signal.getsignal(signal.SIGINT) == ca.on_signal
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)

    monkeypatch.setitem(ca.COMMANDS, "check-tag", interrupted)
    assert ca.main(["check-tag", "v0.1.0"]) == 143
    assert capsys.readouterr() == ("", "error: stopped by SIGTERM\n")


def test_a_build_that_fails_is_the_exception_not_builds_line_that_its_child_failed(ca, monkeypatch):
    """python -m build ends with lines that only say its backend's process failed; the cause is the
    exception above them (a missing README.md, say)."""
    out = "* Building sdist...\nTraceback (most recent call last):\n  File x\n"
    out += "OSError: Readme file does not exist: README.md\n"
    err = "\nERROR Backend subprocess exited when trying to invoke build_sdist\n"
    monkeypatch.setattr(ca, "run", lambda command, env=None: subprocess.CompletedProcess(command, 1, out, err))
    with pytest.raises(ca.Fault) as failed:
        ca.checked(["python", "-m", "build", "--outdir", "dist"])
    assert str(failed.value) == "`python -m build …` failed: OSError: Readme file does not exist: README.md"
