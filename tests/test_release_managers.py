"""Slow, end to end: the Poetry and pip projects publish with their own tools and install back.

Beside test_release.py (the uv project, in order on one server), so that the two run on two
workers; the same loopback CodeArtifact, a server of this module's own.
"""

from __future__ import annotations

import secrets
import sys

import pytest

from tests.support.release import User, import_version, loopback_codeartifact, simple_url
from tests.support.servers import CodeArtifactStandIn

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


@pytest.fixture(scope="module")
def codeartifact(tmp_path_factory, tools) -> CodeArtifactStandIn:
    with loopback_codeartifact(tmp_path_factory.mktemp("pypiserver"), tools, TOKEN) as stand_in:
        yield stand_in


@pytest.fixture(scope="module")
def user(codeartifact, tools, tmp_path_factory) -> User:
    return User(tools, tmp_path_factory.mktemp("home"), codeartifact.url)


@pytest.mark.parametrize("manager", ["poetry", "pip"])
def test_each_package_manager_publishes_with_its_own_tool(codeartifact, user, bake_copy, tmp_path, manager):
    """The uv project is published above; Poetry's runs the tool with pipx, pip's from its venv."""
    project = user.commit(bake_copy(**{**ANSWERS, "project_name": f"Ledger {manager}", "package_manager": manager}))
    if manager == "poetry":
        tool = ["pipx", "run", "scripts/codeartifact.py"]
    else:  # a Python with the release tool's dependencies (TestPip makes the README's own venv)
        tool = [sys.executable, "scripts/codeartifact.py"]

    published = user.run(*tool, "publish", cwd=project)
    files = [f"ledger_{manager}-1.0.0-py3-none-any.whl", f"ledger_{manager}-1.0.0.tar.gz"]
    assert codeartifact.files_of(f"ledger-{manager}") == files
    assert f"published {', '.join(files)}" in published.stdout

    python = user.install_with_token(f"ledger-{manager}==1.0.0", simple_url(codeartifact, TOKEN), tmp_path)
    assert import_version(python, f"ledger_{manager}", tmp_path) == "1.0.0"

    again = user.run(*tool, "publish", cwd=project)
    assert f"already published: ledger-{manager} 1.0.0 in python" in again.stdout
    assert codeartifact.files_of(f"ledger-{manager}") == files


def test_login_poetry_lets_poetry_publish(codeartifact, user, bake_copy, tmp_path):
    answers = {**ANSWERS, "project_name": "Ledger poetry", "package_manager": "poetry", "version": "2.0.0"}
    project = user.commit(bake_copy(**answers))
    login = user.run("pipx", "run", "scripts/codeartifact.py", "login", "--tool", "poetry", cwd=project)
    assert "auth.toml" in login.stdout
    user.run("poetry", "publish", "--build", "--repository", "codeartifact", "--no-interaction", cwd=project)
    assert "ledger_poetry-2.0.0.tar.gz" in codeartifact.files_of("ledger-poetry")
