"""Slow, end to end: a login that never locks anyone out.

``login`` stores no token: it gives uv, pip or Poetry the keyring backend keyrings.codeartifact,
which asks CodeArtifact for a fresh token each time the tool needs one. The CodeArtifact is
tests/support/codeartifact_host.py: its real host names over HTTPS through a loopback proxy,
401 with a challenge for missing or wrong credentials, and PyPI behind it as its upstream.
Once the package is published, the stand-in rotates: every token it issues replaces the one
before, which the repository then refuses, as it refuses an expired one. After each login, the
tool installs the package after such a rotation, as README.md's "Install" says. Every tool runs
with a private HOME and a PATH of the system's programs and ``~/.local/bin`` only (where uv,
pipx and Poetry are, as their installers leave them), so the keyring is the one login gives.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from base64 import b64encode
from pathlib import Path

import pytest

from tests.conftest import MANAGERS
from tests.support.codeartifact_host import LoopbackCodeArtifact, loopback_codeartifact_host
from tests.support.release import User, import_version
from tests.support.tools import BIN, run

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

ANSWERS = {"project_name": "Rotating Lib", "version": "1.0.0"}  # the loopback account's domain and repository
HOST = "my-domain-111122223333.d.codeartifact.us-east-1.amazonaws.com"
INDEX = f"https://{HOST}/pypi/my-repo/simple/"
FILES = ["rotating_lib-1.0.0-py3-none-any.whl", "rotating_lib-1.0.0.tar.gz"]
FIRST_TOKEN = "ca-" + secrets.token_urlsafe(24)  # the one the stand-in issues before it rotates
LOGGED_IN = "logged {} in to my-repo through the keyring: it fetches a fresh token on every use, and none is stored"


@pytest.fixture(scope="module")
def codeartifact(tmp_path_factory) -> LoopbackCodeArtifact:
    with loopback_codeartifact_host(tmp_path_factory.mktemp("codeartifact"), FIRST_TOKEN) as running:
        yield running
    assert running.proxy.refused == []  # nothing tried to reach real AWS


class KeyringUser(User):
    """A developer who reaches the loopback CodeArtifact as the real one, with no package index
    set: uv, pip and Poetry read the project's, README.md's or the login's."""

    codeartifact: LoopbackCodeArtifact | None = None

    @property
    def env(self) -> dict[str, str]:
        env = super().env
        for name in ("AWS_ENDPOINT_URL_CODEARTIFACT", "UV_DEFAULT_INDEX"):
            del env[name]
        assert self.codeartifact is not None
        env.update(
            self.codeartifact.client_environment,
            AWS_CONFIG_FILE=str(self.home / ".aws" / "config"),
            AWS_SHARED_CREDENTIALS_FILE=str(self.home / ".aws" / "credentials"),
            PATH=os.pathsep.join([str(self.bin), "/usr/bin", "/bin"]),
        )
        return env

    @property
    def bin(self) -> Path:
        return self.home / ".local" / "bin"

    def put_on_path(self, program: Path | str) -> None:
        """``program`` in ~/.local/bin, where its installer (uv's, pipx) would put it."""
        self.bin.mkdir(parents=True, exist_ok=True)
        link = self.bin / Path(program).name
        if not link.exists():
            link.symlink_to(program)


@pytest.fixture(scope="module")
def user(codeartifact, tools, tmp_path_factory) -> KeyringUser:
    person = KeyringUser(tools, tmp_path_factory.mktemp("home"), "")
    person.codeartifact = codeartifact
    person.put_on_path(tools.uv_bin)
    person.put_on_path(BIN / "pipx")
    return person


@pytest.fixture(scope="module")
def published(codeartifact, user, bake_copy) -> Path:
    """The uv project, published as its README says, before any rotation."""
    project = user.commit(bake_copy(**ANSWERS))
    user.shell(project, f"{MANAGERS['uv']['tool']} publish")
    assert codeartifact.uploaded() == FILES
    codeartifact.api.rotate = True
    return project


def basic(token: str) -> str:
    return "Basic " + b64encode(f"aws:{token}".encode()).decode()


def rotate(codeartifact: LoopbackCodeArtifact) -> None:
    """Someone gets a token: a new one, and the repository refuses the one before."""
    before = codeartifact.api.token
    codeartifact.api.get_authorization_token({})
    assert codeartifact.repository.authorized(basic(codeartifact.api.token))
    assert not codeartifact.repository.authorized(basic(before))


def tokens_asked(codeartifact: LoopbackCodeArtifact) -> int:
    return codeartifact.api.operations().count("get_authorization_token")


def issued(codeartifact: LoopbackCodeArtifact) -> list[str]:
    """Every token the stand-in has handed out."""
    return [FIRST_TOKEN, *codeartifact.api.issued]


def tokens_in(codeartifact: LoopbackCodeArtifact, *places: Path) -> list[Path]:
    """The files in or under ``places`` that hold a token the stand-in issued."""
    files = [path for place in places for path in (place, *place.rglob("*")) if path.is_file()]
    tokens = [token.encode() for token in issued(codeartifact)]
    return [path for path in files if not path.is_symlink() and any(token in path.read_bytes() for token in tokens)]


def install_blocks(project: Path) -> list[str]:
    """The code blocks of the baked README.md's "## Install" section, in order."""
    readme = project.joinpath("README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Install\n", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"```(?:toml|sh)\n(.*?)\n```", section, flags=re.DOTALL)


def imported_version(python: Path) -> str:
    return import_version(python, "rotating_lib", python.parent)


def consumer(tmp_path: Path, extra: str = "") -> Path:
    """A project that will depend on the published package."""
    folder = tmp_path / "consumer"
    folder.mkdir()
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "consumer"\nversion = "0"\nrequires-python = ">=3.11"\ndependencies = []\n{extra}',
        encoding="utf-8",
    )
    return folder


def test_uv_asks_the_keyring_and_installs_after_a_rotation(codeartifact, user, published, tmp_path):
    """`login --tool uv` installs the keyring command with the backend; README.md's index for
    another uv project, then its `uv add`, after a rotation."""
    assert shutil.which("keyring", path=user.env["PATH"]) is None  # the user has none yet
    login = user.shell(published, f"{MANAGERS['uv']['tool']} login --tool uv")
    assert login.stdout.splitlines() == [
        f"installed {user.bin / 'keyring'} with keyrings.codeartifact",
        f"keyrings.codeartifact reads {user.home}/.config/python_keyring/keyringrc.cfg",
        LOGGED_IN.format("uv"),
    ]
    assert shutil.which("keyring", path=user.env["PATH"]) == str(user.bin / "keyring")
    toml, uv_add, *_ = install_blocks(published)
    project = consumer(tmp_path, "\n" + toml + "\n")
    rotate(codeartifact)
    asked = tokens_asked(codeartifact)

    user.shell(project, uv_add)
    assert tokens_asked(codeartifact) > asked  # the keyring asked for the new token
    lock = (project / "uv.lock").read_text(encoding="utf-8")
    assert re.search(r'name = "rotating-lib"\nversion = "1.0.0"\nsource = \{ registry = "https://(aws@)?' + HOST, lock)
    assert imported_version(project / ".venv" / "bin" / "python") == "1.0.0"
    assert tokens_in(codeartifact, user.home, project) == []


@pytest.fixture(scope="module")
def pip_logged_in(codeartifact, user, bake_copy, tools) -> tuple[Path, Path]:
    """A pip project's .venv with the release tool's locked dependencies (README.md's setup, made
    with uv for speed), logged in with `python scripts/codeartifact.py login --tool pip` from
    the activated environment: (the project, its Python)."""
    project = user.commit(bake_copy(**ANSWERS, package_manager="pip"))
    python = tools.venv(project / ".venv")
    tools.uv("pip", "install", "--python", python, "--require-hashes", "-r", "scripts/requirements.txt", cwd=project)
    login = activated(user, project, f"{MANAGERS['pip']['tool']} login --tool pip")
    assert login.stdout.splitlines() == [
        f"installed keyring with keyrings.codeartifact; the pip of {project / '.venv'} reads {INDEX}",
        f"keyrings.codeartifact reads {user.home}/.config/python_keyring/keyringrc.cfg",
        LOGGED_IN.format("pip"),
    ]
    return project, python


def activated(user: KeyringUser, project: Path, command: str, check: bool = True):
    """``command`` in the project's activated virtual environment."""
    venv = project / ".venv"
    path = os.pathsep.join([str(venv / "bin"), user.env["PATH"]])
    return user.shell(project, command, check=check, VIRTUAL_ENV=str(venv), PATH=path)


def test_pip_reads_the_index_and_the_keyring_that_login_set(pip_logged_in):
    """pip's own settings, in the environment's own pip.conf: the index with no user or token."""
    project, _ = pip_logged_in
    conf = (project / ".venv" / "pip.conf").read_text(encoding="utf-8")
    assert conf.split() == ["[global]", "keyring-provider", "=", "import", "index-url", "=", INDEX]


def test_pip_asks_the_keyring_and_installs_after_a_rotation(codeartifact, user, published, pip_logged_in):
    project, python = pip_logged_in
    rotate(codeartifact)
    asked = tokens_asked(codeartifact)
    activated(user, project, "python -m pip install rotating-lib==1.0.0")
    assert tokens_asked(codeartifact) > asked
    assert imported_version(python) == "1.0.0"
    downloads = [path for method, path, status in codeartifact.repository.requests if (method, status) == ("GET", 200)]
    assert any(path.endswith(FILES[0]) for path in downloads)
    assert tokens_in(codeartifact, user.home, project / ".venv" / "pip.conf") == []


def test_the_locked_requirements_install_from_whatever_index_pip_is_set_to(
    codeartifact, user, published, pip_logged_in
):
    """The release tool's locked requirements name no index: README.md's install of them, in
    an environment whose pip is set to CodeArtifact, resolves every one from there (its
    upstream), through the keyring, after a rotation."""
    project, _ = pip_logged_in
    rotate(codeartifact)
    seen = len(codeartifact.repository.requests)
    install = MANAGERS["pip"]["release_setup"]
    planned = activated(user, project, f"{install} --dry-run --ignore-installed")
    locked = re.findall(r"^([a-z0-9-]+)==(\S+) ", project.joinpath("scripts/requirements.txt").read_text(), re.M)
    assert locked and all(f" {name}-{version}" in planned.stdout for name, version in locked), planned.stdout
    pages = {path for _, path, status in codeartifact.repository.requests[seen:] if status == 200}
    assert {f"/pypi/my-repo/simple/{name}/" for name, _ in locked} <= pages


def test_poetry_asks_the_keyring_and_installs_after_a_rotation(
    codeartifact, user, published, bake_copy, tools, tmp_path
):
    """A Poetry of the user's own, in a virtual environment where pipx would put it (`poetry self
    add` changes the environment Poetry runs in, which is not the test suite's), `login --tool
    poetry` with `pipx run`, then README.md's `poetry source add` and `poetry add` in another
    project, after a rotation."""
    version = MANAGERS["poetry"]["install"]["poetry"].rsplit("==", 1)[1]
    poetry_venv = user.home / ".local" / "share" / "pipx" / "venvs" / "poetry"
    poetry_venv.parent.mkdir(parents=True)
    python = tools.venv(poetry_venv)
    tools.uv("pip", "install", "--python", python, f"poetry=={version}", cwd=poetry_venv.parent)
    user.put_on_path(poetry_venv / "bin" / "poetry")
    project = user.commit(bake_copy(**ANSWERS, package_manager="poetry"))

    login = user.shell(project, f"{MANAGERS['poetry']['tool']} login --tool poetry")
    assert login.stdout.splitlines() == [
        "keyrings.codeartifact is in Poetry's environment",
        f"keyrings.codeartifact reads {user.home}/.config/python_keyring/keyringrc.cfg",
        LOGGED_IN.format("poetry"),
    ]
    run(python, "-c", "import keyrings.codeartifact", cwd=tmp_path, env={})  # where Poetry looks for it
    _, _, poetry_lines, *_ = install_blocks(project)
    other = consumer(tmp_path, "\n[tool.poetry]\npackage-mode = false\n")
    rotate(codeartifact)
    asked = tokens_asked(codeartifact)

    # A cache of its own: the package's bytes change with each run's commit time, and Poetry
    # keys its artifact cache by URL.
    user.shell(other, poetry_lines, POETRY_CACHE_DIR=str(tmp_path / "poetry-cache"))
    assert tokens_asked(codeartifact) > asked
    lock = (other / "poetry.lock").read_text(encoding="utf-8")
    assert '[[package]]\nname = "rotating-lib"\nversion = "1.0.0"' in lock
    assert imported_version(other / ".venv" / "bin" / "python") == "1.0.0"
    assert tokens_in(codeartifact, user.home, other) == []


@pytest.fixture
def newcomer(codeartifact, tools, tmp_path) -> KeyringUser:
    """Another developer, on a machine of their own, with uv and pipx where their installers put them."""
    person = KeyringUser(tools, tmp_path / "home", "")
    person.home.mkdir()
    person.codeartifact = codeartifact
    person.put_on_path(tools.uv_bin)
    person.put_on_path(BIN / "pipx")
    return person


def test_uv_login_keeps_the_plugins_of_the_users_keyring_tool(newcomer, published):
    """A uv `keyring` tool with another plugin (keyrings.alt here; Google's or Azure's in
    practice): `login` installs it again with that plugin and ours, where `uv tool install
    keyring --with keyrings.codeartifact` alone would drop it."""
    newcomer.shell(published, "uv tool install -q keyring --with keyrings.alt")
    login = newcomer.shell(published, f"{MANAGERS['uv']['tool']} login --tool uv")
    assert login.stdout.splitlines()[0] == f"installed {newcomer.bin / 'keyring'} with keyrings.codeartifact"
    backends = newcomer.shell(published, "keyring --list-backends").stdout
    assert "keyrings.alt" in backends and "keyrings.codeartifact.CodeArtifactBackend" in backends
    listed = newcomer.shell(published, "uv tool list --show-with").stdout
    assert re.search(r"^keyring v\S+ \[with: keyrings-alt, keyrings-codeartifact, botocore\]$", listed, re.M), listed


@pytest.mark.weekly  # every change: the first day's Poetry finds the backend in pipx's injected packages
def test_poetry_of_pipx_keeps_the_backend_through_a_reinstall(newcomer, published, bake_copy, tmp_path):
    """Poetry installed as README.md says (`pipx install poetry==…`), in a pipx home of the
    newcomer's own: `login` injects the backend with pipx, which `pipx reinstall poetry` keeps,
    and says it is there only when Poetry's own Python imports it (`poetry self add` would not
    survive the reinstall, python-poetry/poetry#8618)."""
    pipx = {"PIPX_HOME": str(newcomer.home / "pipx")}
    newcomer.shell(tmp_path, MANAGERS["poetry"]["install"]["poetry"], **pipx)
    project = newcomer.commit(bake_copy(**ANSWERS, package_manager="poetry"))
    login = f"{MANAGERS['poetry']['tool']} login --tool poetry"
    said = "keyrings.codeartifact is in Poetry's environment"
    assert newcomer.shell(project, login, **pipx).stdout.splitlines()[0] == said
    venv = newcomer.home / "pipx" / "venvs" / "poetry"
    injected = json.loads((venv / "pipx_metadata.json").read_text())["injected_packages"]
    assert {"keyrings-codeartifact", "botocore"} <= {re.sub(r"[-_.]+", "-", name) for name in injected}, injected
    newcomer.shell(tmp_path, "pipx reinstall poetry", **pipx)
    run(venv / "bin" / "python", "-c", "import keyrings.codeartifact, awscrt", cwd=tmp_path, env={})
    assert newcomer.shell(project, login, **pipx).stdout.splitlines()[0] == said


def test_publish_with_a_token_the_repository_refuses_ends_in_exit_5(codeartifact, user, published):
    """CodeArtifact answers an expired token with 401 (pypiserver, in test_release.py, with
    403): exit 5, and nothing uploaded. The sdist is taken out first, so there is one to upload."""
    sdist = codeartifact.api.repository.packages / FILES[1]
    kept = sdist.read_bytes()
    sdist.unlink()
    codeartifact.api.rotate = False
    codeartifact.api.token = "expired-" + secrets.token_urlsafe(16)
    try:
        refused = user.shell(published, f"{MANAGERS['uv']['tool']} publish", check=False)
    finally:
        codeartifact.api.token = codeartifact.api.repository.token
        codeartifact.api.rotate = True
    assert refused.returncode == 5, refused.stderr
    assert refused.stderr.splitlines()[-1] == (
        f"error: uploading {FILES[1]} failed: the repository answered HTTP 401 Unauthorized; in the repository: "
        f"{FILES[0]}; not yet: {FILES[1]}; finish with: uv run scripts/codeartifact.py publish"
    )
    assert codeartifact.uploaded() == FILES[:1]
    sdist.write_bytes(kept)


def test_the_release_tool_starts_whatever_token_the_settings_hold(user, published, tmp_path):
    """An expired token in pip.conf and in the environment, no keyring, and a fresh uv cache:
    uv runs the tool from its lock, straight from PyPI's files."""
    stale = f"https://aws:expired@{HOST}/pypi/my-repo/simple/"
    (tmp_path / "pip.conf").write_text(f"[global]\nindex-url = {stale}\n", encoding="utf-8")
    env = {"PIP_CONFIG_FILE": str(tmp_path / "pip.conf"), "PIP_INDEX_URL": stale, "UV_DEFAULT_INDEX": stale,
           "UV_CACHE_DIR": str(tmp_path / "uv-cache"), "PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin"}  # fmt: skip
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "uv").symlink_to(user.tools.uv_bin)
    started = user.shell(published, f"{MANAGERS['uv']['tool']} --help", **env)
    assert "exit codes:" in started.stdout
    assert os.listdir(tmp_path / "uv-cache")  # it really installed, from the lock


def test_no_output_holds_a_token(codeartifact, user, published):
    """Last in the module: every output captured above."""
    assert len(user.outputs) >= 10, "the outputs of the tests above were not captured"
    assert len(issued(codeartifact)) >= 4  # the first, and one per rotation at least
    assert not [output for output in user.outputs if any(token in output for token in issued(codeartifact))]
