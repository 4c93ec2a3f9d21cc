"""Slow, end to end: a baked uv project publishes to a loopback CodeArtifact and installs back.

The CodeArtifact control plane is a local stand-in reached through
AWS_ENDPOINT_URL_CODEARTIFACT with dummy AWS credentials; the repository it names is a real
pypiserver that needs user ``aws`` and the issued token, which ``uv publish`` (the release
tool's one uploader) sends. Every command runs as a user would type it (``uv run
scripts/codeartifact.py …``) with a temporary HOME, so nothing of the developer's is read or
touched. The tests of this module share one server and run in order. The Poetry and pip
projects are in test_release_managers.py, the logins in test_keyring.py.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
import tomllib

from tests.support.release import User, import_version, loopback_codeartifact, simple_url
from tests.support.servers import CodeArtifactStandIn
from tests.support.tools import run

pytestmark = pytest.mark.slow

TOKEN = "ca-" + secrets.token_urlsafe(32)
ANSWERS = {
    "project_name": "Ledger Tools",
    "version": "1.0.0",
    "aws_region": "eu-west-1",
    "codeartifact_domain": "acme",
    "codeartifact_domain_owner": "444455556666",
    "codeartifact_repository": "python",
}
FIRST_FILES = ["ledger_tools-1.0.0-py3-none-any.whl", "ledger_tools-1.0.0.tar.gz"]
NEXT_FILES = ["ledger_tools-1.1.0-py3-none-any.whl", "ledger_tools-1.1.0.tar.gz"]
# The three calls of a publish: a token, the repository's endpoint, and the version's files.
CALLS = ["get_authorization_token", "get_repository_endpoint", "list_package_version_assets"]


@pytest.fixture(scope="module")
def codeartifact(tmp_path_factory, tools) -> CodeArtifactStandIn:
    with loopback_codeartifact(tmp_path_factory.mktemp("pypiserver"), tools, TOKEN) as stand_in:
        yield stand_in


@pytest.fixture(scope="module")
def user(codeartifact, tools, tmp_path_factory) -> User:
    return User(tools, tmp_path_factory.mktemp("home"), codeartifact.url)


@pytest.fixture(scope="module")
def project(bake_copy, user) -> Path:
    return user.commit(bake_copy(**ANSWERS))


@pytest.fixture(scope="module")
def next_version(bake_copy, user) -> Path:
    """The same package at 1.1.0, not yet published."""
    return user.commit(bake_copy(**{**ANSWERS, "version": "1.1.0"}))


@pytest.fixture(scope="module")
def published(user, project, codeartifact) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """The first publish, and the calls it made to CodeArtifact."""
    before = len(codeartifact.calls)
    proc = user.script(project, "publish")
    return proc, codeartifact.operations()[before:]


def stored(codeartifact: CodeArtifactStandIn) -> dict[str, tuple[int, bytes]]:
    """The repository's files: name -> (modification time, bytes)."""
    return {
        path.name: (path.stat().st_mtime_ns, path.read_bytes())
        for path in codeartifact.repository.packages.iterdir()
        if path.name.startswith("ledger_tools-")
    }


def test_publish_uploads_the_sdist_and_the_wheel_and_prints_how_to_check(published, codeartifact):
    proc, _ = published
    assert proc.stdout.splitlines() == [
        f"uploaded {FIRST_FILES[0]}",
        f"uploaded {FIRST_FILES[1]}",
        "published ledger-tools 1.0.0 in python",
        "check that it installs from there: uv run scripts/codeartifact.py verify",
    ]
    assert codeartifact.files_of("ledger-tools") == FIRST_FILES


def test_publish_makes_three_calls_to_codeartifact_and_claims_nothing(published):
    """No PutPackageOriginConfiguration, nor any other call: the package group of
    infra/codeartifact.yaml sets the origin controls, not the release tool."""
    _, calls = published
    assert calls == CALLS


def test_verify_as_printed_installs_the_version_back_with_none_of_the_users_settings(published, user, project):
    """The command publish prints last, run as printed, while the user's uv is set to use no
    index and no network, in uv.toml and in the environment (``uv run`` starts the tool from its
    cached environment all the same): verify reads none of it."""
    printed = published[0].stdout.splitlines()[-1].removeprefix("check that it installs from there: ")
    uv_toml = user.home / ".config" / "uv" / "uv.toml"
    uv_toml.parent.mkdir(parents=True, exist_ok=True)
    uv_toml.write_text("offline = true\nno-index = true\n", encoding="utf-8")
    try:
        verified = user.shell(project, printed, UV_OFFLINE="1", UV_NO_INDEX="1", PIP_NO_INDEX="1")
    finally:
        uv_toml.unlink()
    assert verified.stdout == "verified: ledger-tools==1.0.0 installs from python into a new environment\n"


def test_the_published_package_installs_into_a_fresh_venv_with_pip(published, codeartifact, user, tmp_path):
    python = user.install_with_token("ledger-tools==1.0.0", simple_url(codeartifact, TOKEN), tmp_path)
    assert import_version(python, "ledger_tools", tmp_path) == "1.0.0"


def test_publishing_the_same_commit_again_is_green_and_uploads_nothing(published, codeartifact, user, project):
    """The same commit builds the same bytes, so a re-run release job finds its files in, after
    the same three calls and no upload (pypiserver would refuse one: it overwrites nothing)."""
    files = stored(codeartifact)
    calls_before = len(codeartifact.calls)
    again = user.script(project, "publish")
    assert again.stdout == "already published: ledger-tools 1.0.0 in python\n"
    assert codeartifact.operations()[calls_before:] == CALLS
    assert stored(codeartifact) == files


def test_a_wrong_token_is_refused_with_exit_5_and_uploads_nothing(published, codeartifact, user, next_version):
    files = stored(codeartifact)
    codeartifact.token = "expired-" + secrets.token_urlsafe(16)
    try:
        refused = user.script(next_version, "publish", check=False)
    finally:
        codeartifact.token = TOKEN
    assert refused.returncode == 5, refused.stderr
    assert refused.stdout == ""
    assert refused.stderr.splitlines()[-1] == (
        f"error: uploading {NEXT_FILES[0]} failed: the repository answered HTTP 403 Forbidden; in the repository: "
        f"none; not yet: {', '.join(NEXT_FILES)}; finish with: uv run scripts/codeartifact.py publish"
    )
    assert "Traceback" not in refused.stderr and len(refused.stderr.splitlines()) <= 3
    assert stored(codeartifact) == files


def test_env_output_gives_uv_the_credentials_of_the_projects_index(published, codeartifact, user, project, tmp_path):
    """The project's index, moved to the loopback repository in this copy: env exports only
    its credentials (tests/test_first_day.py shows uv add and lock keep the index as it is)."""
    consumer = Path(shutil.copytree(project, tmp_path / "consumer"))
    pyproject = consumer / "pyproject.toml"
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["uv"]["index"][0]["url"]
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace(declared, simple_url(codeartifact)))
    python = user.fresh_venv(tmp_path / "venv")
    command = f'eval "$({user.tools.uv_bin} run scripts/codeartifact.py env --tool uv)" && ' \
              f"{user.tools.uv_bin} pip install --python {python} ledger-tools==1.0.0"  # fmt: skip
    env = {name: value for name, value in user.env.items() if name != "UV_DEFAULT_INDEX"}  # the project's only
    run("bash", "-c", command, cwd=consumer, env=env)
    assert import_version(python, "ledger_tools", tmp_path) == "1.0.0"
    # without the eval, the same install finds no credentials: the line above gave them
    refused = run(user.tools.uv_bin, "pip", "install", "--python", python, "--reinstall", "--no-cache",
                  "ledger-tools==1.0.0", cwd=consumer, env=env, check=False)  # fmt: skip
    assert refused.returncode != 0 and "lack of valid authentication credentials (401 Unauthorized)" in refused.stderr


def test_env_prints_the_token_and_nothing_else_does(published, user, project):
    """Last in the module: every output captured above is checked, and every file of the
    project and of the user's HOME."""
    exported = run(user.tools.uv_bin, "run", "scripts/codeartifact.py", "env", "--tool", "uv", cwd=project,
                   env=user.env).stdout  # fmt: skip
    assert exported.splitlines() == [
        "export UV_INDEX_CODEARTIFACT_USERNAME=aws",
        f"export UV_INDEX_CODEARTIFACT_PASSWORD={TOKEN}",
    ]
    assert len(user.outputs) >= 10, "the outputs of the tests above were not captured"
    assert not [output for output in user.outputs if TOKEN in output]
    files = [path for folder in (project, user.home) for path in folder.rglob("*") if path.is_file()]
    assert files and not [path for path in files if TOKEN.encode() in path.read_bytes()]
