"""`check-tag` (the tag against the version, no AWS) and `verify` (this version installs from
the repository into a new environment, with none of the user's settings)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.release_tool.helpers import DYNAMIC, INDEX_WITH_TOKEN, TOKEN, expect_credentials, run


@pytest.fixture
def no_aws(ca, monkeypatch):
    monkeypatch.setattr(ca, "client_for", lambda region: pytest.fail("check-tag needs no AWS"))


def built(folder: Path, version: str) -> Path:
    folder.mkdir()
    for name in (f"acme_utils-{version}-py3-none-any.whl", f"acme_utils-{version}.tar.gz"):
        (folder / name).write_text(name)
    return folder


@pytest.mark.parametrize(
    ("version", "tag"),
    [("0.1.0", "v0.1.0"), ("1.0.0-RC.1", "v1.0.0rc1"), ("1.0.0-RC.1", "v1.0.0-RC.1")],
)
def test_check_tag_accepts_v_and_the_version_as_pep_440_reads_them(ca, capsys, pyproject, no_aws, version, tag):
    pyproject(project={"name": "acme-utils", "version": version})
    canonical = ca.project()[1]
    assert run(ca, capsys, None, "check-tag", tag) == (
        0,
        f"the tag {tag} matches the version {canonical} of pyproject.toml\n",
        "",
    )


@pytest.mark.parametrize(
    "tag", ["v0.1.0rc1", "v0.1.0.post1", "v0.1.1", "v0.1", "0.1.0", "V0.1.0", "vnext", "v", "release-0.1.0"]
)
def test_check_tag_refuses_any_other_tag_and_says_how_to_agree(ca, capsys, no_aws, tag):
    assert run(ca, capsys, None, "check-tag", tag) == (
        1,
        "",
        f"error: the tag {tag} does not match the version 0.1.0 of pyproject.toml: tag v0.1.0, or set the tag's "
        "version in pyproject.toml\n",
    )


@pytest.mark.parametrize("project", [DYNAMIC, {"name": "acme-utils", "version": "0.3.0"}], ids=["from-tag", "static"])
def test_check_tag_with_dist_reads_the_version_of_the_build(ca, capsys, pyproject, no_aws, tmp_path, project):
    pyproject(project=project)
    dist = built(tmp_path / "dist", "0.3.0")
    assert run(ca, capsys, None, "check-tag", "v0.3.0", "--dist", str(dist)) == (
        0,
        f"the tag v0.3.0 matches the version 0.3.0 of the build in {dist}\n",
        "",
    )
    assert run(ca, capsys, None, "check-tag", "v0.4.0", "--dist", str(dist)) == (
        1,
        "",
        f"error: the tag v0.4.0 does not match the version 0.3.0 of the build in {dist}: build the commit the tag "
        "names, with the tags fetched (a full clone)\n",
    )


def test_check_tag_with_dist_of_a_static_version_looks_for_that_version(ca, capsys, no_aws, tmp_path):
    dist = built(tmp_path / "dist", "0.3.0")
    assert run(ca, capsys, None, "check-tag", "v0.1.0", "--dist", str(dist)) == (
        1,
        "",
        f"error: {dist} must hold one wheel and one sdist of acme-utils; it holds: "
        "['acme_utils-0.3.0-py3-none-any.whl', 'acme_utils-0.3.0.tar.gz']\n",
    )


def test_check_tag_of_a_version_from_the_tag_needs_the_build(ca, capsys, pyproject, no_aws, tmp_path):
    pyproject(project=DYNAMIC)
    assert run(ca, capsys, None, "check-tag", "v0.3.0") == (
        2,
        "",
        "error: the version is the tag's: build, then check-tag v0.3.0 --dist DIR\n",
    )
    assert run(ca, capsys, None, "check-tag", "v0.3.0", "--dist", str(tmp_path / "dist"))[:2] == (1, "")


def test_check_tag_of_a_build_of_uncommitted_changes_names_them_not_a_shallow_clone(
    ca, capsys, pyproject, children, no_aws, tmp_path
):
    """A tagged commit (v1.2.0) with an edited file: setuptools-scm and hatch-vcs make the build
    the next development version (1.2.1.dev0), which is no shallow clone's fault."""
    pyproject(project=DYNAMIC)
    children.git["status"] = " M src/acme_utils/__init__.py\n"
    dist = built(tmp_path / "dist", "1.2.1.dev0")
    assert run(ca, capsys, None, "check-tag", "v1.2.0", "--dist", str(dist)) == (
        1,
        "",
        f"error: the tag v1.2.0 does not match the version 1.2.1.dev0 of the build in {dist}: commit the changes "
        "(`git status` lists them), then build again\n",
    )
    assert ["git", "status", "--porcelain", "--untracked-files=no"] in children.commands()


def verify_commands(ca, requirement: str, imports: str = "acme_utils") -> list[list[str]]:
    return [
        ["git", "describe", "--tags", "--exact-match", "--match", "v*"],
        [ca.uv(), "run", "--no-config", "--no-project", "--isolated", "-qp", sys.executable, "--with", requirement,
         "python", "-I", "-c", f"import {imports}"],
    ]  # fmt: skip


def test_verify_installs_this_version_into_a_new_environment_with_none_of_the_users_settings(
    ca, stub, children, capsys, monkeypatch
):
    for name, value in {"UV_INDEX": "pypi=https://pypi.org/simple", "UV_CACHE_DIR": "/c", "PIP_NO_INDEX": "1",
                        "UVX_KEPT": "1", "MY_PIP_KEPT": "1"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "verify") == (
        0,
        "verified: acme-utils==0.1.0 installs from my-repo into a new environment\n",
        "",
    )
    assert children.commands() == verify_commands(ca, "acme-utils==0.1.0")
    kept = {name: value for name, value in os.environ.items() if not name.startswith(("UV_", "PIP_"))}
    env = {**kept, "UV_DEFAULT_INDEX": INDEX_WITH_TOKEN, "UV_NO_CACHE": "1"}
    assert [env for _, env in children.calls[1:]] == [env]
    assert {"UVX_KEPT", "MY_PIP_KEPT"} <= env.keys() and not {"UV_INDEX", "UV_CACHE_DIR", "PIP_NO_INDEX"} & env.keys()


def test_verify_imports_what_it_installed_as_readme_says(ca, stub, children, capsys):
    """README.md: verify "installs that version ... and imports it". A wheel that installs but
    lacks the package (a wrong packages setting) fails there, with Python's own line."""
    children.answers["run"] = (1, "", "Traceback (most recent call last):\n  File \"<string>\", line 1\n"
                                      "ModuleNotFoundError: No module named 'acme_utils'\n")  # fmt: skip
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "verify") == (
        1,
        "",
        "error: installing acme-utils==0.1.0 from there failed: ModuleNotFoundError: No module named 'acme_utils'\n",
    )
    assert children.commands()[1][-3:] == ["-I", "-c", "import acme_utils"]
    readme = (ca.ROOT / "README.md").read_text()
    assert "installs that version from the repository into a new environment and imports it" in " ".join(readme.split())


@pytest.mark.parametrize("packages", [["acme_cli", "acme_utils"], ["acme/tools"]], ids=["two", "namespace"])
def test_verify_imports_every_package_of_src_and_without_one_starts_python(ca, stub, children, capsys, pyproject,
                                                                          monkeypatch, tmp_path, packages):  # fmt: skip
    """Each package under src/ is imported; a namespace package (src/acme/tools, no
    src/acme/__init__.py) has no name to import, so the new environment's python only starts."""
    pyproject()
    for package in packages:
        (tmp_path / "src" / package).mkdir(parents=True)
        (tmp_path / "src" / package / "__init__.py").write_text("")
    monkeypatch.setattr(ca, "ROOT", tmp_path)
    programs = children.run

    def installed(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """uv run: the python of a new environment that has the project's packages, running the code."""
        if command[1] != "run":
            return programs(command, env)
        code = [sys.executable, "-c", command[command.index("-c") + 1]]
        return subprocess.run(code, cwd=tmp_path / "src", capture_output=True, text=True)

    monkeypatch.setattr(ca, "run", installed)
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "verify") == (
        0,
        "verified: acme-utils==0.1.0 installs from my-repo into a new environment\n",
        "",
    )


def test_verify_of_a_version_from_the_tag_installs_the_tags_version(ca, stub, children, capsys, pyproject):
    pyproject(project=DYNAMIC)
    children.git["describe"] = "v0.3.0\n"
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "verify") == (
        0,
        "verified: acme-utils==0.3.0 installs from my-repo into a new environment\n",
        "",
    )
    assert children.commands()[1] == verify_commands(ca, "acme-utils==0.3.0")[1]


def test_a_static_version_wins_over_the_tag(ca, stub, children, capsys):
    children.git["describe"] = "v9.9.9\n"
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "verify")[:2] == (
        0,
        "verified: acme-utils==0.1.0 installs from my-repo into a new environment\n",
    )


def test_verify_of_an_untagged_commit_is_refused_before_asking_aws(ca, stub, children, capsys, pyproject):
    pyproject(project=DYNAMIC)
    client, _ = stub
    assert run(ca, capsys, client, "verify") == (
        1,
        "",
        "error: the version comes from the git tag, and this commit has none: check out a tag\n",
    )
    assert children.commands() == [["git", "describe", "--tags", "--exact-match", "--match", "v*"]]


UNREACHABLE = """error: Request failed after 3 retries in 11.6s
  cause: Failed to fetch: {index}acme-utils/
  cause: error sending request for url ({index}acme-utils/)
  cause: client error (Connect)
  cause: tcp connect error
  cause: Connection refused (os error 111)
"""  # uv pip install (0.13.9) when nothing answers at the index


@pytest.mark.parametrize(
    ("said", "code", "why"),
    [
        (f"error: Failed to fetch {INDEX_WITH_TOKEN}acme-utils/\n  hint: a hint\n", 1,
         f"error: Failed to fetch {INDEX_WITH_TOKEN.replace(TOKEN, '****')}acme-utils/"),
        ("error: No solution found when resolving dependencies\n  cause: Because acme-utils was not found in the "
         "package registry and you require acme-utils==0.1.0, we can conclude that your requirements are "
         "unsatisfiable.\n", 1, "cause: Because acme-utils was not found in the package registry and you require "
         "acme-utils==0.1.0, we can conclude that your requirements are unsatisfiable."),
        (UNREACHABLE.format(index=INDEX_WITH_TOKEN), 7, "Connection refused (os error 111)"),
        (f"error: Failed to fetch\n  cause: HTTP status client error (401 Unauthorized) for url ({INDEX_WITH_TOKEN})",
         5, "the repository answered HTTP 401 Unauthorized"),
    ],
    ids=["fetch", "not-there", "unreachable", "refused-token"],
)  # fmt: skip
def test_a_version_that_does_not_install_is_uvs_cause_with_its_exit_code(ca, stub, children, capsys, said, code, why):
    """An unreachable repository is 7, a refused token 5, as the exit table says; the token masked."""
    children.answers["run"] = (2, "", said)
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "verify") == (
        code,
        "",
        f"error: installing acme-utils==0.1.0 from there failed: {why}\n",
    )


def test_a_signal_while_verify_installs_ends_with_the_signals_exit_code(ca, stub, children, capsys, monkeypatch):
    """SIGTERM (a cancelled CI job) during the install: 143, as the exit table says, not 1."""

    def cancelled(command: list[str], env: dict[str, str] | None = None):
        if command[1] == "run":
            ca.on_signal(signal.SIGTERM, None)
        return children.run(command, env)

    monkeypatch.setattr(ca, "run", cancelled)
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "verify") == (143, "", "error: stopped by SIGTERM\n")
