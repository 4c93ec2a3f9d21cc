"""A newcomer's first minutes, through the real cookiecutter command line: what the bake prints,
what happens when its output goes to a closed pipe, typing wrong answers at the prompts, and the
upkeep of a fleet of baked projects with cruft."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import DEFAULTS, MANAGERS, TEMPLATE_DIR, git
from tests.support.clean_machine import printed_pastes
from tests.support.tools import run

COOKIECUTTER = [sys.executable, "-m", "cookiecutter"]


# An account that git knows (GIT_CONFIG_COUNT adds settings as if from a configuration file).
GIT_IDENTITY = {
    "GIT_CONFIG_COUNT": "2",
    "GIT_CONFIG_KEY_0": "user.name",
    "GIT_CONFIG_VALUE_0": "Dev",
    "GIT_CONFIG_KEY_1": "user.email",
    "GIT_CONFIG_VALUE_1": "dev@example.com",
}


def bake_cli(*answers: str, cwd: Path, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_IDENTITY, "PATH": path if path is not None else os.environ["PATH"]}
    command = [*COOKIECUTTER, "--no-input", str(TEMPLATE_DIR), *answers]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def pastes(stdout: str) -> list[str]:
    """The commands the next steps give, one string per paste (comments left out, continuation
    lines joined)."""
    commands = []
    for block in printed_pastes(stdout):
        lines = [line.strip() for line in block.splitlines() if not line.strip().startswith("#")]
        commands.append(" ".join(lines).replace(" \\ ", " "))
    return commands


@pytest.mark.parametrize("manager", MANAGERS)
def test_the_next_steps_are_two_pastes_in_the_managers_own_words(tmp_path, manager):
    proc = bake_cli(f"package_manager={manager}", "project_name=Ledger Tools", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    table = MANAGERS[manager]
    setup, publish = pastes(proc.stdout)
    expected = ["cd ledger-tools", *(table["setup"].split(" && ") if table["setup"] else [])]
    expected += [f"{table['tool']} {table['login']}", table["sync"], f"{table['run']}pytest"]
    assert setup.split(" && ")[-len(expected) :] == expected
    assert publish == f"git init -q -b main && git add . && git commit -qm 'First version' && {table['tool']} publish"
    assert f"--tool {manager}" in setup and (manager == "uv" or "--tool uv" not in setup)


@pytest.mark.parametrize("manager", ["uv", "poetry"])
def test_a_missing_package_manager_is_installed_first(tmp_path, manager):
    """With only Python on PATH, the first paste starts by installing what the project needs."""
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("git", "python3"):
        (bare / tool).symlink_to(shutil.which(tool) or sys.executable)
    proc = bake_cli(f"package_manager={manager}", cwd=tmp_path, path=str(bare))
    assert proc.returncode == 0, proc.stderr
    setup = pastes(proc.stdout)[0]
    install = MANAGERS[manager]["install"]
    assert setup.startswith(" && ".join(install.values()) + " && cd acme-utils")
    assert f"{' and '.join(install)} not found on PATH" in proc.stdout


@pytest.mark.parametrize(
    ("provider", "variables_file", "pattern"),
    [
        ("github", ".github/workflows/release.yml", r"vars\.(CODEARTIFACT_\w+_ROLE_ARN)"),
        ("gitlab", ".gitlab-ci.yml", r"\$(CODEARTIFACT_\w+_ROLE_ARN)"),
    ],
)
def test_the_next_steps_name_the_variables_the_ci_files_read(tmp_path, provider, variables_file, pattern):
    proc = bake_cli(f"ci_provider={provider}", cwd=tmp_path)
    read = sorted(set(re.findall(pattern, (tmp_path / "acme-utils" / variables_file).read_text())))
    assert read == ["CODEARTIFACT_PUBLISH_ROLE_ARN", "CODEARTIFACT_READ_ROLE_ARN"]
    assert f"{read[1]} and {read[0]}" in proc.stdout.replace("\n", " ")


@pytest.mark.slow
@pytest.mark.parametrize("runner", [["uvx"], ["pipx", "run"]])
def test_a_refusal_under_uvx_or_pipx_prints_a_command_that_starts_the_same_way(tmp_path, tools, runner):
    """Not the interpreter in uv's or pipx's cache, which goes when they clean it. (pipx runs
    through uvx where it finds uv, and that command is then the one printed: here, pipx runs on
    its own, as on a machine without uv.)"""
    env = tools.env(PIPX_DEFAULT_BACKEND="pip")
    refused = run(*runner, "cookiecutter", TEMPLATE_DIR, "--no-input", "codeartifact_domain=my_domain",
                  cwd=tmp_path, env=env, check=False)  # fmt: skip
    assert refused.returncode != 0
    command = refused.stderr.split("(edit any value first if you like):\n\n", 1)[1].split("\n\n", 1)[0]
    assert shlex.split(command.replace("\\\n", " "))[: len(runner) + 2] == [*runner, "cookiecutter", str(TEMPLATE_DIR)]
    run("bash", "-c", command, cwd=tmp_path, env=env)
    assert 'domain = "my-domain"' in (tmp_path / "acme-utils" / "pyproject.toml").read_text(encoding="utf-8")


def test_a_closed_pipe_costs_the_user_nothing_but_text(tmp_path):
    """`cookiecutter … | head -2`: head exits, the hook's next print meets a broken pipe."""
    command = " ".join(shlex.quote(str(word)) for word in [*COOKIECUTTER, "--no-input", TEMPLATE_DIR])
    proc = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command} | head -c 10"], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "acme-utils" / "pyproject.toml").is_file()
    assert "Traceback" not in proc.stderr


def test_a_plain_bake_records_its_template_and_answers_for_cruft(tmp_path):
    bake_cli("project_name=Ledger Tools", "ci_provider=gitlab", cwd=tmp_path)
    record = json.loads((tmp_path / "ledger-tools" / ".cruft.json").read_text(encoding="utf-8"))
    head = subprocess.run(["git", "-C", TEMPLATE_DIR, "rev-parse", "HEAD"], capture_output=True, text=True)
    assert record["template"] == str(TEMPLATE_DIR)
    assert record["commit"] == head.stdout.strip()
    answers = record["context"]["cookiecutter"]
    assert (answers["project_name"], answers["ci_provider"], answers["package_name"]) == (
        "Ledger Tools",
        "gitlab",
        "ledger-tools",
    )
    assert "_output_dir" not in answers and "_repo_dir" not in answers


# --- typing at the prompts ------------------------------------------------------------------


def converse(command: list[str], answers: list[str], cwd: Path, seconds: float = 60) -> tuple[int, str]:
    """Run ``command`` on a pseudo-terminal, typing each answer when the screen goes quiet."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the command
        os.chdir(cwd)
        os.execv(command[0], command)
    screen = b""
    pending = list(answers)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
        elif pending:
            os.write(fd, pending.pop(0).encode() + b"\r")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.decode(errors="replace"))


def test_a_newcomer_types_wrong_answers_and_the_printed_command_bakes(tmp_path):
    """At the prompts: a name, defaults, then a domain with an underscore and an account ID
    with dashes (both fixable); the error prints a command that bakes when run as printed."""
    keys = [key for key in DEFAULTS if not key.startswith("_")]  # cookiecutter asks in this order
    domain = keys.index("codeartifact_domain")
    prompts = ["Billing Client", *[""] * (domain - 1), "my_domain", "1111-2222-3333", *[""] * (len(keys) - domain - 2)]
    code, screen = converse([*COOKIECUTTER, str(TEMPLATE_DIR)], prompts, tmp_path)
    assert code != 0
    assert 'codeartifact_domain: got "my_domain", but underscores are not allowed; try my-domain' in screen
    assert list(tmp_path.iterdir()) == []
    command = screen.replace("\r\n", "\n").split("(edit any value first if you like):\n\n", 1)[1].split("\n\n")[0]
    rerun = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    config = (tmp_path / "billing-client" / "pyproject.toml").read_text(encoding="utf-8")
    assert 'domain = "my-domain"' in config and 'domain-owner = "111122223333"' in config


# --- a fleet of projects: cruft -------------------------------------------------------------


@pytest.mark.slow
def test_cruft_updates_a_baked_project_and_changes_its_ci_provider(tmp_path, template_repository, tools):
    cruft = Path(sys.executable).with_name("cruft")
    projects = tmp_path / "projects"
    projects.mkdir()
    subprocess.run(
        [cruft, "create", str(template_repository), "--no-input", "--output-dir", projects,
         "--extra-context", json.dumps({"project_name": "Ledger Tools"})],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    project = projects / "ledger-tools"
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "-qm", "First version", cwd=project)
    assert subprocess.run([cruft, "check"], cwd=project, capture_output=True).returncode == 0

    changelog = template_repository / "{{cookiecutter.__project_dir}}" / "CHANGELOG.md"
    changelog.write_text(changelog.read_text(encoding="utf-8") + "- Kept up to date with the template.\n")
    git("commit", "-qam", "Template 2", cwd=template_repository)
    assert subprocess.run([cruft, "check"], cwd=project, capture_output=True).returncode != 0

    updated = subprocess.run([cruft, "update", "-y"], cwd=project, capture_output=True, text=True)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "Created" not in updated.stdout  # the post-gen hook stays quiet under cruft
    assert (project / "CHANGELOG.md").read_text(encoding="utf-8").endswith("- Kept up to date with the template.\n")
    tools.uv("sync", cwd=project)
    assert "2 passed" in tools.uv("run", "pytest", cwd=project).stdout
    git("add", "-A", cwd=project)
    git("commit", "-qm", "Template 2", cwd=project)

    switched = subprocess.run(
        [cruft, "update", "-y", "--variables-to-update", json.dumps({"ci_provider": "gitlab"})],
        cwd=project, capture_output=True, text=True,
    )  # fmt: skip
    assert switched.returncode == 0, switched.stdout + switched.stderr
    assert not (project / ".github").exists()
    assert yaml.safe_load((project / ".gitlab-ci.yml").read_text(encoding="utf-8"))["release"]["stage"] == "release"
    assert json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]["ci_provider"] == "gitlab"


def test_the_pastes_readme_rst_shows_are_the_ones_the_tools_print(tmp_path):
    """README.rst shows what a default uv bake prints (tests/test_first_day.py runs them)."""
    readme = (TEMPLATE_DIR / "README.rst").read_text(encoding="utf-8")
    listed = readme.split("``publish`` the last:\n\n.. code-block:: text\n\n", 1)[1].split("\n\n", 1)[0]
    setup, publish, verify = [line.strip() for line in listed.splitlines()]
    with_uv = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])  # uv is installed
    printed = bake_cli(cwd=tmp_path, path=with_uv)
    assert pastes(printed.stdout) == [setup, publish]
    assert verify == f"{MANAGERS['uv']['tool']} verify"  # what publish prints last
