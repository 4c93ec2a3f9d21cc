"""Slow, end to end: a login that never locks a team out.

The CodeArtifact stand-in rotates: every GetAuthorizationToken issues a new token and the
pypiserver accepts only the newest, so a token written to a file goes stale as soon as anyone
logs in again, exactly as it does when it expires. keyrings.codeartifact answers only for
CodeArtifact's host names, so pip, uv and Poetry reach the pypiserver through a loopback proxy
that serves acme-444455556666.d.codeartifact.eu-west-1.amazonaws.com; boto3, in the keyring
and in the release tool, reaches the stand-in through AWS_ENDPOINT_URL_CODEARTIFACT. Nothing
leaves 127.0.0.1, and every tool runs with a private HOME.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import pytest

from tests.support.proxy import CodeArtifactProxy
from tests.support.release import User, import_version, loopback_codeartifact
from tests.support.servers import CodeArtifactStandIn
from tests.support.tools import run

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

HOST = "acme-444455556666.d.codeartifact.eu-west-1.amazonaws.com"
ENDPOINT = f"http://{HOST}/pypi/python/"
INDEX = f"http://aws@{HOST}/pypi/python/simple/"
ANSWERS = {"project_name": "Rotating Lib", "version": "1.0.0", "aws_region": "eu-west-1",
           "codeartifact_domain": "acme", "codeartifact_domain_owner": "444455556666",
           "codeartifact_repository": "python"}  # fmt: skip


@pytest.fixture(scope="module")
def codeartifact(tmp_path_factory, tools) -> CodeArtifactStandIn:
    token = "ca-" + secrets.token_urlsafe(24)
    with loopback_codeartifact(tmp_path_factory.mktemp("pypiserver"), tools, token) as stand_in:
        stand_in.endpoint = ENDPOINT
        yield stand_in


@pytest.fixture(scope="module")
def proxy(codeartifact) -> CodeArtifactProxy:
    with CodeArtifactProxy(codeartifact.repository.url, "python") as running:
        yield running


class ProxiedUser(User):
    """A developer whose tools reach the CodeArtifact host name through the loopback proxy."""

    proxy_url: str = ""

    @property
    def env(self) -> dict[str, str]:
        env = super().env
        env.update(
            HTTP_PROXY=self.proxy_url,
            http_proxy=self.proxy_url,
            NO_PROXY="127.0.0.1,localhost",
            no_proxy="127.0.0.1,localhost",
            UV_TOOL_BIN_DIR=str(self.home / "bin"),
            UV_TOOL_DIR=str(self.home / "uv-tools"),
            PIP_TRUSTED_HOST=HOST,
            # The folder uv puts tools in is on the user's PATH (uv tool update-shell); the
            # test environment's own keyring is not the user's, as the tool runs from it.
            PATH=os.pathsep.join([str(self.home / "bin"), env["PATH"]]),
        )  # plain http on loopback: real CodeArtifact is https; fmt: skip
        del env["UV_DEFAULT_INDEX"]  # uv follows the project's index and the user's uv.toml
        return env


@pytest.fixture(scope="module")
def user(codeartifact, proxy, tools, tmp_path_factory) -> ProxiedUser:
    person = ProxiedUser(tools, tmp_path_factory.mktemp("home"), codeartifact.url)
    person.proxy_url = proxy.url
    return person


@pytest.fixture(scope="module")
def published(codeartifact, user, bake_copy) -> Path:
    project = user.commit(bake_copy(**ANSWERS))
    user.run(sys.executable, "scripts/codeartifact.py", "publish", cwd=project)
    assert sorted(codeartifact.files_of("rotating-lib")) == ["rotating_lib-1.0.0-py3-none-any.whl",
                                                            "rotating_lib-1.0.0.tar.gz"]  # fmt: skip
    return project


def tool(user: ProxiedUser, project: Path, *args: str):
    return user.run(sys.executable, "scripts/codeartifact.py", *args, cwd=project)


def rotate(codeartifact: CodeArtifactStandIn, user: ProxiedUser, project: Path) -> str:
    """Someone logs in again: a new token, and the one before no longer works."""
    before = codeartifact.token
    user.run(sys.executable, "scripts/codeartifact.py", "url", cwd=project, keep=False)
    codeartifact.get_authorization_token({})
    assert codeartifact.token != before
    return before


def no_token_in_home(user: ProxiedUser, codeartifact: CodeArtifactStandIn) -> list[Path]:
    tokens = [token.encode() for token in codeartifact.issued]
    return [path for path in user.home.rglob("*") if path.is_file() and any(t in path.read_bytes() for t in tokens)]


def test_a_token_file_login_goes_stale_on_rotation(codeartifact, user, published, tmp_path):
    """The control: what the keyring saves a team from."""
    codeartifact.rotate = True
    tool(user, published, "login", "--tool", "pip")
    rotate(codeartifact, user, published)
    python = user.fresh_venv(tmp_path / "venv")
    stale = user.run(python, "-m", "pip", "install", "rotating-lib==1.0.0", cwd=tmp_path, check=False, keep=False)
    assert stale.returncode != 0
    assert "No matching distribution found for rotating-lib==1.0.0" in stale.stderr


def test_pip_through_the_keyring_installs_after_a_rotation(codeartifact, user, published, proxy, tmp_path):
    codeartifact.rotate = True
    login = tool(user, published, "login", "--tool", "pip", "--keyring")
    assert "through the keyring" in login.stdout
    conf = (user.home / ".config" / "pip" / "pip.conf").read_text()
    assert f"index-url = {INDEX}" in conf and "keyring-provider = subprocess" in conf
    rotate(codeartifact, user, published)
    python = user.fresh_venv(tmp_path / "venv")
    user.run(python, "-m", "pip", "install", "rotating-lib==1.0.0", cwd=tmp_path)
    assert import_version(python, "rotating_lib", tmp_path) == "1.0.0"
    assert HOST in proxy.hosts
    assert no_token_in_home(user, codeartifact) == []


def test_uv_through_the_keyring_installs_after_a_rotation(codeartifact, user, published, tmp_path):
    codeartifact.rotate = True
    tool(user, published, "login", "--tool", "uv", "--keyring")
    assert 'keyring-provider = "subprocess"' in (user.home / ".config" / "uv" / "uv.toml").read_text()
    rotate(codeartifact, user, published)
    python = user.fresh_venv(tmp_path / "venv")
    user.run(user.tools.uv_bin, "pip", "install", "--python", python, "--default-index", INDEX,
             "rotating-lib==1.0.0", cwd=tmp_path)  # fmt: skip
    assert import_version(python, "rotating_lib", tmp_path) == "1.0.0"
    assert no_token_in_home(user, codeartifact) == []


def consumer_project(tmp_path: Path, index: str) -> Path:
    """A project that depends on the published package, finding it through ``index`` (TOML)."""
    consumer = tmp_path / "consumer"
    consumer.mkdir()
    (consumer / "pyproject.toml").write_text(
        '[project]\nname = "consumer"\nversion = "0"\nrequires-python = ">=3.11"\n'
        f'dependencies = ["rotating-lib==1.0.0"]\n\n{index}'
    )
    return consumer


def test_a_uv_project_locks_and_syncs_through_the_keyring(codeartifact, user, published, tmp_path):
    """A consumer project with the index README.md gives: no credentials end in uv.lock."""
    codeartifact.rotate = True
    tool(user, published, "login", "--tool", "uv", "--keyring")
    index = f'[[tool.uv.index]]\nname = "codeartifact"\nurl = "{INDEX}"\ndefault = true\n'
    consumer = consumer_project(tmp_path, index)
    rotate(codeartifact, user, published)
    user.run(user.tools.uv_bin, "sync", "--no-install-project", cwd=consumer)
    lock = (consumer / "uv.lock").read_text()
    assert "rotating-lib" in lock and not [t for t in codeartifact.issued if t in lock]


def test_poetry_through_the_keyring_installs_after_a_rotation(codeartifact, user, published, tmp_path):
    codeartifact.rotate = True
    login = tool(user, published, "login", "--tool", "poetry", "--keyring")
    assert "keyrings.codeartifact in Poetry's environment" in login.stdout
    consumer = consumer_project(
        tmp_path,
        "[tool.poetry]\npackage-mode = false\n\n"
        f'[[tool.poetry.source]]\nname = "codeartifact"\nurl = "{ENDPOINT}simple/"\npriority = "primary"\n',
    )
    rotate(codeartifact, user, published)
    env_bin = Path(sys.executable).parent
    # A cache of its own: the package's bytes change with each run's commit time, and Poetry
    # keys its artifact cache by URL.
    env = {**user.env, "POETRY_CACHE_DIR": str(tmp_path / "poetry-cache")}
    run(env_bin / "poetry", "install", "--no-interaction", cwd=consumer, env=env)
    assert no_token_in_home(user, codeartifact) == []


def test_the_release_tool_starts_whatever_token_the_settings_hold(codeartifact, user, published, tmp_path):
    """An expired token in pip.conf and in the environment, and a fresh uv cache: uv runs the
    tool from its lock, straight from PyPI's files."""
    stale = f"http://aws:expired@{HOST}/pypi/python/simple/"
    (user.home / ".config" / "pip").mkdir(parents=True, exist_ok=True)
    (user.home / ".config" / "pip" / "pip.conf").write_text(f"[global]\nindex-url = {stale}\n")
    env = {**user.env, "PIP_INDEX_URL": stale, "UV_DEFAULT_INDEX": stale, "UV_CACHE_DIR": str(tmp_path / "uv-cache")}

    started = run(user.tools.uv_bin, "run", "scripts/codeartifact.py", "--help", cwd=published, env=env)
    assert "exit codes:" in started.stdout
    assert os.listdir(tmp_path / "uv-cache")  # it really installed, from the lock


def test_the_locked_requirements_install_whatever_index_pip_is_set_to(user, bake_copy, tmp_path):
    """The pip projects' (and the Poetry release job's) install of the release tool names its
    index: an expired token in pip.conf and in PIP_INDEX_URL cannot stop it."""
    from tests.conftest import MANAGERS

    project = bake_copy(**{**ANSWERS, "package_manager": "pip"})

    stale = f"http://aws:expired@{HOST}/pypi/python/simple/"
    (user.home / ".config" / "pip").mkdir(parents=True, exist_ok=True)
    (user.home / ".config" / "pip" / "pip.conf").write_text(f"[global]\nindex-url = {stale}\n")
    python = user.fresh_venv(tmp_path / "venv")
    install = MANAGERS["pip"]["release_setup"].replace("python ", f"{python} ", 1).split()
    planned = run(*install, "--dry-run", cwd=project, env={**user.env, "PIP_INDEX_URL": stale})
    assert "Would install " in planned.stdout and " boto3-" in planned.stdout
