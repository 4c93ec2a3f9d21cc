"""Slow, end to end: a baked project publishes to a loopback CodeArtifact and installs back.

The CodeArtifact control plane is a local stand-in reached through
AWS_ENDPOINT_URL_CODEARTIFACT with dummy AWS credentials; the repository it names is a real
pypiserver that needs user ``aws`` and the issued token. Every command runs as a user would
type it (``uv run scripts/codeartifact.py …``) with a temporary HOME, so nothing of the
developer's is read or touched. The tests of this module share one server and run in order.
"""

from __future__ import annotations

import secrets
import shutil
import stat
import subprocess
import sys
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
def published(user, project) -> subprocess.CompletedProcess[str]:
    return user.script(project, "publish")


def test_publish_uploads_the_sdist_and_the_wheel(published, codeartifact):
    assert "git" not in published.stdout  # the committed tree passed the clean-tree check
    assert codeartifact.files_of("ledger-tools") == FIRST_FILES
    assert "published ledger_tools-1.0.0-py3-none-any.whl, ledger_tools-1.0.0.tar.gz" in published.stdout
    assert (
        published.stdout.splitlines()[-1] == "check that it installs from there: uv run scripts/codeartifact.py verify"
    )


def test_verify_installs_the_published_version_back(published, user, project):
    """The command publish prints last, run as printed: the newcomer's fifth and last command."""
    verified = user.script(project, *published.stdout.splitlines()[-1].split("uv run scripts/codeartifact.py ")[1:])
    assert verified.stdout == "verified: ledger-tools==1.0.0 installs from python into a new environment\n"


def test_the_first_publish_claims_the_name_against_the_upstream(published, codeartifact):
    claims = [query for operation, query in codeartifact.calls if operation == "put_package_origin_configuration"]
    assert claims == [
        {
            "domain": "acme",
            "domain-owner": "444455556666",
            "repository": "python",
            "format": "pypi",
            "package": "ledger-tools",
        }
    ]
    assert "claimed ledger-tools: publish=ALLOW, upstream=BLOCK" in published.stdout


def test_the_published_package_installs_into_a_fresh_venv(published, codeartifact, user, tmp_path):
    python = user.install_with_token("ledger-tools==1.0.0", simple_url(codeartifact, TOKEN), tmp_path)
    assert import_version(python, "ledger_tools", tmp_path) == "1.0.0"


def test_publishing_the_same_commit_again_is_green_and_uploads_nothing(published, codeartifact, user, project):
    """The same commit builds the same bytes, so a re-run release job finds its files in."""
    calls_before = len(codeartifact.calls)
    again = user.script(project, "publish")
    assert (
        again.stdout.splitlines()[-1]
        == f"already published: ledger-tools 1.0.0 in python has {', '.join(FIRST_FILES)}, same SHA-256"
    )
    assert codeartifact.files_of("ledger-tools") == FIRST_FILES
    assert codeartifact.operations()[calls_before:] == [
        "get_authorization_token",
        "get_repository_endpoint",
        "list_package_version_assets",
    ]


def test_a_wrong_token_gives_a_clear_error_and_uploads_nothing(published, codeartifact, user, next_version):
    codeartifact.token = "expired-" + secrets.token_urlsafe(16)
    try:
        refused = user.script(next_version, "publish", check=False)
    finally:
        codeartifact.token = TOKEN
    assert refused.returncode == 5
    assert "the repository refused the upload (HTTP 403): the token has expired" in refused.stderr
    assert codeartifact.files_of("ledger-tools") == FIRST_FILES


def test_login_twine_writes_a_pypirc_that_twine_uploads_with(published, codeartifact, user, next_version, tmp_path):
    login = user.script(next_version, "login", "--tool", "twine")
    pypirc = user.home / ".pypirc"
    assert f"wrote {pypirc}" in login.stdout
    assert stat.S_IMODE(pypirc.stat().st_mode) == 0o600
    user.run(user.tools.uv_bin, "build", "--out-dir", tmp_path / "dist", cwd=next_version)
    dists = sorted(map(str, (tmp_path / "dist").glob("ledger_tools-*")))
    user.run(sys.executable, "-m", "twine", "upload", "--non-interactive", "--repository", "codeartifact", *dists,
             cwd=tmp_path)  # fmt: skip
    assert "ledger_tools-1.1.0.tar.gz" in codeartifact.files_of("ledger-tools")


def test_login_pip_lets_pip_install_the_package(published, user, project, tmp_path):
    login = user.script(project, "login", "--tool", "pip")
    assert "wrote " in login.stdout and "pip.conf" in login.stdout
    python = user.fresh_venv(tmp_path / "venv")
    user.run(python, "-m", "pip", "install", "ledger-tools==1.0.0", cwd=tmp_path)
    assert import_version(python, "ledger_tools", tmp_path) == "1.0.0"


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


def test_login_uv_stores_credentials_uv_then_uses(published, codeartifact, user, project, tmp_path):
    user.script(project, "login", "--tool", "uv")
    python = user.fresh_venv(tmp_path / "venv")
    user.run(user.tools.uv_bin, "pip", "install", "--python", python, "--default-index", simple_url(codeartifact),
             "ledger-tools==1.0.0", cwd=tmp_path)  # fmt: skip
    assert import_version(python, "ledger_tools", tmp_path) == "1.0.0"


def test_env_prints_the_token_and_nothing_else_does(published, user, project):
    """Last in the module: every output captured above is checked."""
    exported = run(user.tools.uv_bin, "run", "scripts/codeartifact.py", "env", cwd=project, env=user.env).stdout
    assert f"export TWINE_PASSWORD={TOKEN}" in exported.splitlines()
    assert user.outputs, "no output was captured"
    assert not [output for output in user.outputs if TOKEN in output]
    files = [path for path in project.rglob("*") if path.is_file() and ".git" not in path.parts]
    assert files and not [path for path in files if TOKEN.encode() in path.read_bytes()]
