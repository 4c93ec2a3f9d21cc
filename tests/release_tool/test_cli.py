"""The command line: help, exit codes, output that cannot be written, the script's quality."""

from __future__ import annotations

import contextlib
import hashlib
import json
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
    SSO_CONFIG,
    BrokenOutput,
    FakeSteps,
    expect_assets,
    expect_credentials,
    expect_endpoint,
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
    for manager in ("pip", "poetry"):
        assert sorted(path.name for path in (bake_copy(package_manager=manager) / "scripts").iterdir()) == [
            "codeartifact.py",
            "requirements.txt",
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
        with pytest.raises(SystemExit):
            ca.parser().parse_args(argv)
        texts.append(f"$ codeartifact.py {' '.join(argv)}\n{capsys.readouterr().out}")
    text = "\n".join(texts)
    if text != HELP_SNAPSHOT.read_text(encoding="utf-8"):
        new = Path(request.config.cache.mkdir("snapshots")) / HELP_SNAPSHOT.name
        new.write_text(text, encoding="utf-8")
        pytest.fail(f"the help changed: compare {new} with {HELP_SNAPSHOT}")


def test_a_time_limit_must_be_a_number(ca):
    assert ca.seconds_from({}, "CODEARTIFACT_READ_TIMEOUT", 30) == 30
    assert ca.seconds_from({"CODEARTIFACT_READ_TIMEOUT": ""}, "CODEARTIFACT_READ_TIMEOUT", 30) == 30
    assert ca.seconds_from({"CODEARTIFACT_READ_TIMEOUT": "2.5"}, "CODEARTIFACT_READ_TIMEOUT", 30) == 2.5
    with pytest.raises(ca.ToolError) as refused:
        ca.seconds_from({"CODEARTIFACT_READ_TIMEOUT": "soon"}, "CODEARTIFACT_READ_TIMEOUT", 30)
    assert (str(refused.value), refused.value.exit_code) == (
        "CODEARTIFACT_READ_TIMEOUT='soon' is not a number of seconds",
        2,
    )


def test_without_a_command_the_tool_shows_its_usage(ca, capsys):
    with pytest.raises(SystemExit) as usage:
        ca.main([])
    assert usage.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "codeartifact.py: error: the following arguments are required: command"
    )


def test_the_refusals_around_the_index_are_whole_sentences(ca, stub, capsys, monkeypatch, private_home, tmp_path):
    monkeypatch.setenv("PIP_FIND_LINKS", "/wheels")
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "pip")[2] == (
        "error: pip would also look in /wheels (find-links, set in the environment variable PIP_FIND_LINKS), "
        "where a package of this project's name could stand in for it: remove that setting, or pass "
        "--allow-extra-index\n"
    )
    monkeypatch.setenv("UV_INDEX", "pypi=https://pypi.org/simple")
    monkeypatch.setenv("UV_FIND_LINKS", "/wheels")
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "uv")[2] == (
        "error: uv would also look for packages in another index (the environment variable UV_INDEX; "
        "the environment variable UV_FIND_LINKS), where a package of this project's name could stand in "
        "for it: remove it, mark it explicit, or pass --allow-extra-index\n"
    )


@pytest.mark.parametrize("on", ["write", "flush"])
@pytest.mark.parametrize("fault", OUTPUT_ERRORS)
@pytest.mark.parametrize(
    "argv",
    [
        ["url"],
        ["env", "--tool", "pip"],
        ["login", "--tool", "twine", "--dry-run"],
        ["check-tag", "v0.1.0"],
        ["publish", "--dry-run"],
        ["verify"],
        ["--help"],
    ],
    ids=lambda argv: argv[0],
)
def test_output_that_cannot_be_written_ends_quietly_with_its_code(ca, stub, capsys, monkeypatch, argv, fault, on):
    """Never 70 and never a traceback: `| head` ends the tool as it ends any program of a
    pipeline (141, nothing said), a full disk or a closed terminal in one line (74)."""
    FakeSteps(ca, monkeypatch)
    client, stubber = stub
    if argv[0] in ("url", "env", "login", "verify", "publish"):
        expect_credentials(stubber) if argv[0] != "url" else expect_endpoint(stubber)
    if argv[0] == "publish":
        expect_assets(stubber, None)
    error, code, said = OUTPUT_ERRORS[fault]
    monkeypatch.setattr(sys, "stdout", BrokenOutput(error, on))
    with contextlib.suppress(SystemExit):  # --help exits from argparse, after the output error
        assert ca.main(argv, client) == code
    assert capsys.readouterr().err == said


@pytest.mark.parametrize("command", [["check-tag", "v0.1.0"], ["--help"]])
def test_a_real_full_disk_and_a_real_closed_pipe_end_the_process_as_documented(bake, command):
    """The tool's own process, writing to /dev/full and to a pipe nobody reads any more."""
    script = bake() / "scripts" / "codeartifact.py"
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, script, *command], stdout=full, stderr=subprocess.PIPE, text=True)
    assert (proc.returncode, proc.stderr) == (74, "error: cannot write the output: No space left on device\n")
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run([sys.executable, script, *command], stdout=write, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(write)
    assert (proc.returncode, proc.stderr) == (141, "")


def test_a_python_without_the_tools_dependencies_gets_one_line_saying_how_to_start_it(bake):
    """`python3 scripts/codeartifact.py` outside the project's environment (-S: no site-packages)."""
    project = bake(package_manager="pip")
    proc = subprocess.run([sys.executable, "-S", "scripts/codeartifact.py", "url"], cwd=project,
                          capture_output=True, text=True)  # fmt: skip
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        f"error: boto3 is not installed for {sys.executable}: run `python scripts/codeartifact.py COMMAND` "
        "in the project's virtual environment (`. .venv/bin/activate` first)\n"
    )
    uv = subprocess.run([sys.executable, "-S", "scripts/codeartifact.py", "url"], cwd=bake(),
                        capture_output=True, text=True)  # fmt: skip
    assert (
        uv.stderr
        == f"error: boto3 is not installed for {sys.executable}: run `uv run scripts/codeartifact.py COMMAND`\n"
    )


@pytest.mark.parametrize(
    ("profile", "cached", "said"),
    [
        ("legacy", None, "this AWS SSO profile has never signed in on this machine: run `aws sso login`"),
        ("modern", None, "this AWS SSO profile has never signed in on this machine: run `aws sso login`"),
        ("legacy", "https://example.awsapps.com/start", "the AWS SSO session has expired: run `aws sso login`"),
        ("modern", "corp", "the AWS SSO session has expired and could not be renewed ("),
    ],
)
def test_an_sso_profile_that_never_signed_in_is_not_called_expired(bake, tmp_path, profile, cached, said):
    """Real botocore, real files, the tool's own process: the profile's configuration, and no
    cached login or an expired one where `aws sso login` leaves it (~/.aws/sso/cache, named by
    the SHA-1 of the start URL or of the session's name; botocore finds it by HOME)."""
    (tmp_path / "config").write_text(SSO_CONFIG)
    if cached:
        cache = tmp_path / ".aws" / "sso" / "cache"
        cache.mkdir(parents=True)
        token = {"startUrl": "https://example.awsapps.com/start", "region": "us-east-1",
                 "accessToken": "old", "expiresAt": "2020-01-01T00:00:00Z"}  # fmt: skip
        (cache / f"{hashlib.sha1(cached.encode()).hexdigest()}.json").write_text(json.dumps(token))
    env = {"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(tmp_path / "config"), "AWS_PROFILE": profile,
           "AWS_EC2_METADATA_DISABLED": "true", "PATH": os.environ["PATH"]}  # fmt: skip
    proc = subprocess.run([sys.executable, "scripts/codeartifact.py", "url"], cwd=bake(), env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert (proc.returncode, proc.stdout) == (3, "")
    assert proc.stderr.startswith(f"error: {said}") and proc.stderr.count("\n") == 1, proc.stderr


def test_the_tool_names_its_version_the_newest_of_the_templates_changelog_and_its_template(ca, capsys):
    changelog = (TEMPLATE_DIR / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^#+ Release tool (\S+)$", changelog, re.MULTILINE).group(1)
    assert newest == ca.VERSION
    with pytest.raises(SystemExit):
        ca.parser().parse_args(["--version"])
    commit = json.loads((Path(ca.__file__).parents[1] / ".cruft.json").read_text())["commit"]
    assert capsys.readouterr().out == f"codeartifact.py {newest} (template commit {commit[:12]})\n"
    assert f"(release tool {newest})" in ca.parser().format_help()
