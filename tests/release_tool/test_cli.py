"""The command line: help, version, exit codes, usage errors, output that cannot be written, a
Python without the tool's dependencies, and the script's quality."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEMPLATE_DIR
from tests.release_tool.helpers import (
    HELP_SNAPSHOT,
    OUTPUT_ERRORS,
    BrokenOutput,
    run,
)


def test_the_script_passes_mypy_strict(bake, request):
    """Type-checked here, so that the owner's mypy configuration need not know the script."""
    script = bake() / "scripts" / "codeartifact.py"
    cache = request.config.cache.mkdir("mypy")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.11", "--ignore-missing-imports",
         "--cache-dir", str(cache), str(script)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_release_tools_locks_are_those_of_its_dependencies(bake_copy, tools):
    """scripts/codeartifact.py.lock (uv) and scripts/requirements.txt (pip, with hashes) pin what
    the script's PEP 723 header asks for; after changing it, refresh them as README.rst says.
    Each bake carries the one its release path uses."""
    project = bake_copy()
    tools.uv("lock", "--script", "scripts/codeartifact.py", "--check", cwd=project)
    exported = tools.uv("export", "--script", "scripts/codeartifact.py", "--format", "requirements.txt", cwd=project)
    committed = (bake_copy(package_manager="pip") / "scripts" / "requirements.txt").read_text(encoding="utf-8")
    assert not (project / "scripts" / "requirements.txt").exists()
    # beside them, the hash-locked tools CI installs: pip's build and twine, cruft
    expected = {"pip": ["build-requirements.txt"], "poetry": []}
    for manager, ci_locks in expected.items():
        assert sorted(path.name for path in (bake_copy(package_manager=manager) / "scripts").iterdir()) == [
            *ci_locks,
            "codeartifact.py",
            "requirements.txt",
            "update-requirements.txt",
        ]
    without_header = [line for line in committed.splitlines() if not line.startswith("#")]
    assert [line for line in exported.stdout.splitlines() if not line.startswith("#")] == without_header
    assert "--hash=sha256:" in committed


def test_the_help_of_every_command_is_the_reviewed_text(ca, capsys, monkeypatch, request):
    """The help is the tool's interface: a change to it (an option, a default, a word) must be
    deliberate. After an intended change, copy the text the failure names over the snapshot."""
    monkeypatch.setenv("COLUMNS", "100")
    texts = []
    commands = ["login", "env", "url", "publish", "verify", "check-tag"]  # the top help lists them all
    for argv in (["--help"], *([command, "--help"] for command in commands)):
        assert ca.main(argv) == 0
        texts.append(f"$ codeartifact.py {' '.join(argv)}\n{capsys.readouterr().out}")
    text = "\n".join(texts)
    if text != HELP_SNAPSHOT.read_text(encoding="utf-8"):
        new = Path(request.config.cache.mkdir("snapshots")) / HELP_SNAPSHOT.name
        new.write_text(text, encoding="utf-8")
        pytest.fail(f"the help changed: compare {new} with {HELP_SNAPSHOT}")


def test_the_help_lists_every_exit_code_and_the_readme_has_the_same_table(ca, bake, capsys):
    assert ca.main(["--help"]) == 0
    help_text = capsys.readouterr().out
    assert help_text.split("exit codes:\n")[1] == "".join(
        f"  {code:>3}  {text}\n" for code, text in ca.EXIT_CODES.items()
    )
    readme = (bake() / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| (.*) \|$", readme, re.MULTILINE)
    assert rows == [(str(code), text) for code, text in ca.EXIT_CODES.items()]


def test_the_version_is_the_newest_of_the_templates_changelog(ca, capsys):
    changelog = (TEMPLATE_DIR / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^#+ Release tool (\S+)$", changelog, re.MULTILINE).group(1)
    assert newest == ca.VERSION
    assert ca.main(["--version"]) == 0
    assert capsys.readouterr() == (f"codeartifact.py {newest}\n", "")
    assert f"repository ({newest})." in ca.parser().format_help()


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        ([], "codeartifact.py: error: the following arguments are required: command"),
        (["deploy"], "codeartifact.py: error: argument command: invalid choice: 'deploy' (choose from 'login', "
                     "'env', 'url', 'publish', 'verify', 'check-tag')"),
        (["login"], "codeartifact.py login: error: the following arguments are required: --tool"),
        (["env", "--shell", "fish"], "codeartifact.py env: error: argument --shell: invalid choice: 'fish' (choose "
                                     "from 'sh', 'powershell')"),
        (["publish", "--dist"], "codeartifact.py publish: error: argument --dist: expected one argument"),
    ],
)  # fmt: skip
def test_a_wrong_command_line_is_argparses_message_and_code_2(ca, capsys, argv, said):
    assert ca.main(argv, client=object()) == 2
    out, err = capsys.readouterr()
    assert (out, err.splitlines()[-1]) == ("", said)


def test_any_other_exit_of_a_command_is_a_usage_error(ca, monkeypatch, capsys):
    def leaves(args, where, client):
        sys.exit("bye")

    monkeypatch.setitem(ca.COMMANDS, "check-tag", leaves)
    assert ca.main(["check-tag", "v0.1.0"]) == 2


CLOSED = "error: the output is closed: give it a file, a pipe or /dev/null\n"


@pytest.mark.parametrize(
    "argv", [["env"], ["url"], ["check-tag", "v0.1.0"], ["publish"], ["login", "--tool", "uv"], ["verify"]]
)
def test_without_standard_output_a_command_refuses_before_doing_anything(ca, monkeypatch, capsys, argv):
    """Started with its output closed (`>&-`), Python has no sys.stdout, and print writes
    nothing: `env` exists to print, and publish's lines say what is in the repository. One line
    and 74, before any call or change; the help still goes to standard error."""
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(ca, "run", lambda *args, **kwargs: pytest.fail("nothing runs"))
    assert ca.main(argv, client=object()) == 74
    assert capsys.readouterr().err == CLOSED
    assert ca.main(["--help"]) == 0
    assert capsys.readouterr().err.startswith("usage: codeartifact.py [-h] [--version]")


@pytest.fixture
def answers(ca, children, monkeypatch):
    """Every command's calls answered, whatever it asks: CodeArtifact, the build, uv."""
    monkeypatch.setattr(ca, "connect", lambda client, where, endpoint_only=False: ("t0ken", "https://x/"))
    monkeypatch.setattr(ca, "stored", lambda client, package: {})
    monkeypatch.setattr(ca, "login_uv", lambda endpoint, args: "found keyring")
    return object()


@pytest.mark.parametrize("on", ["write", "flush"])
@pytest.mark.parametrize("fault", OUTPUT_ERRORS)
@pytest.mark.parametrize(
    "argv",
    [["url"], ["env", "--tool", "pip"], ["login", "--tool", "uv"], ["check-tag", "v0.1.0"], ["publish", "--dry-run"],
     ["publish"], ["verify"], ["--help"]],
    ids=lambda argv: "-".join(argv),
)  # fmt: skip
def test_output_that_cannot_be_written_ends_quietly_with_its_code(ca, answers, capsys, monkeypatch, argv, fault, on):
    """Never 70 and never a traceback: `| head` ends the tool as it ends any program of a
    pipeline (141, nothing said), a full disk in one line (74)."""
    error, code, said = OUTPUT_ERRORS[fault]
    monkeypatch.setattr(sys, "stdout", BrokenOutput(error, on))
    assert ca.main(argv, answers) == code
    assert capsys.readouterr().err == said
    assert (sys.stdout.name, sys.stdout.mode) == (os.devnull, "w")  # so that Python's own last flush cannot fail
    sys.stdout.close()


AFTER_HEAD = "sleep 0.5;"  # head -c0 reads nothing and ends: the tool starts writing after that


def tool(bake, shell: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The tool's own process, run by bash as in ``shell``, where $TOOL is the command."""
    environ = {**os.environ, "TOOL": f"{sys.executable} scripts/codeartifact.py", **env}
    return subprocess.run(["bash", "-c", shell], cwd=bake(), env=environ, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_a_real_full_disk_closed_pipe_and_closed_output(bake, unbuffered):
    env = {"PYTHONUNBUFFERED": unbuffered}
    full = tool(bake, "$TOOL check-tag v0.1.0 > /dev/full", **env)
    assert (full.returncode, full.stderr) == (74, "error: cannot write the output: No space left on device\n")
    piped = tool(bake, f"{{ {AFTER_HEAD} $TOOL check-tag v0.1.0; }} | head -c0; exit ${{PIPESTATUS[0]}}", **env)
    assert (piped.returncode, piped.stderr) == (141, "")
    closed = tool(bake, "$TOOL check-tag v0.1.0 >&-", **env)
    assert (closed.returncode, closed.stderr) == (74, CLOSED)


def test_the_help_into_a_full_disk_a_closed_pipe_and_a_closed_output(bake):
    """Buffered output (Python's default): argparse writes the help into the buffer, and the
    tool's last flush finds the fault. (With PYTHONUNBUFFERED, argparse itself ignores it.)"""
    env = {"PYTHONUNBUFFERED": ""}
    full = tool(bake, "$TOOL --help > /dev/full", **env)
    assert (full.returncode, full.stderr) == (74, "error: cannot write the output: No space left on device\n")
    piped = tool(bake, f"{{ {AFTER_HEAD} $TOOL --help; }} | head -c0; exit ${{PIPESTATUS[0]}}", **env)
    assert (piped.returncode, piped.stderr) == (141, "")
    closed = tool(bake, "$TOOL --help >&-", **env)
    assert closed.returncode == 0 and closed.stderr.startswith("usage: codeartifact.py [-h] [--version]")
    assert "Traceback" not in closed.stderr


@pytest.mark.parametrize(("command", "missing"), [("url", "boto3"), ("check-tag v0.1.0", "packaging")])
def test_a_python_without_the_tools_dependencies_gets_one_line_and_code_2(bake, command, missing):
    """`python3 scripts/codeartifact.py` outside the project's environment (-S: no site-packages)."""
    proc = tool(bake, f"{sys.executable} -S scripts/codeartifact.py {command}")
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        2,
        "",
        f"error: {missing} is not installed for {sys.executable}: see README.md\n",
    )


def test_a_missing_module_in_process_is_the_same_line(ca, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 fails as where it is not installed
    assert run(ca, capsys, None, "url") == (
        2,
        "",
        f"error: boto3 is not installed for {sys.executable}: see README.md\n",
    )
