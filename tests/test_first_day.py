"""Slow: the first day exactly as printed, on a fresh account, against a CodeArtifact that
answers like the real one.

Each test is a person with a new account (tests/support/clean_machine.py: an empty HOME, no
git identity, the distribution's python3 and git and nothing else on PATH) who follows
README.rst and then what the tools print, to the letter: the commands are read from README.rst
and from the output of the bake and of ``publish``, never retyped here, and each block is
pasted as it is into one interactive bash, where it answers cookiecutter's questions as they
appear. The CodeArtifact is tests/support/codeartifact_host.py: its real host names over HTTPS
through a proxy, 401 challenges, and PyPI behind it as its upstream. A test ends when the
package is published and installed back into a new environment, and counts the pastes.
"""

from __future__ import annotations

import datetime
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import DEFAULTS, TEMPLATE_DIR, edit, git
from tests.support.clean_machine import (
    CleanMachine,
    Paste,
    Terminal,
    cookiecutter_answers,
    printed_pastes,
    readme_pastes,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

SOURCE = "gh:org/cookiecutter-codeartifact-python"  # README.rst: "From a clone ..., use its path"
PASTES = {"uv": 5, "poetry": 5, "pip": 4}  # what README.rst promises
AUTHOR = {"author_name": "Zoë O'Brien", "author_email": "zoe.obrien@example.com"}
PROJECT = {"project_name": 'Zoë\'s "Ledger" Tools', **AUTHOR}
FILES = ["zoe_s_ledger_tools-0.1.0-py3-none-any.whl", "zoe_s_ledger_tools-0.1.0.tar.gz"]
FOLDER = "zoe-s-ledger-tools"


def paste(terminal: Terminal, text: str, **kwargs) -> Paste:
    done = terminal.paste(text, **kwargs)
    assert done.ok, (
        f"paste {len(terminal.pastes)} ended {done.statuses}:\n{text}\n--- the terminal:\n{done.output[-6000:]}"
    )
    return done


class FirstDay:
    """A subclass names the package manager, where the version comes from, and what follows the
    first day: pytest-xdist (--dist loadscope) gives each class a worker of its own, so the walks
    run side by side. Every change walks each package manager's first day, with both version
    sources among them, the tag checks with Poetry's, and the second developer's day with uv's
    README.md; the other pairings are weekly: they repeat rows of the package manager table that
    the first days and tests/test_baked_project.py run on every change."""

    manager = ""
    version_from = ""
    tag_checks = False  # the release workflow's build and tag check, and an untagged commit
    second_developer = False  # then a second fresh account releases the next version

    def test_the_walk_ends_with_the_version_installed_back(self, machine, tmp_path):
        a_fresh_account_publishes_and_installs_back(machine, self.manager, self.version_from, self.tag_checks)
        if self.second_developer:
            the_second_developer_releases_the_next_version(machine, self.manager, tmp_path)


class TestUvFirstAndSecondDay(FirstDay):
    manager, version_from, second_developer = "uv", "pyproject", True


class TestPoetryFirstDay(FirstDay):
    manager, version_from, tag_checks = "poetry", "tag", True


class TestPipFirstDay(FirstDay):
    manager, version_from = "pip", "tag"  # pip has no version command: the default is the tag


@pytest.mark.weekly
class TestUvFirstAndSecondDayFromATag(FirstDay):
    manager, version_from, tag_checks, second_developer = "uv", "tag", True, True


@pytest.mark.weekly
class TestPoetryFirstAndSecondDayFromPyproject(FirstDay):
    manager, version_from, second_developer = "poetry", "pyproject", True


@pytest.mark.weekly
class TestPipFirstAndSecondDay(FirstDay):
    manager, version_from, tag_checks, second_developer = "pip", "tag", True, True


def to_installed_back(terminal: Terminal, manager: str, given: dict[str, str]) -> tuple[Paste, Paste]:
    """README.rst's pastes for ``manager``, the bake answering ``given`` at its questions, then
    each block the bake prints and the command ``publish`` prints: (the publish, the verify)."""
    *tools, bake = readme_pastes((TEMPLATE_DIR / "README.rst").read_text(encoding="utf-8"), manager)
    for text in tools:
        paste(terminal, text)
    answers = cookiecutter_answers(DEFAULTS, {**given, "package_manager": manager})
    baked = paste(terminal, bake.replace(SOURCE, str(TEMPLATE_DIR)), answers=answers)
    setup, publish = printed_pastes(baked.output.split("Next steps", 1)[1])
    paste(terminal, setup)
    published = paste(terminal, publish)
    return published, paste(terminal, printed_verify(published))


def printed_verify(published: Paste) -> str:
    """The command ``publish`` prints last, which installs the version back."""
    return re.search(r"check that it installs from there: (.+)", published.output).group(1)


def a_fresh_account_publishes_and_installs_back(
    machine: CleanMachine, manager: str, version_from: str, tag_checks: bool
) -> None:
    """README.rst's pastes to the version installed back; with ``tag_checks``, then the release
    workflow's own build and tag check, and an untagged commit that ``publish`` refuses."""
    terminal = machine.terminal()
    try:
        published, verified = to_installed_back(terminal, manager, {**PROJECT, "version_from": version_from})
        pastes = len(terminal.pastes)
        assert ("git tag v0.1.0" in published.text) == (version_from == "tag")
        if tag_checks:
            a_release_is_the_tag_of_the_version_built(terminal, machine.home / FOLDER, printed_tool(verified))
    finally:
        terminal.close()
    assert "git config --global user.name 'Zo\u00eb O'\"'\"'Brien'" in published.text  # no identity yet
    assert "verified: zoe-s-ledger-tools==0.1.0 installs from my-repo into a new environment" in verified.output
    assert pastes == PASTES[manager]
    codeartifact = machine.codeartifact
    assert codeartifact.uploaded() == FILES  # and nothing of the untagged commit
    downloads = [path for method, path, status in codeartifact.repository.requests if status == 200 and method == "GET"]
    assert any(path.endswith(FILES[0]) for path in downloads)  # installed back from the repository
    assert codeartifact.proxy.refused == []  # nothing tried to reach real AWS
    for tool in NEXT_TERMINAL[manager]:  # what the first paste installs stays on PATH
        assert found_in_a_new_terminal(machine, tool) == str(machine.home / ".local" / "bin" / tool)
    if manager == "poetry":  # injected with pipx, which keeps it through `pipx reinstall poetry`
        metadata = machine.home / ".local" / "share" / "pipx" / "venvs" / "poetry" / "pipx_metadata.json"
        injected = json.loads(metadata.read_text(encoding="utf-8"))["injected_packages"]
        assert {"keyrings-codeartifact", "botocore"} <= {re.sub(r"[-_.]+", "-", name) for name in injected}, injected


def printed_tool(verified: Paste) -> str:
    """How the project runs its release tool: the verify command, less ``verify``."""
    return verified.text.removesuffix(" verify")


def release_steps(workflow: str) -> tuple[str, str]:
    """The release workflow's build script and its tag check, as GitHub would run them."""
    runs = [step.get("run", "") for step in yaml.safe_load(workflow)["jobs"]["build"]["steps"]]
    check_tag = next(run for run in runs if " check-tag " in run)
    return runs[runs.index(check_tag) - 1], check_tag


def refusal(terminal: Terminal, text: str) -> str:
    """The output of a paste that must fail, and fail in one line."""
    done = terminal.paste(text)
    assert not done.ok, f"{text} succeeded:\n{done.output[-3000:]}"
    errors = [line for line in done.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.output[-3000:]
    return errors[0]


def a_release_is_the_tag_of_the_version_built(terminal: Terminal, project: Path, tool: str) -> None:
    """release.yml's build and tag check accept the tag of the version built and refuse
    another; ``publish`` refuses a commit with no tag."""
    workflow = (project / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    build, check_tag = release_steps(workflow)
    paste(terminal, build)
    matched = paste(terminal, f"export GITHUB_REF_NAME=v0.1.0 && {check_tag}")
    assert "the tag v0.1.0 matches the version 0.1.0 of the build in dist" in matched.output
    wrong_tag = refusal(terminal, f"export GITHUB_REF_NAME=v0.4.0 && {check_tag}")
    assert wrong_tag == "error: the tag v0.4.0 does not match the version 0.1.0 of the build in dist: build " \
        "the commit the tag names, with the tags fetched (a full clone)"  # fmt: skip
    untagged = refusal(terminal, f"git commit -q --allow-empty -m 'Next' && {tool} publish")
    assert untagged == (
        "error: 0.1.1.dev1 is a development version, built from a commit with no tag v<version>: tag the "
        "commit (git tag v0.1.1, then push the tag), or pass --dev"
    )


# The tools the first paste installs, which the terminals of the days after must find too.
NEXT_TERMINAL = {"uv": ["uv", "uvx"], "poetry": ["pipx", "poetry"], "pip": []}


def found_in_a_new_terminal(machine: CleanMachine, tool: str) -> str:
    """Where a new terminal (an interactive login bash, which reads the files the first paste
    changed) finds ``tool``."""
    proc = subprocess.run(["bash", "-lic", f"command -v {tool}"], cwd=machine.home, env=machine.env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    return proc.stdout.strip()


def markdown_blocks(text: str, heading: str) -> list[str]:
    """The ```sh blocks of a Markdown section, up to the next heading."""
    section = re.split(r"\n#+ ", text.split(f"\n{heading}\n", 1)[1], maxsplit=1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, flags=re.DOTALL)


def test_the_classic_aws_cli_commands_of_the_baked_readme_publish_and_install(machine):
    """Someone who already has the AWS CLI (v1, from PyPI) pastes the baked README's "Already
    using the AWS CLI?" blocks as they are: build, twine upload, pip install, uv's token."""
    terminal = machine.terminal()
    try:
        install_uv, _ = readme_pastes((TEMPLATE_DIR / "README.rst").read_text(encoding="utf-8"), "uv")
        paste(terminal, install_uv)
        paste(terminal, "uv tool install awscli")
        paste(terminal, f"uvx cookiecutter {TEMPLATE_DIR} --no-input project_name='Classic Lib' && cd classic-lib")
        readme = (machine.home / "classic-lib" / "README.md").read_text(encoding="utf-8")
        publish_and_install, uv_token = markdown_blocks(readme, "### Already using the AWS CLI?")
        installed = paste(terminal, publish_and_install)
        paste(terminal, uv_token)
    finally:
        terminal.close()
    assert machine.codeartifact.uploaded() == ["classic_lib-0.1.0-py3-none-any.whl", "classic_lib-0.1.0.tar.gz"]
    assert "Successfully installed classic-lib-0.1.0" in installed.output
    assert (machine.home / "classic-lib" / "uv.lock").is_file()  # uv sync with the exported token
    assert machine.codeartifact.proxy.refused == []


class TestTheDaysAfter:
    """What a developer does next in the same kind of account."""

    def test_uv_commands_after_eval_env_leave_the_declared_index_as_it_is(self, machine):
        """`eval "$(... env --tool uv)"`, then uv add, remove and lock: the committed index
        keeps its user aws (what makes uv ask the keyring) and no [tool.uv.sources] appears."""
        terminal = machine.terminal()
        try:
            paste(terminal, readme_pastes((TEMPLATE_DIR / "README.rst").read_text(encoding="utf-8"), "uv")[0])
            paste(terminal, f"uvx cookiecutter {TEMPLATE_DIR} --no-input project_name='Index Lib' && cd index-lib")
            pyproject = machine.home / "index-lib" / "pyproject.toml"
            before = pyproject.read_text(encoding="utf-8")
            paste(terminal, 'eval "$(uv run scripts/codeartifact.py env --tool uv)" && uv add six && uv remove six')
            paste(terminal, "uv lock && uv sync --locked")
        finally:
            terminal.close()
        after = pyproject.read_text(encoding="utf-8")
        assert index_block(after) == index_block(before)
        assert "https://aws@my-domain-111122223333.d.codeartifact" in index_block(after)
        assert after == before  # six came and went
        assert "[tool.uv.sources]" not in after


def index_block(pyproject: str) -> str:
    return pyproject.split("[[tool.uv.index]]", 1)[1].split("\n\n", 1)[0]


# --- the days after: a second developer clones, adds a dependency, releases the next version ---

SECOND = {"Your Name": "Sam Second", "you@example.com": "sam@example.com"}  # README.md: "your own"
DAY_TWO_PASTES = {"uv": 9, "poetry": 9, "pip": 8}


def shared_through_a_git_host(project: Path, tmp_path: Path) -> str:
    """The team's git host: the first developer's commits and tags in a bare repository."""
    remote = tmp_path / "git-host" / f"{FOLDER}.git"
    git("init", "-q", "--bare", remote, cwd=tmp_path)
    git("push", "-q", "--tags", remote, "HEAD:refs/heads/main", cwd=project)
    git("symbolic-ref", "HEAD", "refs/heads/main", cwd=remote)
    return str(remote)


def the_second_developer_releases_the_next_version(machine: CleanMachine, manager: str, tmp_path: Path) -> None:
    """Another fresh account follows the baked README.md to the letter: README.rst's tool
    installation, the clone with its git identity, the setup, a dependency, the tests, a release
    of the next version by hand, and the verify that publish prints."""
    remote = shared_through_a_git_host(machine.home / FOLDER, tmp_path)
    second = CleanMachine(tmp_path / "second", machine.codeartifact, machine.caches)
    readme = (machine.home / FOLDER / "README.md").read_text(encoding="utf-8")
    clone, setup = markdown_blocks(readme, "## Develop")
    (add,) = markdown_blocks(readme, "### Dependencies")
    checks, _ = markdown_blocks(readme, "### Checks")
    tag, push, publish = markdown_blocks(readme, "## Release")
    project = second.home / FOLDER
    terminal = second.terminal()
    try:
        *tools, _ = readme_pastes((TEMPLATE_DIR / "README.rst").read_text(encoding="utf-8"), manager)
        for text in tools:
            paste(terminal, text)
        for placeholder, value in {"REPOSITORY-URL": remote, **SECOND}.items():
            clone = clone.replace(placeholder, value)
        paste(terminal, clone)
        paste(terminal, setup)
        if manager == "pip":
            edit(project / "pyproject.toml", "dependencies = []", 'dependencies = ["attrs>=25"]')
        paste(terminal, add)
        paste(terminal, checks.splitlines()[0])  # the tests
        today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        edit(project / "CHANGELOG.md", "## [Unreleased]\n", f"## [Unreleased]\n\n## [0.2.0] - {today}\n\n- attrs.\n")
        paste(terminal, tag)  # uv and Poetry bump 0.1.0 to 0.2.0; pip's version is the tag's
        published = paste(terminal, publish)
        verified = paste(terminal, printed_verify(published))
        paste(terminal, push)
    finally:
        terminal.close()
    assert "verified: zoe-s-ledger-tools==0.2.0 installs from my-repo into a new environment" in verified.output
    assert machine.codeartifact.uploaded() == sorted([*FILES, *(name.replace("0.1.0", "0.2.0") for name in FILES)])
    log = git("log", "-1", "--format=%an <%ae> %s", "v0.2.0", cwd=Path(remote)).stdout.strip()
    assert log == "Sam Second <sam@example.com> Release 0.2.0"  # pushed, with the tag
    pushed = git("show", "v0.2.0:pyproject.toml", cwd=Path(remote)).stdout
    assert re.search(r'dependencies = \[\s*"attrs ?\(?>=25', pushed)  # Poetry writes "attrs (>=25)"
    assert len(terminal.pastes) == DAY_TWO_PASTES[manager]
    assert machine.codeartifact.proxy.refused == []
