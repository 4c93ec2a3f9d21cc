"""Fast: the baked release tool (scripts/codeartifact.py), in process, with botocore's Stubber.

The tool is imported from a bake, so what is tested is what a project gets. The steps it runs
as child processes (build, ``twine check``, ``twine upload``) are replaced by ``FakeSteps``,
which records each command and answers as the real tool would; the token redaction, the
retries and the error mapping around them are the tool's own. End-to-end runs against
loopback servers live in test_release.py and test_publish_faults.py.
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import datetime
import difflib
import errno
import hashlib
import importlib
import io
import json
import os
import platform as platform_module
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore.session
import platformdirs.macos
import platformdirs.unix
import platformdirs.windows
import pytest
import tomllib
from botocore import exceptions as aws
from botocore.stub import Stubber

from tests.conftest import MANAGERS, TEMPLATE_DIR, load_release_tool
from tests.support.faults import MODES as FAULT_MODES
from tests.support.faults import FaultServer
from tests.support.servers import free_port

TOKEN = "tok3n-Secret.value_123"  # a fake token
ENDPOINT = "https://my-domain-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/my-repo/"
OWNER = {"domain": "my-domain", "domainOwner": "111122223333"}
REPO = {**OWNER, "repository": "my-repo"}
PACKAGE_PARAMS = {**REPO, "format": "pypi", "package": "acme-utils"}
VERSION = {**PACKAGE_PARAMS, "packageVersion": "0.1.0"}
WHEEL, SDIST = "acme_utils-0.1.0-py3-none-any.whl", "acme_utils-0.1.0.tar.gz"


@pytest.fixture(scope="module")
def ca(bake) -> ModuleType:
    """The release tool of the default bake (uv, github)."""
    return load_release_tool(bake())


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Nothing of the developer's is read or written: a fresh home and no AWS or tool settings."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in list(os.environ):
        if name.startswith(("AWS_", "CODEARTIFACT_", "PIP_", "POETRY_", "UV", "TWINE_", "GITHUB_")):
            monkeypatch.delenv(name)
    return home


@pytest.fixture(autouse=True)
def pytest_keeps_its_signal_handlers() -> Iterator[None]:
    """main() installs the tool's SIGINT/SIGTERM handlers; give the test runner its own back."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.fixture(scope="module")
def botocore_session() -> Any:
    """One session for the module: it loads CodeArtifact's service model once, not per test."""
    return botocore.session.get_session()


@pytest.fixture
def stub(botocore_session) -> Iterator[tuple[Any, Stubber]]:
    client = botocore_session.create_client(
        "codeartifact", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expect_token(stubber: Stubber, duration: int | None = None) -> None:
    params: dict[str, Any] = dict(OWNER)
    if duration is not None:
        params["durationSeconds"] = duration
    stubber.add_response("get_authorization_token", {"authorizationToken": TOKEN, "expiration": 0}, params)


def expect_endpoint(stubber: Stubber) -> None:
    stubber.add_response("get_repository_endpoint", {"repositoryEndpoint": ENDPOINT}, {**REPO, "format": "pypi"})


def expect_credentials(stubber: Stubber, duration: int | None = None) -> None:
    """The two calls every command but ``url`` starts with: the token, then the endpoint."""
    expect_token(stubber, duration)
    expect_endpoint(stubber)


def run(ca: ModuleType, capsys: pytest.CaptureFixture[str], client: Any, *argv: str) -> tuple[int, str, str]:
    code = ca.main(list(argv), client=client)
    out, err = capsys.readouterr()
    return code, out, err


# --- url and env -----------------------------------------------------------------------


def test_url_prints_the_endpoint_without_a_token(ca, stub, capsys):
    client, stubber = stub
    expect_endpoint(stubber)
    expect_endpoint(stubber)
    assert run(ca, capsys, client, "url") == (0, ENDPOINT + "\n", "")
    assert run(ca, capsys, client, "url", "--simple") == (0, ENDPOINT + "simple/\n", "")


def test_env_prints_every_tool_variable_for_sh(ca, stub, capsys, monkeypatch):
    """Outside a project that declares the index for uv, UV_DEFAULT_INDEX makes it uv's index."""
    pyproject = ca.read_pyproject()
    del pyproject["tool"]["uv"]
    monkeypatch.setattr(ca, "read_pyproject", lambda: pyproject)
    client, stubber = stub
    expect_credentials(stubber)
    code, out, _ = run(ca, capsys, client, "env")
    assert code == 0
    assert out.splitlines() == [
        f"export PIP_INDEX_URL=https://aws:{TOKEN}@{ENDPOINT[8:]}simple/",
        "export TWINE_REPOSITORY_URL=" + ENDPOINT,
        "export TWINE_USERNAME=aws",
        f"export TWINE_PASSWORD={TOKEN}",
        f"export UV_DEFAULT_INDEX=codeartifact={ENDPOINT}simple/",
        "export UV_INDEX_CODEARTIFACT_USERNAME=aws",
        f"export UV_INDEX_CODEARTIFACT_PASSWORD={TOKEN}",
        "export POETRY_REPOSITORIES_CODEARTIFACT_URL=" + ENDPOINT,
        "export POETRY_HTTP_BASIC_CODEARTIFACT_USERNAME=aws",
        f"export POETRY_HTTP_BASIC_CODEARTIFACT_PASSWORD={TOKEN}",
    ]


def test_env_in_a_project_that_declares_the_index_gives_uv_only_its_credentials(ca, stub, capsys):
    """uv add would otherwise write UV_DEFAULT_INDEX's URL (no user aws) over the declared one."""
    client, stubber = stub
    expect_credentials(stubber)
    code, out, _ = run(ca, capsys, client, "env", "--tool", "uv")
    assert (code, out) == (
        0,
        f"export UV_INDEX_CODEARTIFACT_USERNAME=aws\nexport UV_INDEX_CODEARTIFACT_PASSWORD={TOKEN}\n",
    )
    assert ca.declares_uv_index({"tool": {"uv": {"index": [{"name": "other"}, {"name": "codeartifact"}]}}})
    assert not ca.declares_uv_index({"tool": {"uv": {"index": [{"name": "other"}]}}})
    assert not ca.declares_uv_index({"tool": {"poetry": {}}})


def test_env_for_one_tool_in_powershell(ca, stub, capsys):
    client, stubber = stub
    expect_credentials(stubber, duration=900)
    code, out, _ = run(ca, capsys, client, "env", "--tool", "twine", "--shell", "powershell", "--duration", "900")
    assert code == 0
    assert out.splitlines() == [
        f"$env:TWINE_REPOSITORY_URL = '{ENDPOINT}'",
        "$env:TWINE_USERNAME = 'aws'",
        f"$env:TWINE_PASSWORD = '{TOKEN}'",
    ]


@pytest.mark.parametrize(
    ("shell", "mask_line"),
    [("sh", f"echo ::add-mask::{TOKEN}"), ("powershell", f"Write-Output '::add-mask::{TOKEN}'")],
)
def test_env_masks_the_token_in_github_actions_first(ca, stub, capsys, monkeypatch, shell, mask_line):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    client, stubber = stub
    expect_credentials(stubber)
    _, out, _ = run(ca, capsys, client, "env", "--tool", "uv", "--shell", shell)
    assert out.splitlines()[0] == mask_line
    assert len(out.splitlines()) == 3


def test_env_values_survive_shell_quoting(ca):
    lines = ca.shell_lines([("X", "it's $HOME")], "sh", None)
    result = subprocess.run(["sh", "-c", f'{lines[0]}; printf %s "$X"'], capture_output=True, text=True)
    assert result.stdout == "it's $HOME"


@pytest.mark.parametrize("duration", ["899", "43201", "-1", "soon"])
def test_a_token_duration_out_of_range_is_a_usage_error(ca, capsys, duration):
    with pytest.raises(SystemExit) as exit_info:
        ca.main(["env", "--duration", duration], client=object())
    assert exit_info.value.code == ca.Exit.USAGE == 2
    assert "--duration" in capsys.readouterr().err


# --- login -----------------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def ini(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    parser.read(path)
    return parser


def test_login_pip_sets_the_global_index_keeps_other_settings_and_names_what_it_replaced(
    ca, stub, capsys, private_home
):
    conf = private_home / ".config" / "pip" / "pip.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("[global]\ntimeout = 60\nindex-url = https://bob:hunter2@mirror.example/simple/\n")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "pip")
    assert code == 0
    parser = ini(conf)
    assert parser.get("global", "index-url") == f"https://aws:{TOKEN}@{ENDPOINT[8:]}simple/"
    assert parser.get("global", "timeout") == "60"
    assert mode(conf) == 0o600
    assert f"replaces global.index-url https://bob:****@mirror.example/simple/ in {conf}" in out
    assert "logged pip in to my-repo" in out
    assert TOKEN not in out + err and "hunter2" not in out + err


def test_login_twine_adds_a_private_pypirc_section(ca, stub, capsys, private_home):
    pypirc = private_home / ".pypirc"
    pypirc.write_text("[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = __token__\n")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "twine")
    assert code == 0
    parser = ini(pypirc)
    assert parser.get("distutils", "index-servers").split() == ["pypi", "codeartifact"]
    assert parser.get("pypi", "username") == "__token__"
    assert dict(parser["codeartifact"]) == {"repository": ENDPOINT, "username": "aws", "password": TOKEN}
    assert mode(pypirc) == 0o600
    assert TOKEN not in out + err


def test_login_poetry_writes_its_repository_and_credentials_keeping_comments(ca, stub, capsys, private_home):
    config_dir = private_home / ".config" / "pypoetry"
    config_dir.mkdir(parents=True)
    (config_dir / "auth.toml").write_text('# my notes\n[http-basic.corp]\nusername = "me"\npassword = "s3cret"\n')
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "poetry")[0] == 0
    config = tomllib.loads((config_dir / "config.toml").read_text())
    auth_text = (config_dir / "auth.toml").read_text()
    auth = tomllib.loads(auth_text)
    assert config["repositories"]["codeartifact"] == {"url": ENDPOINT}
    assert auth["http-basic"] == {
        "corp": {"username": "me", "password": "s3cret"},
        "codeartifact": {"username": "aws", "password": TOKEN},
    }
    assert auth_text.startswith("# my notes\n")
    assert mode(config_dir / "auth.toml") == 0o600


def test_login_writes_through_a_symlink_and_keeps_it(ca, stub, capsys, private_home, tmp_path):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "pypirc").write_text("[pypi]\nusername = __token__\n")
    (private_home / ".pypirc").symlink_to(dotfiles / "pypirc")
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "twine")[0] == 0
    assert (private_home / ".pypirc").is_symlink()
    assert ini(dotfiles / "pypirc").get("codeartifact", "password") == TOKEN
    assert mode(dotfiles / "pypirc") == 0o600
    assert sorted(p.name for p in dotfiles.iterdir()) == ["pypirc"]  # no temporary file left


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
def test_login_refuses_to_replace_what_is_not_a_regular_file(ca, stub, capsys, monkeypatch, tmp_path, kind):
    target = {"device": Path(os.devnull), "fifo": tmp_path / "fifo", "folder": tmp_path / "folder"}[kind]
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    monkeypatch.setenv("PIP_CONFIG_FILE", str(target))
    client, stubber = stub
    expect_credentials(stubber)
    code, _out, err = run(ca, capsys, client, "login", "--tool", "pip")
    assert code == 1
    assert err.startswith(f"error: {target} is ") and err.count("\n") == 1
    assert Path(os.devnull).is_char_device()
    assert (kind != "fifo" or stat.S_ISFIFO(target.stat().st_mode)) and (kind != "folder" or target.is_dir())


@pytest.mark.parametrize(
    ("tool", "name", "text", "words"),
    [
        ("pip", ".config/pip/pip.conf", "index-url = x\n", "(line 1)"),
        ("twine", ".pypirc", "[pypi]\nusername\n", "does not parse as an INI file (line 2)"),
        ("poetry", ".config/pypoetry/config.toml", "[repositories\n", "does not parse as TOML"),
    ],
)
def test_a_file_that_does_not_parse_is_named_and_left_alone(ca, stub, capsys, private_home, tool, name, text, words):
    path = private_home / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "login", "--tool", tool)
    assert code == 1
    assert err.startswith(f"error: {path}") and words in err and err.count("\n") == 1
    assert path.read_text() == text
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def fake_uv(tmp_path: Path) -> Path:
    """A stand-in uv that records its arguments and standard input."""
    script = tmp_path / "uv"
    script.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/args\ncat > {tmp_path}/stdin\n')
    script.chmod(0o755)
    return script


def test_login_uv_passes_the_token_on_stdin(ca, stub, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("UV", str(fake_uv(tmp_path)))
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "uv")
    assert code == 0
    assert (tmp_path / "args").read_text().split() == [
        "auth",
        "login",
        ENDPOINT,
        "--username",
        "aws",
        "--password",
        "-",
    ]
    assert (tmp_path / "stdin").read_text() == TOKEN
    assert TOKEN not in out + err


@pytest.mark.parametrize("tool", ["pip", "twine", "poetry", "uv"])
def test_login_dry_run_writes_nothing_and_masks_every_secret(
    ca, stub, capsys, monkeypatch, tmp_path, private_home, tool
):
    monkeypatch.setenv("UV", str(fake_uv(tmp_path)))
    (private_home / ".pypirc").write_text("[pypi]\nusername = __token__\npassword = pypi-OTHERSECRET\n")
    poetry = private_home / ".config" / "pypoetry"
    poetry.mkdir(parents=True)
    (poetry / "auth.toml").write_text('[http-basic.corp]\nusername = "me"\npassword = "OTHERSECRET"\n')
    pip = private_home / ".config" / "pip"
    pip.mkdir()
    (pip / "pip.conf").write_text("[global]\nextra-index-url = https://me:OTHERSECRET@corp.example/simple/\n")
    before = {p: p.read_bytes() for p in private_home.rglob("*") if p.is_file()}
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", tool, "--dry-run", "--allow-extra-index")
    assert code == 0
    assert "would" in out
    assert TOKEN not in out + err and "OTHERSECRET" not in out + err
    shown = {  # the end of a line of each file's masked text, or of the command
        "pip": f"index-url = https://aws:****@{ENDPOINT[8:]}simple/",
        "twine": "password = ****",
        "poetry": 'password = "****"',
        "uv": "the token on standard input",
    }
    assert any(line.endswith(shown[tool]) for line in out.splitlines())
    assert {p: p.read_bytes() for p in private_home.rglob("*") if p.is_file()} == before
    assert not (tmp_path / "args").exists()


# --- login --keyring ----------------------------------------------------------------------


def fake_keyring_tools(bin_dir: Path, has_keyring: bool) -> Path:
    """A folder with a uv that 'installs' a keyring command (by copying one in), and maybe that
    keyring already; the keyring lists the CodeArtifact backend as the real one does."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    keyring = bin_dir.parent / "keyring-program"
    keyring.write_text("#!/bin/sh\necho 'keyrings.codeartifact.CodeArtifactBackend (priority: 9.9)'\n")
    keyring.chmod(0o755)
    uv = bin_dir / "uv"
    uv.write_text(f'#!/bin/sh\necho "$@" >> {bin_dir}/uv-calls\ncp {keyring} {bin_dir}/keyring\n')
    uv.chmod(0o755)
    if has_keyring:
        shutil.copy(keyring, bin_dir / "keyring")
    return bin_dir


@pytest.mark.parametrize("has_keyring", [True, False])
def test_login_pip_keyring_writes_no_token_and_finds_or_installs_the_keyring(
    ca, stub, capsys, monkeypatch, private_home, tmp_path, has_keyring
):
    bin_dir = fake_keyring_tools(tmp_path / "bin", has_keyring)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "pip", "--keyring")
    assert code == 0, err
    conf = private_home / ".config" / "pip" / "pip.conf"
    assert dict(ini(conf)["global"]) == {
        "index-url": f"https://aws@{ENDPOINT[8:]}simple/",
        "keyring-provider": "subprocess",
    }
    calls = (bin_dir / "uv-calls").read_text().split() if not has_keyring else []
    assert calls == (
        [] if has_keyring else ["tool", "install", "--force", "keyring", "--with", "keyrings.codeartifact"]
    )
    assert ("found " if has_keyring else "installed keyring with keyrings.codeartifact") in out
    assert "through the keyring: each use" in out
    assert TOKEN not in out + err
    assert not [p for p in private_home.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]


def test_login_uv_keyring_sets_uv_up_for_the_keyring_and_stores_nothing(
    ca, stub, capsys, monkeypatch, private_home, tmp_path
):
    (private_home / ".config" / "uv").mkdir(parents=True)
    (private_home / ".config" / "uv" / "uv.toml").write_text("# mine\nnative-tls = true\n")
    monkeypatch.setenv("PATH", f"{fake_keyring_tools(tmp_path / 'bin', True)}:/usr/bin:/bin")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "uv", "--keyring")
    assert code == 0, err
    text = (private_home / ".config" / "uv" / "uv.toml").read_text()
    assert text.startswith("# mine\n") and tomllib.loads(text) == {"native-tls": True, "keyring-provider": "subprocess"}
    assert f"the index URL is https://aws@{ENDPOINT[8:]}simple/" in out
    assert not [p for p in private_home.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]


def test_login_poetry_keyring_drops_a_stored_password_and_adds_the_backend_to_poetry(
    ca, stub, capsys, monkeypatch, private_home, tmp_path
):
    config_dir = private_home / ".config" / "pypoetry"
    config_dir.mkdir(parents=True)
    (config_dir / "auth.toml").write_text(
        '[http-basic.codeartifact]\nusername = "aws"\npassword = "stale"\n[http-basic.corp]\nusername = "me"\n'
    )
    poetry = tmp_path / "bin" / "poetry"
    poetry.parent.mkdir()
    poetry.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/poetry-calls\n[ "$2" = show ] && exit 1\nexit 0\n')
    poetry.chmod(0o755)
    monkeypatch.setenv("PATH", f"{poetry.parent}:/usr/bin:/bin")
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "login", "--tool", "poetry", "--keyring")
    assert code == 0, err
    assert tomllib.loads((config_dir / "auth.toml").read_text()) == {"http-basic": {"corp": {"username": "me"}}}
    assert tomllib.loads((config_dir / "config.toml").read_text())["repositories"]["codeartifact"] == {"url": ENDPOINT}
    assert (tmp_path / "poetry-calls").read_text().splitlines() == [
        "self show keyrings.codeartifact",
        "self add keyrings.codeartifact",
    ]


def test_twine_has_no_keyring_login(ca, stub, capsys):
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "twine", "--keyring") == (
        1,
        "",
        "error: twine has no keyring login here: use login --tool twine, or publish\n",
    )


# --- no second index behind our back -----------------------------------------------------


@pytest.mark.parametrize(
    ("layer", "text", "variables", "words"),
    [
        (
            "user",
            "[global]\nextra-index-url = https://pypi.org/simple\n",
            {},
            "pip would also look in https://pypi.org/simple (extra-index-url",
        ),
        ("user", "[install]\nfind-links = /srv/wheels\n", {}, "(find-links, set in"),
        (
            "global",
            "[global]\nextra-index-url = https://me:s3cret@corp.example/simple\n",
            {},
            "https://me:****@corp.example/simple",
        ),
        (
            "venv",
            "[global]\nindex-url = https://corp.example/simple\n",
            {},
            "(site) sets index-url https://corp.example/simple, which pip uses instead",
        ),
        (
            None,
            "",
            {"PIP_INDEX_URL": "https://corp.example/simple"},
            "the environment variable PIP_INDEX_URL sets index-url",
        ),
        (None, "", {"PIP_EXTRA_INDEX_URL": "https://pypi.org/simple"}, "the environment variable PIP_EXTRA_INDEX_URL"),
    ],
    ids=["user-extra", "install-find-links", "global-extra-masked", "venv-override", "env-override", "env-extra"],
)
def test_login_pip_refuses_a_second_index_and_writes_nothing(
    ca, stub, capsys, monkeypatch, private_home, tmp_path, layer, text, variables, words
):
    places = {
        "user": private_home / ".config" / "pip" / "pip.conf",
        "global": tmp_path / "xdg" / "pip" / "pip.conf",
        "venv": tmp_path / "venv" / "pip.conf",
    }
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "xdg"))
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "venv"))
    if layer:
        places[layer].parent.mkdir(parents=True, exist_ok=True)
        places[layer].write_text(text)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "login", "--tool", "pip")
    assert code == 1
    assert words in err and "--allow-extra-index" in err and err.count("\n") == 1
    assert "s3cret" not in err
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before

    stubber.deactivate()
    stubber.activate()
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "pip", "--allow-extra-index")[0] == 0


def test_login_pip_accepts_its_own_index_anywhere_and_a_lower_one_it_replaces(
    ca, stub, capsys, monkeypatch, private_home, tmp_path
):
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "xdg"))
    (tmp_path / "xdg" / "pip").mkdir(parents=True)
    (tmp_path / "xdg" / "pip" / "pip.conf").write_text("[global]\nindex-url = https://mirror.example/simple\n")
    monkeypatch.setenv("PIP_INDEX_URL", f"https://aws:old@{ENDPOINT[8:]}simple/")
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "pip")[0] == 0


@pytest.mark.parametrize(
    ("variables", "uv_toml", "words"),
    [
        ({"UV_EXTRA_INDEX_URL": "https://pypi.org/simple"}, "", "the environment variable UV_EXTRA_INDEX_URL"),
        ({"UV_INDEX": "pypi=https://pypi.org/simple"}, "", "the environment variable UV_INDEX"),
        ({}, '[[index]]\nname = "pypi"\nurl = "https://pypi.org/simple"\n', "index in "),
    ],
)
def test_login_uv_refuses_a_second_index(
    ca, stub, capsys, monkeypatch, private_home, tmp_path, variables, uv_toml, words
):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    if uv_toml:
        (private_home / ".config" / "uv").mkdir(parents=True)
        (private_home / ".config" / "uv" / "uv.toml").write_text(uv_toml)
    monkeypatch.setenv("UV", str(fake_uv(tmp_path)))
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "login", "--tool", "uv")
    assert code == 1 and words in err and "--allow-extra-index" in err
    assert not (tmp_path / "args").exists()


def test_login_uv_refuses_an_index_of_the_project_that_is_not_explicit(ca, stub, capsys, monkeypatch, tmp_path):
    pyproject = ca.read_pyproject()
    pyproject["tool"]["uv"]["index"].append({"name": "pypi", "url": "https://pypi.org/simple"})
    monkeypatch.setattr(ca, "read_pyproject", lambda: pyproject)
    monkeypatch.setenv("UV", str(fake_uv(tmp_path)))
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "login", "--tool", "uv")
    assert code == 1 and "[[tool.uv.index]] pypi in pyproject.toml, not explicit" in err
    pyproject["tool"]["uv"]["index"][-1]["explicit"] = True
    stubber.deactivate()
    stubber.activate()
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "uv")[0] == 0


# --- settings --------------------------------------------------------------------------


def test_environment_variables_override_pyproject(ca):
    environ = {
        "CODEARTIFACT_DOMAIN": "other",
        "CODEARTIFACT_DOMAIN_OWNER": "999988887777",
        "CODEARTIFACT_REPOSITORY": "release",
        "CODEARTIFACT_REGION": "eu-west-1",
        "AWS_REGION": "ap-south-1",
    }
    settings = ca.load_settings(ca.read_pyproject(), environ)
    assert (settings.domain, settings.domain_owner, settings.repository, settings.region) == (
        "other",
        "999988887777",
        "release",
        "eu-west-1",
    )


def test_aws_region_never_overrides_the_projects_region_but_fills_a_missing_one(ca):
    """CodeBuild sets AWS_REGION to the build's own region, which need not be the domain's."""
    assert ca.load_settings(ca.read_pyproject(), {"AWS_REGION": "ap-south-1"}).region == "us-east-1"
    table = {"tool": {"codeartifact": {"domain": "d1", "domain-owner": "111122223333", "repository": "r1"}}}
    assert ca.load_settings(table, {"AWS_REGION": "ap-south-1"}).region == "ap-south-1"


def test_missing_settings_are_named(ca):
    with pytest.raises(ca.ToolError, match="missing CodeArtifact settings: domain, domain-owner"):
        ca.load_settings({"tool": {"codeartifact": {"repository": "r", "region": "us-east-1"}}}, {})


def test_names_and_versions_are_the_canonical_pep_503_and_pep_440_forms(ca):
    package = ca.load_package({"project": {"name": "Acme.Utils__Extra", "version": "1.0.0-RC.1"}})
    assert (package.normalized_name, package.version) == ("acme-utils-extra", "1.0.0rc1")


def test_an_invalid_version_is_a_one_line_refusal(ca):
    with pytest.raises(ca.ToolError, match="use a PEP 440 version"):
        ca.load_package({"project": {"name": "a", "version": "one"}})


# --- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error_code", "status", "exit_code", "words"),
    [
        ("AccessDeniedException", 403, 4, "may not call codeartifact:GetAuthorizationToken"),
        ("ExpiredTokenException", 400, 3, "run `aws sso login`"),
        ("UnrecognizedClientException", 403, 3, "AWS rejected your credentials"),
        ("ThrottlingException", 429, 6, "ThrottlingException to GetAuthorizationToken 1 times"),
        ("InternalServerException", 500, 6, "try again in a minute"),
        ("ResourceNotFoundException", 404, 8, "check [tool.codeartifact]"),
        ("ValidationException", 400, 1, "CodeArtifact refused GetAuthorizationToken"),
        ("502", 502, 7, "a proxy?) answered HTTP 502"),
    ],
)
def test_aws_errors_become_one_clear_line(ca, stub, capsys, error_code, status, exit_code, words):
    client, stubber = stub
    stubber.add_client_error("get_authorization_token", error_code, "the service says no", status)
    code, _, err = run(ca, capsys, client, "env")
    assert code == exit_code
    assert err.startswith("error: ") and err.count("\n") == 1
    assert words in err


def test_the_throttling_message_counts_the_attempts_made(ca):
    error = aws.ClientError(
        {"Error": {"Code": "ThrottlingException", "Message": "slow"}, "ResponseMetadata": {"RetryAttempts": 2}},
        "GetRepositoryEndpoint",
    )
    translated = ca.translate_aws_error(error)
    assert (translated.exit_code, str(translated)) == (
        6,
        "CodeArtifact answered ThrottlingException to GetRepositoryEndpoint 3 times; try again in a minute",
    )


class FailingClient:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def get_authorization_token(self, **_: Any) -> Any:
        raise self.error


CREDENTIAL_FAULTS = [
    aws.NoCredentialsError(),
    aws.PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"),
    aws.ProfileNotFound(profile="nobody"),
    aws.SSOError(),
    aws.UnauthorizedSSOTokenError(),
    aws.SSOTokenLoadError(error_msg="no cached token"),
    aws.TokenRetrievalError(provider="sso", error_msg="expired"),
    aws.CredentialRetrievalError(provider="custom-process", error_msg="exit 1"),
]
NETWORK_FAULTS = [
    aws.EndpointConnectionError(endpoint_url="https://codeartifact.example"),
    aws.ConnectTimeoutError(endpoint_url="https://codeartifact.example"),
    aws.ReadTimeoutError(endpoint_url="https://codeartifact.example"),
    aws.ConnectionClosedError(endpoint_url="https://codeartifact.example"),
    aws.SSLError(endpoint_url="https://codeartifact.example", error="bad certificate"),
    aws.ProxyConnectionError(proxy_url="http://proxy.example"),
]


@pytest.mark.parametrize(
    ("error", "exit_code"),
    [(error, 3) for error in CREDENTIAL_FAULTS] + [(error, 7) for error in NETWORK_FAULTS],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_credential_and_network_errors_end_in_their_codes(ca, capsys, error, exit_code):
    code, out, err = run(ca, capsys, FailingClient(error), "login", "--tool", "pip")
    assert code == exit_code
    assert out == "" and err.startswith("error: ") and err.count("\n") == 1


def test_an_unexpected_error_is_one_line_and_never_exit_1(ca, capsys):
    code, _, err = run(ca, capsys, FailingClient(KeyError("authorizationToken")), "env")
    assert code == ca.Exit.BUG == 70
    assert err == "error: KeyError: 'authorizationToken'\n"


def test_the_exit_codes_in_the_help_are_the_enum(ca, capsys):
    with pytest.raises(SystemExit):
        ca.main(["--help"])
    help_text = capsys.readouterr().out
    for code in ca.Exit:
        assert f"{code.value:>3}  {code.meaning}" in help_text


def test_the_readme_table_of_exit_codes_is_the_enum(ca, bake):
    readme = (bake() / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| (.*) \|$", readme, re.MULTILINE)
    assert rows == [(str(code.value), code.meaning) for code in ca.Exit]


@pytest.mark.parametrize("manager", MANAGERS)
def test_the_tools_own_commands_are_the_package_manager_table(bake, manager, tmp_path):
    module = load_release_tool(bake(package_manager=manager))
    table = MANAGERS[manager]
    argv = module.BUILD_COMMANDS[manager](tmp_path)
    expected = [*table["build_into"].split(), str(tmp_path)]
    assert argv == ([sys.executable, *expected[1:]] if expected[0] == "python" else expected)
    assert module.TOOL_COMMANDS[manager] == table["tool"]


# --- faults of the control plane, through a real client and a loopback server ----------

CONTROL_PLANE_FAULTS = {
    "refused": (7, "cannot reach CodeArtifact"),
    "unresolvable": (7, "cannot reach CodeArtifact"),
    "tls": (7, "cannot reach CodeArtifact"),
    "hang": (7, "CodeArtifact did not answer in time"),
    "drop": (7, "cannot reach CodeArtifact"),
    "500": (6, "CodeArtifact answered InternalServerException to GetRepositoryEndpoint 2 times"),
    "429": (6, "CodeArtifact answered ThrottlingException to GetRepositoryEndpoint 2 times"),
    "502-html": (7, "answered HTTP 502 Bad Gateway to GetRepositoryEndpoint"),
}


def real_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **variables: str) -> None:
    """boto3 as a user has it, with dummy keys, short timeouts and two attempts per call."""
    settings = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
        "AWS_MAX_ATTEMPTS": "2",
        "CODEARTIFACT_CONNECT_TIMEOUT": "2",
        "CODEARTIFACT_READ_TIMEOUT": "1",
    }
    for name, value in {**settings, **variables}.items():
        monkeypatch.setenv(name, value)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("fault", CONTROL_PLANE_FAULTS)
def test_a_fault_of_the_control_plane_is_one_line_with_its_code(ca, capsys, monkeypatch, tmp_path, fault):
    exit_code, words = CONTROL_PLANE_FAULTS[fault]
    with FaultServer(fault if fault in FAULT_MODES else "500") as server:
        url = {
            "refused": f"http://127.0.0.1:{free_port()}",
            "unresolvable": "http://codeartifact.us-east-1.invalid",
            "tls": server.url.replace("http://", "https://"),
        }.get(fault, server.url)
        real_aws(monkeypatch, tmp_path, AWS_ENDPOINT_URL_CODEARTIFACT=url)
        code, out, err = run(ca, capsys, None, "url")
    assert code == exit_code, err
    assert words in err and err.count("\n") == 1 and out == ""


CREDENTIAL_FAULTS = {
    "unknown profile": ({"AWS_PROFILE": "nobody"}, "The config profile (nobody) could not be found"),
    "failing credential_process": ({"AWS_PROFILE": "failing"}, "custom-process"),
    "missing credential_process": ({"AWS_PROFILE": "missing"}, "No such file or directory"),
    "missing web-identity token file": (
        {"AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/token", "AWS_ROLE_ARN": "arn:aws:iam::444455556666:role/ci"},
        "No such file or directory: '/nonexistent/token'",
    ),
    "empty AWS_ROLE_ARN": ({"AWS_WEB_IDENTITY_TOKEN_FILE": "{token}", "AWS_ROLE_ARN": ""}, "no role ARN"),
}


@pytest.mark.parametrize("fault", CREDENTIAL_FAULTS)
def test_broken_credentials_end_in_code_3_before_any_call(ca, capsys, monkeypatch, tmp_path, fault):
    variables, words = CREDENTIAL_FAULTS[fault]
    (tmp_path / "aws-config").write_text(
        "[profile failing]\ncredential_process = false\n[profile missing]\ncredential_process = /nonexistent/helper\n"
    )
    (tmp_path / "token").write_text("a-web-identity-token")
    with FaultServer("500") as server:
        real_aws(monkeypatch, tmp_path, AWS_ENDPOINT_URL_CODEARTIFACT=server.url)
        monkeypatch.delenv("AWS_ACCESS_KEY_ID")
        monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
        for name, value in variables.items():
            monkeypatch.setenv(name, value.format(token=tmp_path / "token"))
        code, _, err = run(ca, capsys, None, "url")
    assert code == 3, err
    assert words in err and err.count("\n") == 1
    assert server.requests == 0  # found out before any call


# --- publish ---------------------------------------------------------------------------


class FakeSteps:
    """Answers for the tool's child processes: the build, ``twine check`` and ``twine upload``.

    ``uploads`` answers each upload in turn with (exit status, output); the default is success.
    """

    def __init__(self, ca: ModuleType, monkeypatch: pytest.MonkeyPatch, git_state: str = "clean") -> None:
        self.commands: list[list[str]] = []
        self.environments: list[dict[str, str]] = []
        self.uploads: list[tuple[int, str]] = []
        self.uploaded: list[str] = []
        self.build_output = "Successfully built"
        self.build_status = 0
        self.wheel_bytes = b"wheel"
        self.install_status, self.install_output = 0, ""
        self.shown = "Name: acme-utils\nVersion: 0.1.0\n"  # what ``pip show`` prints
        self.timeouts: list[float | None] = []
        monkeypatch.setattr(ca, "git_output", lambda *args: {"clean": "", "dirty": " M x\n"}.get(git_state))
        monkeypatch.setattr(ca, "run_child", self.run_child)
        monkeypatch.setattr(ca.time, "sleep", lambda seconds: None)
        monkeypatch.setenv("UV", "uv")

    def run_child(self, command: list[str], environ: dict[str, str], timeout: float | None = None) -> Any:
        self.commands.append(list(command))
        self.environments.append(dict(environ))
        self.timeouts.append(timeout)
        if "build" in command:
            out = Path(command[-1])
            (out / WHEEL).write_bytes(self.wheel_bytes)
            (out / SDIST).write_bytes(b"sdist")
            return subprocess.CompletedProcess(command, self.build_status, self.build_output, "")
        if "upload" in command:
            status, output = self.uploads.pop(0) if self.uploads else (0, "")
            if status == 0:
                self.uploaded.append(Path(command[-1]).name)
            return subprocess.CompletedProcess(command, status, output, "")
        if "install" in command:
            return subprocess.CompletedProcess(command, self.install_status, self.install_output, "")
        if "show" in command:
            return subprocess.CompletedProcess(command, 0, self.shown, "")
        return subprocess.CompletedProcess(command, 0, "PASSED", "")

    def steps(self) -> list[str]:
        return [" ".join(word for word in command if not word.startswith("/")) for command in self.commands]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def expect_assets(stubber: Stubber, assets: dict[str, bytes] | None) -> None:
    if assets is None:
        stubber.add_client_error(
            "list_package_version_assets",
            "ResourceNotFoundException",
            "no such version",
            404,
            expected_params=VERSION,
            modeled_fields={"message": "no such version", "resourceType": "package-version"},
        )
        return
    listed = [{"name": name, "size": len(data), "hashes": {"SHA-256": sha256(data)}} for name, data in assets.items()]
    stubber.add_response("list_package_version_assets", {"assets": listed}, VERSION)


def expect_package(stubber: Stubber, exists: bool) -> None:
    params = {**PACKAGE_PARAMS, "maxResults": 1}
    if exists:
        stubber.add_response("list_package_versions", {"versions": []}, params)
    else:
        stubber.add_client_error(
            "list_package_versions", "ResourceNotFoundException", "no package", 404, expected_params=params
        )


ORIGIN = {**PACKAGE_PARAMS, "restrictions": {"publish": "ALLOW", "upstream": "BLOCK"}}


def test_a_first_publish_builds_checks_claims_the_name_then_uploads_file_by_file(ca, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None)
    expect_package(stubber, exists=False)
    stubber.add_response("put_package_origin_configuration", {}, ORIGIN)
    code, out, err = run(ca, capsys, client, "publish")
    assert code == 0, err
    assert steps.steps() == [
        "uv build --out-dir",
        "-m twine check --strict",
        f"-m twine --no-color upload --non-interactive --disable-progress-bar --repository-url {ENDPOINT}",
        f"-m twine --no-color upload --non-interactive --disable-progress-bar --repository-url {ENDPOINT}",
    ]
    assert steps.uploaded == [WHEEL, SDIST]
    assert out.splitlines() == [
        "claimed acme-utils: publish=ALLOW, upstream=BLOCK",
        f"uploaded {WHEEL}",
        f"uploaded {SDIST}",
        f"published {WHEEL}, {SDIST} to {ENDPOINT}",
        "check that it installs from there: uv run scripts/codeartifact.py verify",
    ]
    assert steps.environments[-1]["TWINE_PASSWORD"] == TOKEN
    assert steps.environments[0]["UV_INDEX_CODEARTIFACT_PASSWORD"] == TOKEN  # the build may read the index
    assert TOKEN not in out + err


def test_a_version_with_every_file_already_there_is_published_and_uploads_nothing(ca, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, {WHEEL: b"wheel", SDIST: b"sdist"})
    code, out, _ = run(ca, capsys, client, "publish")
    assert code == 0
    assert out == f"already published: acme-utils 0.1.0 in my-repo has {WHEEL}, {SDIST}, same SHA-256\n"
    assert steps.uploaded == []


def test_a_half_published_version_gets_only_its_missing_file(ca, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, {WHEEL: b"wheel"})
    code, out, _ = run(ca, capsys, client, "publish")
    assert code == 0
    assert steps.uploaded == [SDIST]
    assert f"published {SDIST} to {ENDPOINT}" in out
    assert "claimed" not in out


def test_a_stored_file_with_other_content_is_refused_before_any_upload(ca, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    steps.wheel_bytes = b"rebuilt differently"
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, {WHEEL: b"wheel"})
    code, _out, err = run(ca, capsys, client, "publish")
    assert code == 1
    assert err == (
        f"error: {WHEEL} is already in my-repo with other content (SHA-256 {sha256(b'wheel')} there, "
        f"{sha256(b'rebuilt differently')} here); versions cannot be replaced: set a new version in "
        "pyproject.toml; nothing was uploaded\n"
    )
    assert steps.uploaded == []


def test_publish_refuses_a_dirty_tree_before_asking_aws(ca, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch, git_state="dirty")
    client, _ = stub
    code, _, err = run(ca, capsys, client, "publish")
    assert code == 1
    assert err == "error: the git working tree has uncommitted changes: commit them, or pass --allow-dirty\n"
    assert steps.commands == []


def test_a_missing_origin_permission_warns_but_still_uploads(ca, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch, git_state="none")
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None)
    expect_package(stubber, exists=False)
    stubber.add_client_error("put_package_origin_configuration", "AccessDeniedException", "no", 403)
    code, out, _ = run(ca, capsys, client, "publish")
    assert code == 0
    assert out.splitlines()[:2] == [
        "note: not in a git repository; publishing without the clean-tree check",
        "warning: could not claim acme-utils against upstream packages: your identity lacks "
        "codeartifact:PutPackageOriginConfiguration; ask an administrator to set publish=ALLOW, "
        "upstream=BLOCK for it",
    ]
    assert steps.uploaded == [WHEEL, SDIST]


@pytest.mark.parametrize("first", [True, False])
def test_no_origin_control_skips_the_claim_and_a_later_version_needs_none(ca, stub, capsys, monkeypatch, first):
    steps = FakeSteps(ca, monkeypatch)
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None)
    if not first:
        expect_package(stubber, exists=True)
    code, out, _ = run(ca, capsys, client, "publish", *(["--no-origin-control"] if first else []))
    assert code == 0
    assert "claimed" not in out
    assert steps.uploaded == [WHEEL, SDIST]


def test_publish_dry_run_builds_and_checks_but_uploads_nothing(ca, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None)
    code, out, err = run(ca, capsys, client, "publish", "--dry-run")
    assert code == 0
    assert out == f"dry run: checked {WHEEL}, {SDIST}; nothing uploaded to {ENDPOINT}\n"
    assert [step.split()[0] for step in steps.steps()] == ["uv", "-m"]
    assert TOKEN not in out + err


def test_a_failed_build_shows_its_output_with_the_token_masked(ca, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    steps.build_status, steps.build_output = 1, f"error: 401 from https://aws:{TOKEN}@host/simple/"
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "publish")
    assert code == 1
    assert err == "error: the build failed:\nerror: 401 from https://aws:****@host/simple/\n"


BUILD_WITHOUT_BACKEND = f"""\
* Creating isolated environment: venv+pip...
* Installing packages in isolated environment:
  - hatchling>=1.27
< Looking in indexes: https://aws:{TOKEN}@host/simple/
< ERROR: Could not find a version that satisfies the requirement
  hatchling>=1.27 (from versions: none)
< ERROR: No matching distribution found for hatchling>=1.27

Traceback (most recent call last):
  File "build/__main__.py", line 289, in _handle_build_error
subprocess.CalledProcessError: Command '['python', '-m', 'pip']' returned non-zero exit status 1.

ERROR Command '['python', '-m', 'pip']' returned non-zero exit status 1.
"""


def test_a_long_failed_build_is_its_cause_and_the_file_with_the_rest(ca, stub, capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(ca.tempfile, "tempdir", str(tmp_path))
    steps = FakeSteps(ca, monkeypatch)
    steps.build_status, steps.build_output = 1, BUILD_WITHOUT_BACKEND
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "publish")
    (log,) = tmp_path.glob("codeartifact-step-*.log")
    assert code == 1
    assert (
        err
        == f"error: the build failed: No matching distribution found for hatchling>=1.27\n  the whole output: {log}\n"
    )
    assert log.read_text(encoding="utf-8") == BUILD_WITHOUT_BACKEND.replace(TOKEN, "****").strip() + "\n"
    assert mode(log) == 0o600


@pytest.mark.parametrize(
    ("output", "cause"),
    [
        (
            "x\nerror: Failed to build `acme`\n  Caused by: no backend\n  File x\ndone",
            "Failed to build `acme` Caused by: no backend",
        ),
        ("x\n  × Failed to resolve requirements\n  ╰─▶ hatchling was not found\ny", "hatchling was not found"),
        ("a\nERROR Command 'x' returned non-zero exit status 2.\nb", "b"),
        ("Traceback (most recent call last):\n  File 'x'\nValueError: boom", "ValueError: boom"),
        ("  one\n  two\n  three", "three"),
    ],
)
def test_the_cause_of_a_failure_is_its_last_error_line(ca, output, cause):
    assert ca.cause_of(output.splitlines()) == cause


@pytest.mark.parametrize(
    ("answers", "exit_code", "words", "attempts"),
    [
        ([(1, f"ERROR HTTPError: 403 Forbidden from {ENDPOINT} {TOKEN}")], 5, "the token has expired", 1),
        ([(1, "ERROR HTTPError: 404 Not Found")], 5, "HTTP 404", 1),
        ([(1, "ERROR HTTPError: 409 Conflict")], 1, "other content; bump the version", 1),
        ([(1, "ERROR HTTPError: 500 Internal Server Error")] * 3, 6, "answered HTTP 500 to 3 uploads", 3),
        ([(1, "ERROR HTTPError: 429 Too Many Requests")] * 3, 6, "answered HTTP 429 to 3 uploads", 3),
        ([(1, "ERROR HTTPError: 502 Bad Gateway")] * 3, 7, "HTTP 502 to 3 uploads", 3),
        ([(1, "requests.exceptions.ConnectionError: [Errno 111] Connection refused")], 7, "was refused", 1),
        ([(1, "requests.exceptions.SSLError: bad handshake")], 7, "the TLS handshake failed", 1),
        ([(1, "Traceback\nValueError: odd")], 1, "twine upload failed: ValueError: odd", 1),
    ],
    ids=["403", "404", "409", "500", "429", "502", "refused", "tls", "other"],
)
def test_an_upload_fault_is_one_line_with_its_code_and_how_to_finish(
    ca, stub, capsys, monkeypatch, answers, exit_code, words, attempts
):
    steps = FakeSteps(ca, monkeypatch)
    steps.uploads = list(answers)
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, {SDIST: b"sdist"})
    code, out, err = run(ca, capsys, client, "publish")
    assert code == exit_code
    assert words in err and err.count("\n") == 1
    assert f"; in the repository: {SDIST}; not yet: {WHEEL}; finish with: uv run scripts/codeartifact.py publish" in err
    assert sum("upload" in command for command in steps.commands) == attempts
    assert TOKEN not in out + err


def test_an_upload_recovers_when_a_retry_succeeds(ca, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    steps.uploads = [(1, "ERROR HTTPError: 503 Service Unavailable"), (0, "")]
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, {SDIST: b"sdist"})
    assert run(ca, capsys, client, "publish")[0] == 0
    assert steps.uploaded == [WHEEL]


def test_an_upload_that_outlives_its_time_limit_is_unreachable(ca, stub, capsys, monkeypatch):
    FakeSteps(ca, monkeypatch)
    monkeypatch.setenv("CODEARTIFACT_UPLOAD_TIMEOUT", "7")

    def stalled(command: list[str], environ: Any, timeout: float | None = None) -> Any:
        if "upload" in command:
            assert timeout == 7
            raise TimeoutError("no answer within 7 s")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(ca, "run_child", stalled)
    client, stubber = stub
    expect_credentials(stubber)
    monkeypatch.setattr(ca, "distributions_in", lambda folder, package: [Path(WHEEL), Path(SDIST)])
    monkeypatch.setattr(ca, "sha256_of", lambda path: "0")
    expect_assets(stubber, {})
    expect_package(stubber, exists=True)
    code, _, err = run(ca, capsys, client, "publish")
    assert code == 7
    assert "did not finish the upload: no answer within 7 s" in err


def test_publish_dist_uploads_prebuilt_files_without_building(ca, stub, capsys, monkeypatch, tmp_path):
    steps = FakeSteps(ca, monkeypatch)
    for name in (WHEEL, SDIST, "unrelated-9.9.tar.gz", "acme_utils-0.1.0rc1.tar.gz"):
        (tmp_path / name).write_text("x")
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None)
    expect_package(stubber, exists=True)
    code, _, err = run(ca, capsys, client, "publish", "--dist", str(tmp_path))
    assert code == 0, err
    assert not any("build" in command for command in steps.commands)
    assert steps.uploaded == [WHEEL, SDIST]


def test_publish_dist_refuses_a_folder_without_this_version(ca, stub, capsys, monkeypatch, tmp_path):
    steps = FakeSteps(ca, monkeypatch)
    (tmp_path / "acme_utils-0.1.1.tar.gz").write_text("x")
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "publish", "--dist", str(tmp_path))
    assert code == 1
    assert "must hold one wheel and one sdist of acme-utils 0.1.0" in err
    assert steps.uploaded == []


# --- check-tag -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "tag", "ok"),
    [
        ("0.1.0", "v0.1.0", True),
        ("1.0.0-RC.1", "v1.0.0rc1", True),
        ("1.0.0-RC.1", "v1.0.0-RC.1", True),
        ("0.1.0", "v0.1.0rc1", False),
        ("0.1.0", "v0.1.0.post1", False),
        ("0.1.0", "v0.1", False),
        ("0.1.0", "0.1.0", False),
        ("0.1.0", "vnext", False),
    ],
)
def test_check_tag_is_local_and_accepts_only_v_and_the_version(ca, capsys, monkeypatch, version, tag, ok):
    monkeypatch.setattr(ca, "read_pyproject", lambda: {"project": {"name": "acme-utils", "version": version}})
    monkeypatch.setattr(ca, "make_client", lambda *args: pytest.fail("check-tag needs no AWS"))
    monkeypatch.setattr(ca, "load_settings", lambda *args: pytest.fail("check-tag needs no settings"))
    code, out, err = run(ca, capsys, None, "check-tag", tag)
    assert code == (0 if ok else 1)
    canonical = ca.load_package({"project": {"name": "a", "version": version}}).version
    assert (f"matches the version {canonical}" in out) if ok else (f"tag the release v{canonical}" in err)


# --- the script's own quality ----------------------------------------------------------


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
    the script's PEP 723 header asks for; after changing it, refresh them as README.rst says."""
    project = bake_copy()
    tools.uv("lock", "--script", "scripts/codeartifact.py", "--check", cwd=project)
    exported = tools.uv("export", "--script", "scripts/codeartifact.py", "--format", "requirements.txt", cwd=project)
    committed = (project / "scripts" / "requirements.txt").read_text(encoding="utf-8")
    without_header = [line for line in committed.splitlines() if not line.startswith("#")]
    assert [line for line in exported.stdout.splitlines() if not line.startswith("#")] == without_header
    assert "--hash=sha256:" in committed


# --- verify ------------------------------------------------------------------------------


def test_verify_installs_this_version_into_a_new_environment_with_none_of_the_users_pip_settings(
    ca, stub, capsys, monkeypatch
):
    steps = FakeSteps(ca, monkeypatch)
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "https://pypi.org/simple")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "verify")
    assert (code, out, err) == (0, "verified: acme-utils==0.1.0 installs from my-repo into a new environment\n", "")
    venv, install, show = steps.commands
    python = str(Path(venv[-1]) / "bin" / "python")
    assert venv == [sys.executable, "-m", "venv", venv[-1]]
    assert install == [python, "-m", "pip", "install", "--quiet", "acme-utils==0.1.0"]
    assert show == [python, "-m", "pip", "show", "acme-utils"]
    environ = steps.environments[1]
    assert environ["PIP_INDEX_URL"] == f"https://aws:{TOKEN}@{ENDPOINT[8:]}simple/"
    assert environ["PIP_CONFIG_FILE"] == os.devnull and "PIP_EXTRA_INDEX_URL" not in environ
    assert (environ["PIP_DISABLE_PIP_VERSION_CHECK"], environ["PIP_NO_CACHE_DIR"]) == ("1", "1")
    assert steps.environments[2] == environ
    assert not Path(venv[-1]).exists()  # the environment was temporary


@pytest.mark.parametrize(
    ("install_status", "shown", "words"),
    [
        (1, "Version: 0.1.0\n", "acme-utils==0.1.0 does not install from my-repo"),
        (0, "Name: acme-utils\nVersion: 0.0.9\n", "my-repo gave acme-utils 0.0.9, not 0.1.0\n"),
        (0, "Name: acme-utils\n", "my-repo gave acme-utils ?, not 0.1.0\n"),
    ],
    ids=["no-install", "other-version", "no-version"],
)
def test_verify_refuses_what_does_not_install_and_masks_the_token(
    ca, stub, capsys, monkeypatch, install_status, shown, words
):
    steps = FakeSteps(ca, monkeypatch)
    steps.install_status, steps.shown = install_status, shown
    steps.install_output = f"ERROR: 404 from https://aws:{TOKEN}@host/simple/acme-utils/"
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "verify")
    assert code == 1
    assert err.startswith(f"error: {words}") and TOKEN not in err


# --- the command line --------------------------------------------------------------------

HELP_SNAPSHOT = Path(__file__).with_name("support") / "release-tool-help.txt"


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


# --- where each tool keeps its configuration, on each platform ----------------------------


@pytest.fixture
def on_platform(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., dict[str, str]]:
    """``on_platform(name, **variables)``: run as if on ``name``, home /h, with only these variables."""

    def switch(platform: str, **variables: str) -> dict[str, str]:
        monkeypatch.setattr(sys, "platform", platform)
        monkeypatch.setenv("HOME", str(tmp_path / "h"))
        return variables

    return switch


def test_pip_reads_its_files_where_the_pip_documentation_says(ca, on_platform, tmp_path):
    """https://pip.pypa.io/en/stable/topics/configuration/#location, in pip's order."""
    h = tmp_path / "h"
    linux = on_platform("linux", XDG_CONFIG_DIRS=f"/x1{os.pathsep}/x2", VIRTUAL_ENV="/venv")
    assert ca.pip_config_files(linux) == [
        ("global", Path("/x1/pip/pip.conf")),
        ("global", Path("/x2/pip/pip.conf")),
        ("global", Path("/etc/pip.conf")),
        ("user", h / ".pip" / "pip.conf"),
        ("user", h / ".config" / "pip" / "pip.conf"),
        ("site", Path("/venv/pip.conf")),
    ]
    assert ca.pip_config_files({"XDG_CONFIG_HOME": "/c"})[:2] == [
        ("global", Path("/etc/xdg/pip/pip.conf")),
        ("global", Path("/etc/pip.conf")),
    ]
    assert ca.pip_config_files({"XDG_CONFIG_HOME": "/c"})[-1] == ("user", Path("/c/pip/pip.conf"))

    darwin = on_platform("darwin")
    assert ca.pip_config_files(darwin) == [
        ("global", Path("/Library/Application Support/pip/pip.conf")),
        ("user", h / ".pip" / "pip.conf"),
        ("user", h / ".config" / "pip" / "pip.conf"),  # no ~/Library/Application Support/pip
    ]
    (h / "Library" / "Application Support" / "pip").mkdir(parents=True)
    assert ca.pip_config_files(darwin)[-1] == ("user", h / "Library" / "Application Support" / "pip" / "pip.conf")

    windows = on_platform("win32", APPDATA="/appdata", VIRTUAL_ENV="/venv")
    assert ca.pip_config_files(windows) == [
        ("global", Path("C:/ProgramData/pip/pip.ini")),
        ("user", h / "pip" / "pip.ini"),
        ("user", Path("/appdata/pip/pip.ini")),
        ("site", Path("/venv/pip.ini")),
    ]
    assert ca.pip_config_files({"PROGRAMDATA": "/pd"})[0] == ("global", Path("/pd/pip/pip.ini"))
    assert ca.pip_config_files({})[-1] == ("user", h / "AppData" / "Roaming" / "pip" / "pip.ini")


def test_pip_config_file_replaces_the_users_files_only_when_it_exists(ca, on_platform, tmp_path):
    given = tmp_path / "given.conf"
    linux = on_platform("linux", XDG_CONFIG_DIRS="/x", PIP_CONFIG_FILE=str(given))
    kinds = ["global", "global", "user", "user", "PIP_CONFIG_FILE"]
    assert [kind for kind, _ in ca.pip_config_files(linux)] == kinds
    given.write_text("")
    assert ca.pip_config_files(linux) == [
        ("global", Path("/x/pip/pip.conf")),
        ("global", Path("/etc/pip.conf")),
        ("PIP_CONFIG_FILE", given),
    ]
    assert ca.pip_config_file(linux) == given
    assert ca.pip_config_file({"XDG_CONFIG_HOME": "/c"}) == Path("/c/pip/pip.conf")


@pytest.mark.parametrize(
    ("platform", "variables", "folders"),
    [
        ("linux", {}, []),
        ("linux", {"XDG_CONFIG_HOME": "/c", "XDG_DATA_HOME": "/d"}, []),
        ("darwin", {}, []),
        ("darwin", {}, ["h/Library/Application Support/pip"]),
        ("darwin", {"XDG_CONFIG_HOME": "/c", "XDG_DATA_HOME": "DATA"}, []),
        ("darwin", {"XDG_CONFIG_HOME": "/c", "XDG_DATA_HOME": "DATA"}, ["DATA/pip"]),
        ("win32", {"APPDATA": "/a", "LOCALAPPDATA": "/l"}, []),
    ],
)
def test_pip_user_file_is_the_one_pip_itself_finds(
    ca, on_platform, tmp_path, monkeypatch, platform, variables, folders
):
    """pip's own utils/appdirs.py, with its vendored platformdirs imported again as on each
    system, names the same file as the tool."""
    from pip._internal.utils import appdirs
    from pip._vendor import platformdirs as vendored

    variables = {key: value.replace("DATA", str(tmp_path / "data")) for key, value in variables.items()}
    environ = on_platform(platform, **variables)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    for folder in folders:
        (tmp_path / folder.replace("DATA", "data")).mkdir(parents=True)
    if platform == "win32":
        monkeypatch.setattr(importlib.import_module("pip._vendor.platformdirs.windows"), "get_win_folder",
                            lambda csidl: variables["APPDATA"])  # fmt: skip
    try:
        importlib.reload(vendored)
        expected = Path(appdirs.user_config_dir("pip")) / ("pip.ini" if platform == "win32" else "pip.conf")
        assert ca.pip_user_file(environ) == expected
    finally:
        monkeypatch.undo()
        importlib.reload(vendored)


@pytest.mark.parametrize(
    ("platform", "variables", "uv"),
    [
        ("linux", {}, "h/.config/uv/uv.toml"),
        ("linux", {"XDG_CONFIG_HOME": "/c"}, "/c/uv/uv.toml"),
        ("darwin", {"XDG_CONFIG_HOME": "/c"}, "/c/uv/uv.toml"),
        ("win32", {"APPDATA": "/a", "LOCALAPPDATA": "/l"}, "/a/uv/uv.toml"),
        ("win32", {}, "h/AppData/Roaming/uv/uv.toml"),
    ],
)
def test_poetry_and_uv_keep_their_configuration_where_their_own_code_and_documentation_say(
    ca, on_platform, tmp_path, monkeypatch, platform, variables, uv
):
    """Poetry's folder is platformdirs' user_config_dir("pypoetry", appauthor=False, roaming=True)
    (poetry/locations.py), asked here of platformdirs' class for each system; uv's is in
    https://docs.astral.sh/uv/concepts/configuration-files/. A relative path is under HOME."""
    environ = on_platform(platform, **variables)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    system = {
        "linux": platformdirs.unix.Unix,
        "darwin": platformdirs.macos.MacOS,
        "win32": platformdirs.windows.Windows,
    }
    if platform == "win32":  # platformdirs asks Windows itself, or, elsewhere, these variables
        monkeypatch.setattr(platformdirs.windows, "get_win_folder", lambda csidl: {
            "CSIDL_APPDATA": variables.get("APPDATA", str(tmp_path / "h/AppData/Roaming")),
        }[csidl])  # fmt: skip
    poetry = system[platform](appname="pypoetry", appauthor=False, roaming=True).user_config_dir
    assert ca.user_config_dir("pypoetry", environ) == Path(poetry)
    assert ca.uv_config_file(environ) == tmp_path / uv


@pytest.mark.parametrize(
    ("system", "variables", "expected"),
    [
        ("Linux", {}, "h/.config/python_keyring/keyringrc.cfg"),
        ("Linux", {"XDG_CONFIG_HOME": "/c"}, "/c/python_keyring/keyringrc.cfg"),
        ("Darwin", {}, "h/.config/python_keyring/keyringrc.cfg"),  # keyring has no macOS case
        ("Windows", {"LOCALAPPDATA": "/l"}, "/l/Python Keyring/keyringrc.cfg"),
    ],
)
def test_the_keyring_configuration_is_where_keyring_itself_looks(
    ca, tmp_path, monkeypatch, system, variables, expected
):
    """keyring.util.platform_ picks its function by platform.system() when imported: imported
    again as on each system, keyring and the tool agree on the file keyrings.codeartifact reads."""
    import keyring.util.platform_ as keyring_platform

    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(platform_module, "system", lambda: system)
    try:
        importlib.reload(keyring_platform)
        assert ca.keyring_config_file() == tmp_path / expected
    finally:
        monkeypatch.undo()
        importlib.reload(keyring_platform)


# --- the child processes of a release ----------------------------------------------------


def test_a_step_runs_in_the_project_in_its_own_session_with_only_the_given_environment(ca):
    script = (
        "import os, sys; print(os.getcwd()); print(sorted(k for k in os.environ if k != 'LC_CTYPE')); "
        "print(repr(sys.stdin.read()), flush=True); print(os.getpgid(0) == os.getpid(), file=sys.stderr); sys.exit(3)"
    )
    proc = ca.run_child([sys.executable, "-c", script], {"ONLY": "this"})
    assert (proc.returncode, proc.stderr) == (3, "")
    assert proc.stdout.splitlines() == [str(ca.PROJECT_ROOT), "['ONLY']", "''", "True"]
    assert proc.args == [sys.executable, "-c", script]


def process_is_gone(pid: int, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_a_step_that_outlives_its_timeout_is_stopped_with_everything_it_started(ca, tmp_path):
    pid_file = tmp_path / "grandchild"
    command = ["sh", "-c", f'sleep 30 & echo $! > "{pid_file}"; wait']
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"^no answer within 0\.5 s$"):
        ca.run_child(command, dict(os.environ), timeout=0.5)
    assert time.monotonic() - started < 4
    assert process_is_gone(int(pid_file.read_text()))


def test_a_step_that_ignores_sigterm_is_killed_after_five_seconds(ca):
    script = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert child.stdout.readline() == "up\n"
    graces: list[float | None] = []
    wait = child.wait
    child.wait = lambda timeout=None: graces.append(timeout) or wait(timeout)  # type: ignore[method-assign]
    started = time.monotonic()
    ca.stop_group(child)
    assert 5 <= time.monotonic() - started < 8
    assert child.returncode == -signal.SIGKILL
    assert graces[:2] == [5.0, 5.0]  # five seconds after SIGTERM, then as long after SIGKILL
    assert child.stdout.closed


def test_stopping_a_step_that_already_ended_does_nothing(ca):
    child = subprocess.Popen([sys.executable, "-c", "print('bye')"], stdout=subprocess.PIPE, text=True)
    child.wait()
    ca.stop_group(child)
    assert child.returncode == 0
    assert child.stdout.closed  # what it printed was collected, its pipe closed


@pytest.mark.parametrize(("signum", "name", "code"), [(signal.SIGINT, "SIGINT", 130), (signal.SIGTERM, "SIGTERM", 143)])
def test_a_signal_becomes_its_own_exit_code(ca, signum, name, code):
    stopped = ca.Stopped(signum)
    assert (str(stopped), stopped.exit_code) == (f"stopped by {name}", code)


def test_a_failed_tool_is_named_by_its_last_line_or_its_status(ca):
    assert ca.last_line(subprocess.CompletedProcess([], 2, "first\nsecond\n", "third\n\n")) == "third"
    assert ca.last_line(subprocess.CompletedProcess([], 2, "only\n", "")) == "only"
    assert ca.last_line(subprocess.CompletedProcess([], 2, " \n", "")) == "exit status 2"


def test_the_work_tree_is_clean_dirty_or_not_in_git(bake_copy, monkeypatch):
    project = bake_copy(project_name="Git State")
    module = load_release_tool(project)
    assert module.git_tree_state() == "none"
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    assert module.git_tree_state() == "clean"
    assert module.git_output("rev-parse", "--is-inside-work-tree") == "true\n"
    (project / "new.txt").write_text("x")
    assert module.git_tree_state() == "dirty"
    monkeypatch.setenv("PATH", "")
    assert module.git_output("status") is None and module.git_tree_state() == "none"


# --- the build's environment and the .pypirc it may share ---------------------------------

BUILD_CREDENTIALS = {
    "uv": {"UV_INDEX_CODEARTIFACT_USERNAME": "aws", "UV_INDEX_CODEARTIFACT_PASSWORD": TOKEN},
    "poetry": {
        "POETRY_REPOSITORIES_CODEARTIFACT_URL": ENDPOINT,
        "POETRY_HTTP_BASIC_CODEARTIFACT_USERNAME": "aws",
        "POETRY_HTTP_BASIC_CODEARTIFACT_PASSWORD": TOKEN,
    },
    "pip": {"PIP_INDEX_URL": f"https://aws:{TOKEN}@{ENDPOINT[8:]}simple/"},
}


@pytest.mark.parametrize("manager", MANAGERS)
def test_the_build_gets_its_tools_credentials_and_the_commits_time(ca, private_home, monkeypatch, manager):
    asked = []
    monkeypatch.setattr(ca, "git_output", lambda *args: asked.append(args) or "1700000000\n")
    settings = ca.Settings("my-domain", "111122223333", "my-repo", "us-east-1", manager)
    environ = ca.build_environment(settings, ENDPOINT, TOKEN)
    added = {name: value for name, value in environ.items() if os.environ.get(name) != value}
    assert added == {**BUILD_CREDENTIALS[manager], "SOURCE_DATE_EPOCH": "1700000000"}
    assert asked == [("log", "-1", "--format=%ct")]


@pytest.mark.parametrize("commit_time", [None, "", " \n"])
def test_without_a_commit_the_build_gets_no_time(ca, private_home, monkeypatch, commit_time):
    monkeypatch.setattr(ca, "git_output", lambda *args: commit_time)
    settings = ca.Settings("my-domain", "111122223333", "my-repo", "us-east-1", "uv")
    assert "SOURCE_DATE_EPOCH" not in ca.build_environment(settings, ENDPOINT, TOKEN)


def test_a_source_date_epoch_of_the_users_wins(ca, private_home, monkeypatch):
    monkeypatch.setattr(ca, "git_output", lambda *args: "1700000000\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "315532800")
    settings = ca.Settings("my-domain", "111122223333", "my-repo", "us-east-1", "uv")
    assert ca.build_environment(settings, ENDPOINT, TOKEN)["SOURCE_DATE_EPOCH"] == "315532800"


def test_login_twine_keeps_every_other_index_of_the_pypirc_and_names_what_it_replaces(ca, stub, capsys, private_home):
    pypirc = private_home / ".pypirc"
    pypirc.write_text(
        "[distutils]\nindex-servers =\n    pypi\n    testpypi\n    codeartifact\n\n"
        "[pypi]\nusername = __token__\n\n[testpypi]\nrepository = https://test.pypi.org/legacy/\n\n"
        "[codeartifact]\nrepository = https://old.example/pypi/old/\nusername = aws\npassword = old\n"
    )
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "twine")
    assert code == 0
    parser = ini(pypirc)
    assert parser.get("distutils", "index-servers").split() == ["pypi", "testpypi", "codeartifact"]
    assert parser.defaults() == {}
    assert dict(parser["pypi"]) == {"username": "__token__"}
    assert dict(parser["testpypi"]) == {"repository": "https://test.pypi.org/legacy/"}
    assert dict(parser["codeartifact"]) == {"repository": ENDPOINT, "username": "aws", "password": TOKEN}
    assert "codeartifact.repository https://old.example/pypi/old/" in out + err
    assert TOKEN not in out + err and "password = old" not in out + err


# --- the files login writes, and the keyring it needs -------------------------------------

PIP_CONF = (
    "[global]\nindex-url = https://me:s3cret@old.example/simple/\ntimeout = 60\n\n[install]\nno-binary = :none:\n"
)
INDEX = f"{ENDPOINT[8:]}simple/"


def test_pip_gets_the_token_in_its_index_url_and_keeps_the_rest(ca, tmp_path):
    conf = tmp_path / "pip.conf"
    conf.write_text(PIP_CONF)
    write = ca.pip_write(conf, ENDPOINT, TOKEN)
    rest = "timeout = 60\n\n[install]\nno-binary = :none:\n"
    assert write.text == f"[global]\nindex-url = https://aws:{TOKEN}@{INDEX}\n{rest}"
    assert write.shown == f"[global]\nindex-url = https://aws:****@{INDEX}\n{rest}"
    assert write.before == PIP_CONF.replace("s3cret", "****")
    assert (write.path, write.private, write.replaced) == (
        conf,
        True,
        "global.index-url https://me:****@old.example/simple/",
    )


def test_pip_with_the_keyring_gets_the_user_only_and_asks_the_keyring(ca, tmp_path):
    conf = tmp_path / "pip.conf"
    conf.write_text(PIP_CONF)
    write = ca.pip_keyring_write(conf, ENDPOINT)
    expected = (
        f"[global]\nindex-url = https://aws@{INDEX}\ntimeout = 60\nkeyring-provider = subprocess\n\n"
        "[install]\nno-binary = :none:\n"
    )
    assert (write.text, write.shown) == (expected, expected)
    assert write.replaced == "global.index-url https://me:****@old.example/simple/"
    fresh = ca.pip_keyring_write(tmp_path / "new.conf", ENDPOINT)
    assert fresh.text == f"[global]\nindex-url = https://aws@{INDEX}\nkeyring-provider = subprocess\n"
    assert fresh.replaced == ""


def fake_program(path: Path, script: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def keyringless(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A PATH with a pipx that 'installs' a keyring command on inject, and no uv or keyring."""
    bin_dir = tmp_path / "bin"
    keyring = fake_program(tmp_path / "keyring-program", "echo 'keyrings.codeartifact.CodeArtifactBackend'")
    fake_program(
        bin_dir / "pipx",
        f'echo "$@" >> {tmp_path}/pipx-calls\n[ "$1" = inject ] && cp {keyring} {bin_dir}/keyring\nexit 0',
    )
    return bin_dir, {"PATH": f"{bin_dir}:/usr/bin:/bin"}


def test_without_uv_the_keyring_is_installed_with_pipx(ca, tmp_path, keyringless):
    bin_dir, environ = keyringless
    done = f"{bin_dir}/pipx install --force keyring && {bin_dir}/pipx inject keyring keyrings.codeartifact"
    assert ca.ensure_keyring(environ, dry_run=True) == f"would run: {done}"
    assert not (tmp_path / "pipx-calls").exists()
    assert ca.ensure_keyring(environ) == f"installed keyring with keyrings.codeartifact ({done}); {bin_dir}/keyring"
    assert (tmp_path / "pipx-calls").read_text().splitlines() == [
        "install --force keyring",
        "inject keyring keyrings.codeartifact",
    ]
    assert ca.ensure_keyring(environ) == f"found {bin_dir}/keyring with keyrings.codeartifact"


def test_the_keyring_of_the_tools_own_environment_is_not_the_users(ca, tmp_path, monkeypatch):
    """`uv run` and an activated virtual environment put the tool's environment first on PATH;
    its keyring (twine's) has no backend, and pip and uv, run from the user's shell, never see it."""
    own = tmp_path / "tool-env" / "bin"
    fake_program(own / "keyring", "echo 'keyring.backends.fail.Keyring'")
    users = fake_program(tmp_path / "home-bin" / "keyring", "echo 'keyrings.codeartifact.CodeArtifactBackend'")
    monkeypatch.setattr(ca.sysconfig, "get_path", lambda name: str(own) if name == "scripts" else "")
    environ = {"PATH": f"{own}:{users.parent}:/usr/bin:/bin"}
    assert ca.user_path(environ) == f"{users.parent}:/usr/bin:/bin"
    assert ca.ensure_keyring(environ) == f"found {users} with keyrings.codeartifact"
    assert ca.user_path({"PATH": f"{own}/:{own}/../bin::/bin"}) == "/bin"  # the same folder, however written


def test_the_uv_variable_names_the_uv_that_installs_the_keyring(ca, tmp_path, keyringless):
    _, environ = keyringless
    uv = fake_program(tmp_path / "elsewhere" / "uv", "exit 0")
    assert ca.ensure_keyring({**environ, "UV": str(uv)}, dry_run=True) == (
        f"would run: {uv} tool install --force keyring --with keyrings.codeartifact"
    )


def test_a_keyring_install_that_fails_or_lands_off_path_is_one_clear_error(ca, tmp_path, keyringless):
    bin_dir, environ = keyringless
    fake_program(bin_dir / "pipx", "echo 'something went wrong'; echo 'no space left' >&2; exit 1")
    with pytest.raises(ca.ToolError) as failed:
        ca.ensure_keyring(environ)
    assert str(failed.value) == f"`{bin_dir}/pipx install --force keyring` failed: no space left"
    elsewhere = tmp_path / "pipx-bin"
    fake_program(elsewhere / "keyring", "echo 'keyrings.codeartifact.CodeArtifactBackend'")
    fake_program(bin_dir / "pipx", f'[ "$1" = environment ] && echo "{elsewhere}"; exit 0')
    with pytest.raises(ca.ToolError) as off_path:
        ca.ensure_keyring(environ)
    assert str(off_path.value) == (
        f"keyring is installed in {elsewhere}, which is not on PATH: run "
        f'`export PATH="{elsewhere}:$PATH"` in this shell and `pipx ensurepath` for the next ones'
    )
    fake_program(bin_dir / "keyring", "echo 'keyring.backends.fail.Keyring'")
    with pytest.raises(ca.ToolError) as shadowed:
        ca.ensure_keyring(environ)
    assert str(shadowed.value) == (
        f"{bin_dir}/keyring comes first on PATH and has no keyrings.codeartifact: put {elsewhere} "
        "before its folder on PATH, or uninstall it"
    )
    with pytest.raises(ca.ToolError) as nothing:
        ca.ensure_keyring({"PATH": str(tmp_path / "empty")})
    assert str(nothing.value) == (
        "the keyring command is not installed: `uv tool install keyring --with keyrings.codeartifact` "
        "or `pipx install keyring && pipx inject keyring keyrings.codeartifact`"
    )


@pytest.mark.parametrize("has_backend", [True, False])
def test_poetry_is_asked_through_the_python_that_runs_it(ca, tmp_path, has_backend):
    python = fake_program(
        tmp_path / "venv" / "python3.12",
        f'printf "%s\\n" "$@" > {tmp_path}/python-args\nexit {0 if has_backend else 1}',
    )
    poetry = fake_program(tmp_path / "bin" / "poetry", "")
    poetry.write_text(f"#!{python}\n# a second line, longer than the first\n")
    environ = {"PATH": "/usr/bin:/bin"}
    assert ca.poetry_has_backend(str(poetry), environ) is has_backend
    flag, check = (tmp_path / "python-args").read_text().splitlines()
    assert flag == "-c" and "find_spec('keyrings.codeartifact')" in check
    # the check itself, run by a real Python with the backend (the tests') and without it
    assert subprocess.run([sys.executable, "-c", check]).returncode == 0
    assert subprocess.run([sys.executable, "-S", "-c", check]).returncode == 1


@pytest.mark.parametrize("first_line", ["#!/bin/sh", "#!/missing/python3", "not a script", "#!python3"])
def test_poetry_started_otherwise_is_asked_with_poetry_self_show(ca, tmp_path, monkeypatch, first_line):
    poetry = tmp_path / "poetry"
    poetry.write_text(f"{first_line}\n#!{sys.executable}\n")
    asked = []
    monkeypatch.setattr(
        ca, "run_tool", lambda command, environ: asked.append(command) or subprocess.CompletedProcess(command, 1)
    )
    assert ca.poetry_has_backend(str(poetry), {}) is False
    assert asked == [[str(poetry), "self", "show", "keyrings.codeartifact"]]


# --- settings, durations and the indexes uv would read ------------------------------------


@pytest.mark.parametrize(
    ("duration", "reason"),
    [
        ("soon", "must be a whole number of seconds"),
        ("1", "must be 0 or 900 to 43200 seconds (15 minutes to 12 hours)"),
        ("899", "must be 0 or 900 to 43200 seconds (15 minutes to 12 hours)"),
        ("43201", "must be 0 or 900 to 43200 seconds (15 minutes to 12 hours)"),
    ],
)
def test_a_token_duration_is_refused_with_its_rule(ca, duration, reason):
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        ca.duration_seconds(duration)
    assert str(refused.value) == reason


@pytest.mark.parametrize("duration", ["0", "900", "43200"])
def test_a_token_duration_at_the_edges_is_taken(ca, duration):
    assert ca.duration_seconds(duration) == int(duration)


def test_a_project_without_settings_is_told_every_way_to_give_them(ca):
    with pytest.raises(ca.ToolError) as missing:
        ca.load_settings({}, {})
    assert str(missing.value) == (
        "missing CodeArtifact settings: domain, domain-owner, repository, region; set them in "
        "[tool.codeartifact] in pyproject.toml or with CODEARTIFACT_DOMAIN, CODEARTIFACT_DOMAIN_OWNER, "
        "CODEARTIFACT_REPOSITORY and CODEARTIFACT_REGION"
    )
    table = {"domain": "d1", "domain-owner": "111122223333", "repository": "r1", "region": "eu-west-1"}
    assert ca.load_settings({"tool": {"codeartifact": table}}, {}).package_manager == "pip"


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC for the test, and the machine's own again after it."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_token_expiry_is_told_in_local_time(ca, utc):
    assert ca.expiry_note(1700000000) == "; the token expires at 2023-11-14 22:13 UTC"
    assert ca.expiry_note(0) == ""


@pytest.mark.parametrize(
    ("variables", "pyproject", "uv_toml", "found"),
    [
        ({"UV_INDEX_URL": "u", "UV_FIND_LINKS": "f", "UV_INDEX": ""}, {}, "", [
            "the environment variable UV_INDEX_URL", "the environment variable UV_FIND_LINKS",
        ]),
        ({}, {"tool": {"uv": {"index": [
            {"name": "codeartifact", "url": "x"}, {"url": "https://mirror.example/simple"},
            {"name": "torch", "url": "y", "explicit": True}, {"name": "pypi", "url": "z"},
        ]}}}, "", [
            "[[tool.uv.index]] https://mirror.example/simple in pyproject.toml, not explicit",
            "[[tool.uv.index]] pypi in pyproject.toml, not explicit",
        ]),
        ({}, {}, 'index-url = "u"\nextra-index-url = ["e"]\nfind-links = ["f"]\n', [
            "extra-index-url in {config}", "index-url in {config}", "find-links in {config}",
        ]),
    ],
)  # fmt: skip
def test_every_other_index_uv_would_read_is_named(ca, tmp_path, variables, pyproject, uv_toml, found):
    config = tmp_path / "uv.toml"
    if uv_toml:
        config.write_text(uv_toml)
    assert ca.uv_index_settings(variables, pyproject, config) == [line.format(config=config) for line in found]


# --- one upload, its retries and its one-line failures ------------------------------------

GATEWAY = "a gateway or proxy answered HTTP {} to 3 uploads: the repository cannot be reached"
REFUSED = (
    "the repository refused the upload (HTTP {}): the token has expired or your identity lacks "
    "codeartifact:PublishPackageVersion"
)


@pytest.mark.parametrize(
    ("output", "message", "exit_code"),
    [
        ("HTTPError: 401 Unauthorized", REFUSED.format(401), 5),
        ("HTTPError: 403 Forbidden", REFUSED.format(403), 5),
        ("HTTPError: 404 Not Found", REFUSED.format(404), 5),
        ("HTTPError: 402 Payment Required", "twine upload failed: HTTPError: 402 Payment Required", 1),
        ("HTTPError: 409 Conflict", "the repository already has this file with other content; bump the version", 1),
        ("HTTPError: 502 Bad Gateway", GATEWAY.format(502), 7),
        ("HTTPError: 504 Gateway Timeout", GATEWAY.format(504), 7),
        ("HTTPError: 503 Slow Down", "the repository answered HTTP 503 to 3 uploads", 6),
        ("HTTPError: 429 Too Many Requests", "the repository answered HTTP 429 to 3 uploads", 6),
        ("HTTPError: 500 Internal Server Error", "the repository answered HTTP 500 to 3 uploads", 6),
        ("HTTPError: 501 Not Implemented", "the repository answered HTTP 501 to 3 uploads", 6),
        ("", "twine upload failed: no output", 1),
        ("Uploading x\n  \nConnection refused\n", "cannot reach the repository: the connection was refused", 7),
    ],
)  # fmt: skip
def test_a_failed_upload_is_one_line_with_its_exit_code(ca, output, message, exit_code):
    failure = ca.upload_failure(output, 3)
    assert (str(failure), int(failure.exit_code)) == (message, exit_code)


@pytest.fixture
def twine_answers(ca, monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple[int, str]], list[tuple], list[float]]:
    """``(answers, calls, sleeps)``: twine answers each upload with the next (status, output)."""
    answers: list[tuple[int, str]] = []
    calls: list[tuple] = []
    sleeps: list[float] = []

    def twine(command, environ, timeout=None):
        calls.append((command, environ, timeout))
        status, output = answers.pop(0) if answers else (0, "")
        return subprocess.CompletedProcess(command, status, output, "")

    monkeypatch.setattr(ca, "run_child", twine)
    monkeypatch.setattr(ca.time, "sleep", sleeps.append)
    monkeypatch.delenv("CODEARTIFACT_RETRY_DELAY", raising=False)
    return answers, calls, sleeps


def test_an_upload_goes_by_twine_with_the_token_in_its_environment(ca, twine_answers, tmp_path):
    _, calls, sleeps = twine_answers
    ca.upload_one(ENDPOINT, tmp_path / WHEEL, TOKEN, 42)
    ((command, environ, timeout),) = calls
    assert command == [
        sys.executable, "-m", "twine", "--no-color", "upload", "--non-interactive", "--disable-progress-bar",
        "--repository-url", ENDPOINT, str(tmp_path / WHEEL),
    ]  # fmt: skip
    assert (environ["TWINE_USERNAME"], environ["TWINE_PASSWORD"], timeout, sleeps) == ("aws", TOKEN, 42, [])


def test_throttling_is_retried_twice_with_backoff_then_reported(ca, twine_answers, tmp_path):
    answers, calls, sleeps = twine_answers
    answers += [(1, f"HTTPError: 503 at https://aws:{TOKEN}@host/")] * 3
    with pytest.raises(ca.ToolError) as failed:
        ca.upload_one(ENDPOINT, tmp_path / WHEEL, TOKEN, 42)
    assert (len(calls), sleeps) == (3, [2, 4])
    assert str(failed.value) == "the repository answered HTTP 503 to 3 uploads"


@pytest.mark.parametrize(
    ("output", "uploads"),
    [
        ("HTTPError: 503 Service Unavailable", 1),  # a twine that says nothing of retries
        ("Retry 1 of 5.\nRetry 2 of 5.\nRetry 3 of 5.\nRetry 4 of 5.\nRetry 5 of 5.\nHTTPError: 503 x", 5),
        ("Retry 1 of 5.\nRetry 2 of 5.\nHTTPError: 409 Conflict", 3),  # two 5xx, then a refusal
        ("HTTPError: 429 Too Many Requests", 1),  # twine does not send a 429 again
    ],
)
def test_the_uploads_twine_made_are_counted_with_its_own_retries(ca, output, uploads):
    assert ca.uploads_made(output) == uploads


def test_the_message_counts_every_upload_twine_made(ca, twine_answers, tmp_path):
    answers, calls, _ = twine_answers
    retried = "".join(f'Received "503"\nRetry {n} of 5.\n' for n in range(1, 6)) + "HTTPError: 503 Slow Down"
    answers += [(1, retried)] * 3
    with pytest.raises(ca.ToolError) as failed:
        ca.upload_one(ENDPOINT, tmp_path / WHEEL, TOKEN, 42)
    assert len(calls) == 3 and str(failed.value) == "the repository answered HTTP 503 to 15 uploads"
    answers += [(1, "HTTPError: 401 Unauthorized")]
    with pytest.raises(ca.ToolError) as refused:
        ca.upload_one(ENDPOINT, tmp_path / WHEEL, TOKEN, 42)
    assert "(HTTP 401)" in str(refused.value)


def test_a_retry_that_succeeds_is_silent_and_the_delay_can_be_set(ca, twine_answers, tmp_path, monkeypatch):
    answers, calls, sleeps = twine_answers
    monkeypatch.setenv("CODEARTIFACT_RETRY_DELAY", "0.5")
    answers += [(1, "HTTPError: 429 Too Many Requests"), (1, "HTTPError: 500 Internal Server Error")]
    ca.upload_one(ENDPOINT, tmp_path / WHEEL, TOKEN, 42)
    assert (len(calls), sleeps) == (3, [0.5, 1.0])


def test_a_refusal_is_not_retried_and_a_hang_is_unreachable(ca, twine_answers, tmp_path, monkeypatch):
    answers, calls, _ = twine_answers
    answers.append((1, "HTTPError: 403 Forbidden"))
    with pytest.raises(ca.ToolError) as refused:
        ca.upload_one(ENDPOINT, tmp_path / WHEEL, TOKEN, 42)
    assert len(calls) == 1 and refused.value.exit_code == ca.Exit.TOKEN_REJECTED

    def hang(command, environ, timeout=None):
        raise TimeoutError(f"no answer within {timeout:g} s")

    monkeypatch.setattr(ca, "run_child", hang)
    with pytest.raises(ca.ToolError) as hung:
        ca.upload_one(ENDPOINT, tmp_path / WHEEL, TOKEN, 42)
    assert str(hung.value) == "the repository did not finish the upload: no answer within 42 s"
    assert hung.value.exit_code == ca.Exit.UNREACHABLE


def test_a_fault_after_publish_dist_says_to_finish_with_the_same_folder(ca, stub, capsys, monkeypatch, tmp_path):
    steps = FakeSteps(ca, monkeypatch)
    steps.uploads = [(1, "ERROR HTTPError: 403 Forbidden")]
    dist = tmp_path / "my dist"
    dist.mkdir()
    for name in (WHEEL, SDIST):
        (dist / name).write_text("x")
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None)
    expect_package(stubber, exists=True)
    code, _, err = run(ca, capsys, client, "publish", "--dist", str(dist))
    assert code == 5
    assert err.endswith(
        f"; in the repository: none; not yet: {WHEEL}, {SDIST}; "
        f"finish with: uv run scripts/codeartifact.py publish --dist '{dist}'\n"
    )


def test_twine_check_problems_stop_the_release_with_its_output(ca, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    real = steps.run_child

    def check_fails(command, environ, timeout=None):
        if "check" in command:
            return subprocess.CompletedProcess(
                command, 1, f"FAILED x.whl\n  `long_description` has syntax errors {TOKEN}\n", ""
            )
        return real(command, environ, timeout)

    monkeypatch.setattr(ca, "run_child", check_fails)
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "publish")
    assert code == 1
    assert err == (
        "error: twine check --strict found problems:\nFAILED x.whl\n  `long_description` has syntax errors ****\n"
    )
    assert steps.uploaded == []


# --- AWS answers, the client, and the files login writes ----------------------------------


def client_error(code: str, message: str, operation: str) -> Exception:
    return aws.ClientError({"Error": {"Code": code, "Message": message}}, operation)


@pytest.mark.parametrize(
    ("error", "message", "exit_code"),
    [
        (aws.UnauthorizedSSOTokenError(), "the AWS SSO session has expired: run `aws sso login`", 3),
        (
            client_error("AccessDeniedException", "not authorized", "DescribeDomain"),
            "access denied: your AWS identity may not call codeartifact:DescribeDomain (not authorized)",
            4,
        ),
        (
            client_error("AccessDeniedException", "no", "GetAuthorizationToken"),
            "access denied: your AWS identity may not call codeartifact:GetAuthorizationToken and "
            "sts:GetServiceBearerToken (no)",
            4,
        ),
        (
            aws.ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "GetRepositoryEndpoint"),
            "not found: ; check [tool.codeartifact] in pyproject.toml",
            8,
        ),
        (
            client_error("ValidationException", "bad domain", "GetRepositoryEndpoint"),
            "CodeArtifact refused GetRepositoryEndpoint: ValidationException: bad domain",
            1,
        ),
    ],
    ids=["sso", "unknown-operation", "token", "no-message", "other"],
)
def test_an_aws_error_becomes_a_sentence_and_an_exit_code(ca, error, message, exit_code):
    translated = ca.translate_aws_error(error)
    assert (str(translated), int(translated.exit_code)) == (message, exit_code)


def test_the_token_comes_with_its_expiry(ca, stub):
    client, stubber = stub
    expires = datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc)
    response = {"authorizationToken": TOKEN, "expiration": expires}
    stubber.add_response("get_authorization_token", response, {**OWNER, "durationSeconds": 900})
    stubber.add_response("get_authorization_token", {"authorizationToken": TOKEN}, dict(OWNER))
    settings = ca.load_settings(ca.read_pyproject(), {})
    assert ca.fetch_token(client, settings, 900) == (TOKEN, 1700000000)
    assert ca.fetch_token(client, settings) == (TOKEN, 0)


def test_the_client_has_short_timeouts_standard_retries_and_the_projects_region(ca, private_home, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_RETRY_MODE", "legacy")  # the client's own retry mode wins over the user's
    settings = ca.Settings("my-domain", "111122223333", "my-repo", "eu-west-1", "uv")
    config = ca.make_client(settings, {}).meta.config
    assert (config.connect_timeout, config.read_timeout, config.retries["mode"]) == (10, 30, "standard")
    assert config.region_name == "eu-west-1"
    environ = {"CODEARTIFACT_CONNECT_TIMEOUT": "3", "CODEARTIFACT_READ_TIMEOUT": "4.5"}
    config = ca.make_client(settings, environ).meta.config
    assert (config.connect_timeout, config.read_timeout) == (3, 4.5)


def test_a_file_is_replaced_whole_with_the_mode_its_secrets_need(ca, tmp_path):
    shared, private = tmp_path / "conf" / "shared.cfg", tmp_path / "conf" / "private.cfg"
    ca.write_file(ca.ConfigWrite(shared, "é\n", "é\n", private=False))
    ca.write_file(ca.ConfigWrite(private, "secret\n", "****\n"))
    assert (shared.read_bytes(), mode(shared)) == ("é\n".encode(), 0o644)
    assert (private.read_text(), mode(private)) == ("secret\n", 0o600)
    assert sorted(path.name for path in (tmp_path / "conf").iterdir()) == ["private.cfg", "shared.cfg"]


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary_one(ca, tmp_path, monkeypatch):
    target = tmp_path / "conf" / "pip.conf"
    target.parent.mkdir()
    target.write_text("old\n")

    def full_disk(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ca.os, "replace", full_disk)
    with pytest.raises(OSError, match="No space left"):
        ca.write_file(ca.ConfigWrite(target, "new\n", "new\n"))
    assert [path.name for path in target.parent.iterdir()] == ["pip.conf"]
    assert target.read_text() == "old\n"


def test_the_new_file_is_made_beside_the_old_one_so_that_the_rename_is_atomic(ca, tmp_path, monkeypatch):
    target = tmp_path / "conf" / "pip.conf"
    renames = []
    real = os.replace
    monkeypatch.setattr(
        ca.os, "replace", lambda source, destination: renames.append(source) or real(source, destination)
    )
    ca.write_file(ca.ConfigWrite(target, "new\n", "new\n"))
    (source,) = renames
    assert Path(source).parent == target.parent and Path(source).name.startswith(".pip.conf.")


def test_keyring_gets_a_configuration_file_once_readable_by_all(ca, private_home, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(private_home / ".config"))
    (write,) = ca.keyring_config_writes()
    assert write.path == private_home / ".config" / "python_keyring" / "keyringrc.cfg"
    assert (
        write.text
        == write.shown
        == (
            "# Options of keyrings.codeartifact (profile_name, token_duration, ...):\n"
            "# https://pypi.org/project/keyrings.codeartifact/\n[codeartifact]\n"
        )
    )
    assert write.private is False
    ca.write_file(write)
    assert ca.keyring_config_writes() == []
    write.path.unlink()
    write.path.symlink_to(private_home / "elsewhere.cfg")  # a dangling link is the user's too
    assert ca.keyring_config_writes() == []


# --- small parts with large consequences ---------------------------------------------------


def test_the_first_signal_stops_the_tool_and_later_ones_are_ignored(ca):
    ca.stop_on_signals()
    with pytest.raises(ca.Stopped) as stopped:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)  # the handler raises in the main thread, here
    assert stopped.value.exit_code == ca.Exit.TERMINATED
    assert signal.getsignal(signal.SIGINT) == signal.getsignal(signal.SIGTERM) == signal.SIG_IGN


def test_only_a_regular_file_or_a_link_to_one_is_written(ca, tmp_path):
    (tmp_path / "real.cfg").write_text("")
    (tmp_path / "link.cfg").symlink_to(tmp_path / "real.cfg")
    assert ca.writable_target(tmp_path / "link.cfg") == tmp_path / "real.cfg"
    assert ca.writable_target(tmp_path / "new.cfg") == tmp_path / "new.cfg"
    assert ca.writable_target(tmp_path / "real.cfg") == tmp_path / "real.cfg"
    for path, kind in ((tmp_path, "a folder"), (Path(os.devnull), "not a regular file")):
        with pytest.raises(ca.ToolError) as refused:
            ca.writable_target(path)
        assert str(refused.value) == f"{path} is {kind}; point the tool's configuration at a regular file"


def test_an_interrupted_upload_says_what_is_in_and_how_to_finish(ca, monkeypatch, capsys, tmp_path):
    files = [tmp_path / WHEEL, tmp_path / SDIST, tmp_path / "acme_utils-0.1.0-py2-none-any.whl"]
    uploaded = []

    def upload_one(endpoint, file, token, timeout):
        if file == files[1]:
            raise ca.Stopped(signal.SIGINT)
        uploaded.append((endpoint, file.name, token, timeout))

    monkeypatch.setattr(ca, "upload_one", upload_one)
    with pytest.raises(ca.Stopped) as stopped:
        ca.publish_files(ENDPOINT, files, ["x.tar.gz"], TOKEN, 9, "uv run scripts/codeartifact.py publish")
    assert str(stopped.value) == (
        f"stopped by SIGINT; in the repository: x.tar.gz, {WHEEL}; not yet: {SDIST}, "
        "acme_utils-0.1.0-py2-none-any.whl; finish with: uv run scripts/codeartifact.py publish"
    )
    assert uploaded == [(ENDPOINT, WHEEL, TOKEN, 9)]
    assert capsys.readouterr().out == f"uploaded {WHEEL}\n"

    def refused(endpoint, file, token, timeout):
        raise ca.ToolError("refused")

    monkeypatch.setattr(ca, "upload_one", refused)
    with pytest.raises(ca.ToolError, match=r"^refused; in the repository: none; not yet: "):
        ca.publish_files(ENDPOINT, files, [], TOKEN, 9, "finish")


@pytest.mark.parametrize(
    ("error", "missing"),
    [
        (client_error("ResourceNotFoundException", "no", "ListPackageVersionAssets"), True),
        (aws.ClientError({"Error": {"Code": "ResourceNotFoundException"}, "resourceType": "package"}, "X"), True),
        (
            aws.ClientError({"Error": {"Code": "ResourceNotFoundException"}, "resourceType": "package-version"}, "X"),
            True,
        ),
        (aws.ClientError({"Error": {"Code": "ResourceNotFoundException"}, "resourceType": "repository"}, "X"), False),
        (client_error("AccessDeniedException", "no", "ListPackageVersionAssets"), False),
        (KeyError("ResourceNotFoundException"), False),
    ],
)
def test_only_a_missing_package_or_version_counts_as_nothing_published(ca, error, missing):
    assert ca.is_missing(error) is missing


def test_the_files_of_a_version_are_read_across_pages_by_their_sha256(ca, stub):
    client, stubber = stub
    page = {"assets": [{"name": WHEEL, "hashes": {"SHA-256": "a" * 64}}, {"name": "odd.txt"}], "nextToken": "2"}
    stubber.add_response("list_package_version_assets", page, VERSION)
    stubber.add_response("list_package_version_assets", {"assets": [{"name": SDIST, "hashes": {"MD5": "b" * 32}}]})
    settings = ca.load_settings(ca.read_pyproject(), {})
    package = ca.load_package(ca.read_pyproject())
    assert ca.stored_assets(client, settings, package) == {WHEEL: "a" * 64, "odd.txt": "", SDIST: ""}


def test_a_url_is_compared_without_its_credentials(ca):
    assert ca.without_credentials(f"https://aws:{TOKEN}@{INDEX}") == f"https://{INDEX[:-1]}"
    assert ca.without_credentials("https://mirror.example/simple/") == "https://mirror.example/simple"
    assert ca.without_credentials("file:///srv/wheels/") == "file:///srv/wheels"


def test_the_uv_that_builds_is_the_one_named_or_found(ca, tmp_path, monkeypatch):
    assert ca.uv_binary({"UV": "/opt/uv"}) == "/opt/uv"
    fake_program(tmp_path / "bin" / "uv", "exit 0")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert ca.uv_binary({}) == str(tmp_path / "bin" / "uv")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ca.ToolError, match=r"^uv is not installed: see https://docs\.astral\.sh/uv/getting-started/"):
        ca.uv_binary({})


def test_a_tool_runs_with_the_given_environment_or_is_named_when_missing(ca, tmp_path):
    proc = ca.run_tool(["sh", "-c", 'echo "$ONLY"; exit 4'], {"ONLY": "this", "PATH": "/usr/bin:/bin"})
    assert (proc.returncode, proc.stdout, proc.stderr) == (4, "this\n", "")
    with pytest.raises(ca.ToolError, match=rf"^cannot run {tmp_path}/nothing: \[Errno 2\]"):
        ca.run_tool([str(tmp_path / "nothing"), "x"], {})


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


def test_verify_on_windows_runs_the_environments_own_python(ca, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    monkeypatch.setattr(sys, "platform", "win32")
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "verify")[0] == 0
    venv, install, _ = steps.commands
    assert install[0] == str(Path(venv[-1]) / "Scripts" / "python.exe")


@pytest.mark.parametrize(
    ("failing", "message"),
    [("venv", "no virtual environment"), ("show", "acme-utils==0.1.0 is not in the new environment")],
)
def test_verify_names_the_step_that_failed(ca, stub, capsys, monkeypatch, failing, message):
    steps = FakeSteps(ca, monkeypatch)
    real = steps.run_child

    def fails(command, environ, timeout=None):
        if failing in command:
            return subprocess.CompletedProcess(command, 1, f"boom {TOKEN}", "")
        return real(command, environ, timeout)

    monkeypatch.setattr(ca, "run_child", fails)
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "verify")
    assert (code, err) == (1, f"error: {message}:\nboom ****\n")


def test_uv_gets_the_token_on_standard_input_and_keeps_it_in_its_store(ca, tmp_path, capfd):
    uv = fake_program(tmp_path / "uv", f'echo "$@" > {tmp_path}/args; cat > {tmp_path}/stdin; echo "stored"')
    environ = {"UV": str(uv), "PATH": "/usr/bin:/bin"}
    command = f"{uv} auth login {ENDPOINT} --username aws --password -"
    assert ca.uv_login(ENDPOINT, TOKEN, environ, dry_run=True) == (
        f"would run: {command}   # the token on standard input"
    )
    assert not (tmp_path / "args").exists()
    done = ca.uv_login(ENDPOINT, TOKEN, environ, dry_run=False)
    assert done == f"uv will use the token for {ENDPOINT} (stored with `uv auth login`)"
    assert (tmp_path / "args").read_text() == command[len(str(uv)) + 1 :] + "\n"
    assert (tmp_path / "stdin").read_text() == TOKEN
    assert capfd.readouterr() == ("", "")


def test_a_failed_uv_login_is_named_with_the_token_masked(ca, tmp_path):
    uv = fake_program(tmp_path / "uv", f'echo "error: cannot store {TOKEN}" >&2; exit 2')
    with pytest.raises(ca.ToolError) as failed:
        ca.uv_login(ENDPOINT, TOKEN, {"UV": str(uv)}, dry_run=False)
    assert str(failed.value) == "`uv auth login` failed: error: cannot store ****"


def test_a_keyring_dry_run_shows_each_file_with_its_mode_and_each_command(
    ca, stub, capsys, monkeypatch, private_home, tmp_path
):
    bin_dir = fake_keyring_tools(tmp_path / "bin", has_keyring=False)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "pip", "--keyring", "--dry-run")
    assert (code, err) == (0, "")
    config = private_home / ".config"
    assert out == (
        f"would run: {bin_dir}/uv tool install --force keyring --with keyrings.codeartifact\n"
        f"would change {config}/pip/pip.conf (mode 0600):\n"
        f"--- /dev/null\n+++ {config}/pip/pip.conf\n@@ -0,0 +1,3 @@\n"
        f"+[global]\n+index-url = https://aws@{INDEX}\n+keyring-provider = subprocess\n"
        f"would change {config}/python_keyring/keyringrc.cfg:\n"
        f"--- /dev/null\n+++ {config}/python_keyring/keyringrc.cfg\n@@ -0,0 +1,3 @@\n"
        "+# Options of keyrings.codeartifact (profile_name, token_duration, ...):\n"
        "+# https://pypi.org/project/keyrings.codeartifact/\n+[codeartifact]\n"
    )
    assert not (bin_dir / "uv-calls").exists() and not config.exists()


# --- edges: each test below fails on a bug mutation testing showed the tests above let pass ---


def with_package_manager(ca: ModuleType, monkeypatch: pytest.MonkeyPatch, manager: str) -> None:
    pyproject = ca.read_pyproject()
    pyproject["tool"]["codeartifact"]["package-manager"] = manager
    monkeypatch.setattr(ca, "read_pyproject", lambda: pyproject)


def test_a_package_manager_the_tool_does_not_know_builds_and_is_run_as_with_pip(ca, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    steps.uploads = [(1, "HTTPError: 403 Forbidden")]
    with_package_manager(ca, monkeypatch, "hatch")
    client, stubber = stub
    for _ in range(2):
        expect_credentials(stubber)
        expect_assets(stubber, None)
        expect_package(stubber, exists=True)
    code, _, err = run(ca, capsys, client, "publish")
    assert code == 5
    assert err.endswith("; finish with: python scripts/codeartifact.py publish\n")
    assert steps.commands[0][:4] == [sys.executable, "-m", "build", "--outdir"]
    assert steps.environments[0]["PIP_INDEX_URL"] == f"https://aws:{TOKEN}@{ENDPOINT[8:]}simple/"
    code, out, _ = run(ca, capsys, client, "publish")
    assert out.splitlines()[-1] == "check that it installs from there: python scripts/codeartifact.py verify"


def test_the_build_runs_the_uv_the_uv_variable_names(ca, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    monkeypatch.setenv("UV", "/opt/uv/bin/uv")
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, {WHEEL: b"wheel", SDIST: b"sdist"})
    assert run(ca, capsys, client, "publish")[0] == 0
    assert steps.commands[0][:3] == ["/opt/uv/bin/uv", "build", "--out-dir"]


@pytest.mark.parametrize(("variable", "timeout"), [(None, 300), ("7.5", 7.5)])
def test_each_upload_has_five_minutes_unless_told_otherwise(ca, stub, capsys, monkeypatch, variable, timeout):
    steps = FakeSteps(ca, monkeypatch)
    if variable:
        monkeypatch.setenv("CODEARTIFACT_UPLOAD_TIMEOUT", variable)
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, {WHEEL: b"wheel"})
    assert run(ca, capsys, client, "publish")[0] == 0
    assert steps.timeouts[-1] == timeout


def test_login_tells_when_the_token_it_asked_for_expires(ca, stub, capsys, private_home, utc):
    client, stubber = stub
    expires = datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc)
    response = {"authorizationToken": TOKEN, "expiration": expires}
    stubber.add_response("get_authorization_token", response, {**OWNER, "durationSeconds": 3600})
    expect_endpoint(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "pip", "--duration", "3600")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "logged pip in to my-repo; the token expires at 2023-11-14 22:13 UTC"


def test_a_first_login_replaces_nothing_and_says_nothing_about_it(ca, stub, capsys, private_home):
    client, stubber = stub
    for tool in ("pip", "twine"):
        expect_credentials(stubber)
        code, out, _ = run(ca, capsys, client, "login", "--tool", tool)
        assert code == 0 and not [line for line in out.splitlines() if line.startswith("replaces ")]
    conf = private_home / ".config" / "pip" / "pip.conf"
    assert conf.read_text() == f"[global]\nindex-url = https://aws:{TOKEN}@{ENDPOINT[8:]}simple/\n"
    pypirc = (private_home / ".pypirc").read_text()
    assert pypirc.startswith("[distutils]\nindex-servers =\n\tpypi\n\tcodeartifact\n\n[codeartifact]\n")
    expect_credentials(stubber)
    code, out, _ = run(ca, capsys, client, "login", "--tool", "pip", "--dry-run")
    assert f"replaces global.index-url https://aws:****@{ENDPOINT[8:]}simple/ in {conf}\n" in out


def test_a_twine_dry_run_shows_the_pypirc_with_the_token_masked(ca, stub, capsys, private_home):
    client, stubber = stub
    expect_credentials(stubber)
    code, out, _ = run(ca, capsys, client, "login", "--tool", "twine", "--dry-run")
    assert code == 0
    pypirc = private_home / ".pypirc"
    assert out == (
        f"would change {pypirc} (mode 0600):\n--- /dev/null\n+++ {pypirc}\n@@ -0,0 +1,9 @@\n"
        "+[distutils]\n+index-servers =\n+\tpypi\n+\tcodeartifact\n+\n"
        f"+[codeartifact]\n+repository = {ENDPOINT}\n+username = aws\n+password = ****\n"
    )


def test_poetry_login_writes_where_poetry_config_dir_says(ca, stub, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("POETRY_CONFIG_DIR", str(tmp_path / "poetry-config"))
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "poetry")[0] == 0
    assert sorted(p.name for p in (tmp_path / "poetry-config").iterdir()) == ["auth.toml", "config.toml"]


def poetry_program(tmp_path: Path, show_status: int, add_status: int = 0) -> Path:
    return fake_program(
        tmp_path / "bin" / "poetry",
        f'[ "$2" = show ] && exit {show_status}\necho "could not add: no network" >&2\nexit {add_status}',
    )


def test_poetry_keyring_files_have_the_modes_their_contents_need(ca, stub, capsys, monkeypatch, private_home, tmp_path):
    monkeypatch.setenv("PATH", f"{poetry_program(tmp_path, 0).parent}:/usr/bin:/bin")
    config_dir = private_home / ".config" / "pypoetry"
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "poetry", "--keyring")
    assert (code, err) == (0, "")
    assert "found keyrings.codeartifact in Poetry's environment\n" in out
    assert (mode(config_dir / "config.toml"), mode(config_dir / "auth.toml")) == (0o644, 0o600)
    (config_dir / "auth.toml").write_text('[http-basic.corp]\nusername = "me"\n')
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "poetry", "--keyring")[0] == 0
    assert tomllib.loads((config_dir / "auth.toml").read_text()) == {"http-basic": {"corp": {"username": "me"}}}


def test_uv_keyring_settings_are_readable_by_all(ca, stub, capsys, monkeypatch, private_home, tmp_path):
    monkeypatch.setenv("PATH", f"{fake_keyring_tools(tmp_path / 'bin', True)}:/usr/bin:/bin")
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "uv", "--keyring")[0] == 0
    assert mode(private_home / ".config" / "uv" / "uv.toml") == 0o644


def test_poetry_without_the_backend_is_named_in_each_case(ca, tmp_path):
    environ = {"PATH": "/usr/bin:/bin"}
    with pytest.raises(ca.ToolError) as missing:
        ca.poetry_keyring(environ, dry_run=False)
    assert str(missing.value) == "Poetry is not installed: see https://python-poetry.org/docs/#installation"
    poetry = poetry_program(tmp_path, show_status=1, add_status=1)
    environ = {"PATH": f"{poetry.parent}:/usr/bin:/bin"}
    assert ca.poetry_keyring(environ, dry_run=True) == f"would run: {poetry} self add keyrings.codeartifact"
    with pytest.raises(ca.ToolError) as failed:
        ca.poetry_keyring(environ, dry_run=False)
    assert str(failed.value) == f"`{poetry} self add keyrings.codeartifact` failed: could not add: no network"


def test_a_poetry_that_pipx_installed_gets_the_backend_from_pipx(ca, tmp_path):
    """pipx inject reads any index's simple pages; poetry self add needs PyPI's JSON API."""
    venvs = tmp_path / "pipx" / "venvs"
    poetry = poetry_program(venvs / "poetry", show_status=1)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "poetry").symlink_to(poetry)
    pipx = fake_program(bin_dir / "pipx", f'[ "$1" = environment ] && echo "{venvs}"\necho "$@" >> {tmp_path}/calls')
    environ = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    assert ca.poetry_keyring(environ, dry_run=True) == f"would run: {pipx} inject poetry keyrings.codeartifact"
    assert ca.poetry_keyring(environ, dry_run=False) == (
        f"installed keyrings.codeartifact in Poetry's environment ({pipx} inject poetry keyrings.codeartifact)"
    )
    assert (tmp_path / "calls").read_text().splitlines()[-1] == "inject poetry keyrings.codeartifact"
    fake_program(bin_dir / "pipx", f'[ "$1" = environment ] && echo "{tmp_path / "other"}"; exit 0')
    assert ca.poetry_keyring(environ, dry_run=True) == f"would run: {bin_dir}/poetry self add keyrings.codeartifact"


def test_poetry_dry_run_only_says_what_it_would_run(ca, stub, capsys, monkeypatch, tmp_path):
    poetry = poetry_program(tmp_path, show_status=1)
    monkeypatch.setenv("PATH", f"{poetry.parent}:/usr/bin:/bin")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, _ = run(ca, capsys, client, "login", "--tool", "poetry", "--keyring", "--dry-run")
    assert code == 0 and f"would run: {poetry} self add keyrings.codeartifact\n" in out


def test_a_poetry_that_is_a_binary_or_has_a_spaced_shebang_is_still_asked(ca, tmp_path):
    python = fake_program(tmp_path / "py" / "python3", "exit 0")
    spaced = tmp_path / "spaced-poetry"
    spaced.write_text(f"#! {python}\n")
    assert ca.poetry_has_backend(str(spaced), {}) is True
    binary = fake_program(tmp_path / "bin" / "poetry", '[ "$2" = show ] && exit 1\nexit 0')
    binary.write_bytes(b"\x7fELF\xff\xfe\x00\n" + binary.read_bytes())  # not text, not a script
    with pytest.raises(ca.ToolError, match=r"^cannot run "):  # not here, but it was read without a decoding error
        ca.poetry_has_backend(str(binary), {})


def test_a_keyring_without_the_backend_or_that_fails_does_not_count(ca, tmp_path):
    listing = "echo 'keyrings.codeartifact.CodeArtifactBackend (priority: 9.9)'"
    cases = {
        f'[ "$1" = --list-backends ] && {listing}': True,
        "echo 'keyring.backends.fail.Keyring (priority: 0)'": False,
        f"{listing}; exit 1": False,
    }
    for number, (script, has_backend) in enumerate(cases.items()):
        keyring = fake_program(tmp_path / str(number) / "keyring", script)
        assert ca.keyring_has_backend(str(keyring), {}) is has_backend, script


def test_powershell_values_double_their_single_quotes(ca):
    assert ca.shell_lines([("X", "it's")], "powershell", None) == ["$env:X = 'it''s'"]


def test_without_a_command_the_tool_shows_its_usage(ca, capsys):
    with pytest.raises(SystemExit) as usage:
        ca.main([])
    assert usage.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "codeartifact.py: error: the following arguments are required: command"
    )


def test_each_uploaded_file_is_reported_at_once(ca, monkeypatch, tmp_path):
    """A job killed in the middle (a CI time limit) still shows what is in the repository."""
    shown: list[str] = []

    class Console(io.StringIO):
        def flush(self) -> None:
            shown.append(self.getvalue())

    monkeypatch.setattr(ca, "upload_one", lambda *args: None)
    monkeypatch.setattr(sys, "stdout", Console())
    ca.publish_files(ENDPOINT, [tmp_path / WHEEL, tmp_path / SDIST], [], TOKEN, 10, "finish")
    assert shown[:2] == [f"uploaded {WHEEL}\n", f"uploaded {WHEEL}\nuploaded {SDIST}\n"]


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


def test_environment_and_uv_toml_indexes_are_named_together(ca, tmp_path):
    config = tmp_path / "uv.toml"
    config.write_text('index-url = "https://mirror.example/simple"\n')
    assert ca.uv_index_settings({"UV_INDEX_URL": "u"}, {}, config) == [
        "the environment variable UV_INDEX_URL",
        f"index-url in {config}",
    ]


PY2_WHEEL = "acme_utils-0.1.0-py2-none-any.whl"


@pytest.mark.parametrize(
    ("files", "holds"),
    [
        (None, "nothing"),
        ([WHEEL, PY2_WHEEL, SDIST], f"['{PY2_WHEEL}', '{WHEEL}', '{SDIST}']"),
        (["notes.whl", SDIST], f"['{SDIST}', 'notes.whl']"),
    ],
    ids=["no-folder", "two-wheels", "not-a-wheel"],
)  # fmt: skip
def test_a_dist_folder_needs_exactly_one_wheel_and_one_sdist(ca, tmp_path, files, holds):
    folder = tmp_path / "dist"
    for name in files or []:
        folder.mkdir(exist_ok=True)
        (folder / name).write_text("x")
    package = ca.Package("acme-utils", "0.1.0")
    with pytest.raises(ca.ToolError) as refused:
        ca.distributions_in(folder, package)
    assert str(refused.value) == f"{folder} must hold one wheel and one sdist of acme-utils 0.1.0; it holds: {holds}"
    (folder / "notes.whl").unlink(missing_ok=True)
    if files and "notes.whl" in files:
        (folder / WHEEL).write_text("x")
        (folder / "notes.whl").write_text("x")
        assert [p.name for p in ca.distributions_in(folder, package)] == [WHEEL, SDIST]


@pytest.mark.parametrize(
    "pyproject",
    [{}, {"project": {"name": "acme-utils"}}, {"project": {"version": "1.0"}}],
    ids=["none", "name", "version"],
)
def test_a_project_without_a_name_or_a_version_cannot_be_published(ca, pyproject):
    with pytest.raises(ca.ToolError) as refused:
        ca.load_package(pyproject)
    assert str(refused.value) == "pyproject.toml needs [project] name and version to publish"


def test_an_unreadable_file_is_named_with_the_reason(ca, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(ca.ToolError) as broken:
        ca.read_pyproject(tmp_path)
    assert str(broken.value).startswith(f"cannot read {tmp_path / 'pyproject.toml'}: Expected ']'")
    (tmp_path / "pip.conf").write_bytes(b"[global]\nindex-url = caf\xe9\n")
    with pytest.raises(ca.ToolError) as undecodable:
        ca.read_text_or_empty(tmp_path / "pip.conf")
    assert str(undecodable.value).startswith(f"cannot read {tmp_path / 'pip.conf'}: 'utf-8' codec can't decode")


def test_files_are_read_and_written_as_utf8_whatever_the_locale(ca, tmp_path, latin1_locale):
    (tmp_path / "pyproject.toml").write_bytes('[project]\nname = "café"\n'.encode())
    assert ca.read_pyproject(tmp_path) == {"project": {"name": "café"}}
    assert ca.read_text_or_empty(tmp_path / "pyproject.toml") == '[project]\nname = "café"\n'
    ca.write_file(ca.ConfigWrite(tmp_path / "out.cfg", "é\n", "é\n", private=False))
    assert (tmp_path / "out.cfg").read_bytes() == "é\n".encode()


def test_a_page_without_assets_has_none(ca, stub):
    client, stubber = stub
    stubber.add_response("list_package_version_assets", {"nextToken": "2"}, VERSION)
    stubber.add_response("list_package_version_assets", {"assets": []}, {**VERSION, "nextToken": "2"})
    settings = ca.load_settings(ca.read_pyproject(), {})
    assert ca.stored_assets(client, settings, ca.Package("acme-utils", "0.1.0")) == {}


def test_an_error_without_the_usual_fields_still_makes_a_sentence(ca):
    bare = aws.ClientError({}, "GetAuthorizationToken")
    assert (ca.error_code(bare), ca.attempts_made(bare)) == ("", 1)
    assert str(ca.translate_aws_error(bare)) == "CodeArtifact refused GetAuthorizationToken: : "


def test_an_endpoint_keeps_a_repository_name_that_ends_in_x(ca, stub):
    client, stubber = stub
    endpoint = ENDPOINT.replace("my-repo", "pypiX").rstrip("/")
    stubber.add_response("get_repository_endpoint", {"repositoryEndpoint": endpoint}, {**REPO, "format": "pypi"})
    settings = ca.load_settings(ca.read_pyproject(), {})
    assert ca.fetch_endpoint(client, settings) == endpoint + "/"
    assert ca.without_credentials(f"https://aws:x@{endpoint[8:]}/") == endpoint


def test_a_failed_upload_shows_twines_last_line_without_the_token(ca, twine_answers, tmp_path):
    answers, _, _ = twine_answers
    answers.append((1, f"ERROR unexpected answer for https://aws:{TOKEN}@host/"))
    with pytest.raises(ca.ToolError) as failed:
        ca.upload_one(ENDPOINT, tmp_path / WHEEL, TOKEN, 42)
    assert str(failed.value) == "twine upload failed: ERROR unexpected answer for https://aws:****@host/"


def test_a_step_never_reads_the_users_terminal(ca):
    read_end, write_end = os.pipe()
    os.write(write_end, b"typed by the user\n")
    os.close(write_end)
    saved = os.dup(0)
    os.dup2(read_end, 0)
    try:
        proc = ca.run_child([sys.executable, "-c", "import sys; print(repr(sys.stdin.read()))"], dict(os.environ), 10)
    finally:
        os.dup2(saved, 0)
        os.close(saved)
        os.close(read_end)
    assert proc.stdout == "''\n"


# --- what login owns in another program's file, and nothing else -------------------------

USER_INI = (
    "; the team's settings, kept by hand\n[global]\ntimeout = 60  ; a slow VPN\n\n# mirrors\n"
    "trusted-host = corp.example\n\n[install]\nno-binary = :none:\n\n[pypi]\nusername = __token__\n"
)
USER_TOML = (
    '# my uv settings\nnative-tls = true  # the proxy\n\n[pip]\nindex-strategy = "first-index"\n\n'
    '[http-basic.corp]\nusername = "me"  # mine\n\n[repositories.corp]\nurl = "https://corp.example/"\n'
)


def only_owned_lines_changed(before: str, after: str, owned: Callable[[str], bool]) -> list[str]:
    """The lines of the diff that are neither the tool's entries nor blank: none, if the user's
    bytes survived (line endings included: the lines are compared with them)."""
    diff = difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True))
    changed = [line[2:] for line in diff if line[:2] in ("- ", "+ ")]
    return [line for line in changed if line.strip() and not owned(line.strip())]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize(
    ("writer", "text", "owned"),
    [
        ("pip_write", USER_INI, ("[global]", "index-url =")),
        ("pip_keyring_write", USER_INI, ("index-url =", "keyring-provider =")),
        (
            "pypirc_write",
            USER_INI,
            (
                "[distutils]",
                "index-servers =",
                "pypi",
                "codeartifact",
                "[codeartifact]",
                "repository =",
                "username = aws",
                "password =",
            ),
        ),
        ("uv_keyring_write", USER_TOML, ('keyring-provider = "subprocess"',)),
        ("poetry_config", USER_TOML, ("[repositories.codeartifact]", "url =")),
        ("poetry_auth", USER_TOML, ("[http-basic.codeartifact]", 'username = "aws"', "password =")),
    ],
)
def test_login_changes_only_its_own_entries_of_a_users_file(ca, tmp_path, writer, text, owned, newline):
    """Comments, blank lines, inline comments, key order, other sections and line endings of
    pip.conf, .pypirc, uv.toml and Poetry's files survive every write, byte for byte."""
    path = tmp_path / "config"
    path.write_bytes(text.replace("\n", newline).encode())
    writes = {
        "pip_write": lambda: ca.pip_write(path, ENDPOINT, TOKEN),
        "pip_keyring_write": lambda: ca.pip_keyring_write(path, ENDPOINT),
        "pypirc_write": lambda: ca.pypirc_write(path, ENDPOINT, TOKEN),
        "uv_keyring_write": lambda: ca.uv_keyring_write(path),
        "poetry_config": lambda: ca.poetry_repository_write(tmp_path, ENDPOINT),
        "poetry_auth": lambda: ca.poetry_writes(tmp_path, ENDPOINT, TOKEN)[1],
    }
    if writer.startswith("poetry"):
        path = tmp_path / ("config.toml" if writer == "poetry_config" else "auth.toml")
        path.write_bytes(text.replace("\n", newline).encode())
    write = writes[writer]()
    before = path.read_bytes().decode()
    ca.write_file(write)
    after = path.read_bytes().decode()
    assert only_owned_lines_changed(before, after, lambda line: line.startswith(owned)) == []
    assert after.count("\n") == after.count(newline) and after != before
    assert write.diff().startswith(f"--- {path}\n+++ {path}\n") and TOKEN not in write.diff()


def test_poetry_is_asked_where_its_configuration_is(ca, tmp_path):
    """POETRY_CONFIG_DIR, else the installed Poetry's own answer, else platformdirs' rule."""
    python = fake_program(tmp_path / "poetry-env" / "bin" / "python3", "echo /where/poetry/says")
    poetry = fake_program(tmp_path / "bin" / "poetry", "exit 0")
    poetry.write_text(f"#!{python}\n")
    environ = {"PATH": f"{poetry.parent}:/usr/bin:/bin", "XDG_CONFIG_HOME": "/xdg"}
    assert ca.poetry_config_dir(environ) == Path("/where/poetry/says")
    assert ca.poetry_config_dir({**environ, "POETRY_CONFIG_DIR": "/given"}) == Path("/given")
    fake_program(python, "exit 1")  # a Poetry that cannot answer
    assert ca.poetry_config_dir(environ) == ca.user_config_dir("pypoetry", environ)


# --- output that cannot be written ---------------------------------------------------------


class BrokenOutput:
    """Standard output that fails as a closed pipe or a full disk does: on write or on flush."""

    def __init__(self, error: OSError, on: str) -> None:
        self.error, self.on = error, on

    def write(self, text: str) -> int:
        if self.on == "write":
            raise self.error
        return len(text)

    def flush(self) -> None:
        raise self.error


OUTPUT_ERRORS = {
    "closed-pipe": (BrokenPipeError(errno.EPIPE, "Broken pipe"), 141, ""),
    "full-disk": (
        OSError(errno.ENOSPC, "No space left on device"),
        74,
        "error: cannot write the output: No space left on device\n",
    ),
}


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


SSO_CONFIG = """\
[profile legacy]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Dev

[profile modern]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Dev

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
"""


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


def test_a_keyring_uv_installed_keeps_its_plugins_and_one_pipx_manages_is_only_given_the_backend(ca, tmp_path):
    tools = tmp_path / "uv-tools"
    receipt = tools / "keyring" / "uv-receipt.toml"
    receipt.parent.mkdir(parents=True)
    receipt.write_text(
        '[tool]\nrequirements = [{ name = "keyring" }, { name = "keyrings-alt" },\n'
        '    { name = "jaraco-classes", specifier = ">=3" }, { name = "keyring-x", extras = ["a", "b"] }]\n'
    )
    keyring = fake_program(tools / "keyring" / "bin" / "keyring", "echo 'keyrings.alt.file.PlaintextKeyring'")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "keyring").symlink_to(keyring)
    uv = fake_program(tmp_path / "uv", f'[ "$2" = dir ] && echo "{tools}"; exit 0')
    environ = {"PATH": f"{bin_dir}:/usr/bin:/bin", "UV": str(uv)}
    assert ca.ensure_keyring(environ, dry_run=True) == (
        f"would run: {uv} tool install --force keyring --with keyrings-alt --with 'jaraco-classes>=3' "
        "--with 'keyring-x[a,b]' --with keyrings.codeartifact"
    )
    venvs = tmp_path / "pipx-venvs"
    (venvs / "keyring").mkdir(parents=True)
    (bin_dir / "keyring").unlink()
    (bin_dir / "keyring").symlink_to(fake_program(venvs / "keyring" / "keyring", "echo 'keyrings.alt'"))
    pipx = fake_program(bin_dir / "pipx", f'[ "$1" = environment ] && echo "{venvs}"; exit 0')
    assert ca.ensure_keyring(environ, dry_run=True) == f"would run: {pipx} inject keyring keyrings.codeartifact"


@pytest.mark.slow
def test_a_real_uv_keyring_with_another_backend_keeps_it(ca, tools, tmp_path):
    """uv tool install keyring --with keyrings.alt, then login's keyring step: both backends."""
    bin_dir = tmp_path / "bin"
    environ = tools.env(HOME=str(tmp_path), UV_TOOL_DIR=str(tmp_path / "uv-tools"), UV_TOOL_BIN_DIR=str(bin_dir),
                        UV=tools.uv_bin, UV_DEFAULT_INDEX="https://pypi.org/simple")  # fmt: skip
    environ["PATH"] = f"{bin_dir}:/usr/bin:/bin"
    subprocess.run([tools.uv_bin, "tool", "install", "keyring", "--with", "keyrings.alt"], env=environ, check=True,
                   capture_output=True)  # fmt: skip
    assert ca.ensure_keyring(environ).startswith("installed keyring with keyrings.codeartifact")
    backends = subprocess.run([bin_dir / "keyring", "--list-backends"], env=environ, capture_output=True, text=True)
    assert "keyrings.alt.file" in backends.stdout and "keyrings.codeartifact" in backends.stdout


def test_the_tool_names_its_version_the_newest_of_the_templates_changelog_and_its_template(ca, capsys):
    changelog = (TEMPLATE_DIR / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^#+ Release tool (\S+)$", changelog, re.MULTILINE).group(1)
    assert newest == ca.VERSION
    with pytest.raises(SystemExit):
        ca.parser().parse_args(["--version"])
    commit = json.loads((Path(ca.__file__).parents[1] / ".cruft.json").read_text())["commit"]
    assert capsys.readouterr().out == f"codeartifact.py {newest} (template commit {commit[:12]})\n"
    assert f"(release tool {newest})" in ca.parser().format_help()
