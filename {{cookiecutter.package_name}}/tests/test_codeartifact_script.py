"""Tests of scripts/codeartifact.py, with botocore's Stubber in place of CodeArtifact."""

from __future__ import annotations

import configparser
import importlib.util
import stat
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import EndpointConnectionError, NoCredentialsError
from botocore.stub import Stubber

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "tok3n-Secret.value_123"  # a fake token
ENDPOINT = "https://my-domain-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/my-repo/"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "codeartifact", ROOT / "scripts" / "codeartifact.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ca = load_script()
PYPROJECT = ca.read_pyproject(ROOT)
SETTINGS = ca.load_settings(PYPROJECT, {})
PACKAGE = ca.load_package(PYPROJECT)
OWNER = {"domain": SETTINGS.domain, "domainOwner": SETTINGS.domain_owner}
REPO = {**OWNER, "repository": SETTINGS.repository}
PACKAGE_PARAMS = {**REPO, "format": "pypi", "package": PACKAGE.normalized_name}


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Nothing of the developer's is read or written: a fresh home and no AWS or tool settings."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in ("PIP_CONFIG_FILE", "POETRY_CONFIG_DIR", "GITHUB_ACTIONS", "AWS_REGION", "UV"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def stub() -> Iterator[tuple[Any, Stubber]]:
    session = botocore.session.get_session()
    client = session.create_client(
        "codeartifact",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expect_token(stubber: Stubber, duration: int | None = None) -> None:
    params: dict[str, Any] = dict(OWNER)
    if duration is not None:
        params["durationSeconds"] = duration
    stubber.add_response(
        "get_authorization_token", {"authorizationToken": TOKEN, "expiration": 0}, params
    )


def expect_endpoint(stubber: Stubber) -> None:
    stubber.add_response(
        "get_repository_endpoint", {"repositoryEndpoint": ENDPOINT}, {**REPO, "format": "pypi"}
    )


def expect_credentials(stubber: Stubber, duration: int | None = None) -> None:
    """The two calls every command but ``url`` starts with: the token, then the endpoint."""
    expect_token(stubber, duration)
    expect_endpoint(stubber)


def run(capsys: pytest.CaptureFixture[str], client: Any, *argv: str) -> tuple[int, str, str]:
    code = ca.main(list(argv), client=client)
    out, err = capsys.readouterr()
    return code, out, err


# --- url and env -----------------------------------------------------------------------


def test_url_prints_the_endpoint_without_a_token(stub, capsys):
    client, stubber = stub
    expect_endpoint(stubber)
    expect_endpoint(stubber)
    assert run(capsys, client, "url") == (0, ENDPOINT + "\n", "")
    assert run(capsys, client, "url", "--simple") == (0, ENDPOINT + "simple/\n", "")


def test_env_prints_every_tool_variable_for_sh(stub, capsys):
    client, stubber = stub
    expect_credentials(stubber)
    code, out, _ = run(capsys, client, "env")
    assert code == 0
    lines = out.splitlines()
    assert f"export PIP_INDEX_URL=https://aws:{TOKEN}@{ENDPOINT[8:]}simple/" in lines
    assert f"export UV_DEFAULT_INDEX=codeartifact={ENDPOINT}simple/" in lines
    assert "export UV_INDEX_CODEARTIFACT_USERNAME=aws" in lines
    assert f"export UV_INDEX_CODEARTIFACT_PASSWORD={TOKEN}" in lines
    assert f"export TWINE_REPOSITORY_URL={ENDPOINT}" in lines
    assert f"export TWINE_PASSWORD={TOKEN}" in lines
    assert f"export POETRY_HTTP_BASIC_CODEARTIFACT_PASSWORD={TOKEN}" in lines
    assert f"export POETRY_REPOSITORIES_CODEARTIFACT_URL={ENDPOINT}" in lines


def test_env_for_one_tool_in_powershell(stub, capsys):
    client, stubber = stub
    expect_credentials(stubber, duration=900)
    code, out, _ = run(
        capsys, client, "env", "--tool", "twine", "--shell", "powershell", "--duration", "900"
    )
    assert code == 0
    assert out.splitlines() == [
        f"$env:TWINE_REPOSITORY_URL = '{ENDPOINT}'",
        "$env:TWINE_USERNAME = 'aws'",
        f"$env:TWINE_PASSWORD = '{TOKEN}'",
    ]


def test_env_masks_the_token_in_github_actions(stub, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    client, stubber = stub
    expect_credentials(stubber)
    _, out, _ = run(capsys, client, "env", "--tool", "uv")
    assert out.splitlines()[0] == f"echo ::add-mask::{TOKEN}"


def test_env_values_survive_shell_quoting():
    lines = ca.shell_lines([("X", "it's $HOME")], "sh", None)
    result = subprocess.run(
        ["sh", "-c", f'{lines[0]}; printf %s "$X"'], capture_output=True, text=True
    )
    assert result.stdout == "it's $HOME"


@pytest.mark.parametrize("duration", ["899", "43201", "-1", "soon"])
def test_a_token_duration_out_of_range_is_a_usage_error(duration, capsys):
    with pytest.raises(SystemExit) as exit_info:
        ca.main(["env", "--duration", duration], client=object())
    assert exit_info.value.code == ca.EXIT_USAGE


# --- login -----------------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_login_pip_sets_the_global_index_and_keeps_other_settings(stub, capsys, private_home):
    conf = private_home / ".config" / "pip" / "pip.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("[global]\ntimeout = 60\n")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(capsys, client, "login", "--tool", "pip")
    assert code == 0
    parser = configparser.RawConfigParser()
    parser.read(conf)
    assert parser.get("global", "index-url") == f"https://aws:{TOKEN}@{ENDPOINT[8:]}simple/"
    assert parser.get("global", "timeout") == "60"
    assert mode(conf) == 0o600
    assert TOKEN not in out + err


def test_login_twine_adds_a_private_pypirc_section(stub, capsys, private_home):
    pypirc = private_home / ".pypirc"
    pypirc.write_text("[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = __token__\n")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(capsys, client, "login", "--tool", "twine")
    assert code == 0
    parser = configparser.RawConfigParser()
    parser.read(pypirc)
    assert parser.get("distutils", "index-servers").split() == ["pypi", "codeartifact"]
    assert parser.get("pypi", "username") == "__token__"
    assert dict(parser["codeartifact"]) == {
        "repository": ENDPOINT,
        "username": "aws",
        "password": TOKEN,
    }
    assert mode(pypirc) == 0o600
    assert TOKEN not in out + err


def test_login_poetry_writes_its_repository_and_credentials(stub, capsys, private_home):
    client, stubber = stub
    expect_credentials(stubber)
    assert run(capsys, client, "login", "--tool", "poetry")[0] == 0
    config_dir = private_home / ".config" / "pypoetry"
    config = tomllib.loads((config_dir / "config.toml").read_text())
    auth = tomllib.loads((config_dir / "auth.toml").read_text())
    assert config["repositories"]["codeartifact"] == {"url": ENDPOINT}
    assert auth["http-basic"]["codeartifact"] == {"username": "aws", "password": TOKEN}
    assert mode(config_dir / "auth.toml") == 0o600


def fake_uv(tmp_path: Path) -> Path:
    """A stand-in uv that records its arguments and standard input."""
    script = tmp_path / "uv"
    script.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/args\ncat > {tmp_path}/stdin\n')
    script.chmod(0o755)
    return script


def test_login_uv_passes_the_token_on_stdin(stub, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("UV", str(fake_uv(tmp_path)))
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(capsys, client, "login", "--tool", "uv")
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
def test_login_dry_run_writes_nothing_and_masks_the_token(
    stub, capsys, monkeypatch, tmp_path, private_home, tool
):
    monkeypatch.setenv("UV", str(fake_uv(tmp_path)))
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(capsys, client, "login", "--tool", tool, "--dry-run")
    assert code == 0
    assert "would" in out
    assert TOKEN not in out + err
    assert [p for p in private_home.rglob("*") if p.is_file()] == []
    assert not (tmp_path / "args").exists()


# --- settings --------------------------------------------------------------------------


def test_environment_variables_override_pyproject():
    environ = {
        "CODEARTIFACT_DOMAIN": "other",
        "CODEARTIFACT_DOMAIN_OWNER": "999988887777",
        "CODEARTIFACT_REPOSITORY": "release",
        "AWS_REGION": "eu-west-1",
    }
    settings = ca.load_settings(PYPROJECT, environ)
    assert (settings.domain, settings.domain_owner, settings.repository, settings.region) == (
        "other", "999988887777", "release", "eu-west-1",
    )  # fmt: skip


def test_missing_settings_are_named():
    with pytest.raises(ca.ToolError, match="missing CodeArtifact settings: domain, domain-owner"):
        ca.load_settings({"tool": {"codeartifact": {"repository": "r", "region": "us-east-1"}}}, {})


def test_names_are_normalized_as_codeartifact_stores_them():
    assert ca.Package("Acme.Utils__Extra", "1.0").normalized_name == "acme-utils-extra"


# --- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error_code", "status", "exit_code", "words"),
    [
        ("AccessDeniedException", 403, 4, "may not call codeartifact:GetAuthorizationToken"),
        ("ExpiredTokenException", 400, 3, "run `aws sso login`"),
        ("ThrottlingException", 429, 6, "try again in a minute"),
        ("InternalServerException", 500, 6, "try again in a minute"),
        ("ResourceNotFoundException", 404, 8, "check [tool.codeartifact]"),
        ("ValidationException", 400, 1, "CodeArtifact refused GetAuthorizationToken"),
    ],
)
def test_aws_errors_become_one_clear_line(stub, capsys, error_code, status, exit_code, words):
    client, stubber = stub
    stubber.add_client_error("get_authorization_token", error_code, "the service says no", status)
    code, _, err = run(capsys, client, "env")
    assert code == exit_code
    assert err.startswith("error: ") and err.count("\n") == 1
    assert words in err


class FailingClient:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def get_authorization_token(self, **_: Any) -> Any:
        raise self.error


@pytest.mark.parametrize(
    ("error", "exit_code", "words"),
    [
        (NoCredentialsError(), 3, "run `aws sso login` or set AWS_PROFILE"),
        (EndpointConnectionError(endpoint_url="https://codeartifact.example"), 7, "cannot reach"),
    ],
)
def test_credential_and_network_errors(capsys, error, exit_code, words):
    code, _, err = run(capsys, FailingClient(error), "login", "--tool", "pip")
    assert code == exit_code
    assert words in err


# --- publish ---------------------------------------------------------------------------


class FakeRelease:
    """Records builds and uploads instead of running them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, git_state: str = "clean") -> None:
        self.built = 0
        self.uploads: list[tuple[str, list[str], str]] = []
        monkeypatch.setattr(ca, "git_tree_state", lambda root: git_state)
        monkeypatch.setattr(ca, "build", self.build)
        monkeypatch.setattr(ca, "run_step", lambda *args, **kwargs: "")
        monkeypatch.setattr(ca, "upload", self.upload)
        monkeypatch.setenv("UV", "uv")

    def build(self, settings: Any, package: Any, out: Path, environ: Any, token: str) -> list[Path]:
        self.built += 1
        assert any(token in value for value in environ.values())  # the build may read the index
        files = [out / "pkg-1-py3-none-any.whl", out / "pkg-1.tar.gz"]
        for file in files:
            file.write_text("x")
        return files

    def upload(self, endpoint: str, files: list[Path], token: str) -> None:
        self.uploads.append((endpoint, [f.name for f in files], token))


def expect_version(stubber: Stubber, exists: bool) -> None:
    params = {**PACKAGE_PARAMS, "packageVersion": PACKAGE.version}
    if exists:
        stubber.add_response(
            "describe_package_version", {"packageVersion": {"version": PACKAGE.version}}, params
        )
    else:
        stubber.add_client_error(
            "describe_package_version",
            "ResourceNotFoundException",
            "no such version",
            404,
            expected_params=params,
            modeled_fields={"message": "no such version", "resourceType": "package-version"},
        )


def expect_package(stubber: Stubber, exists: bool) -> None:
    params = {**PACKAGE_PARAMS, "maxResults": 1}
    if exists:
        stubber.add_response("list_package_versions", {"versions": []}, params)
    else:
        stubber.add_client_error(
            "list_package_versions",
            "ResourceNotFoundException",
            "no package",
            404,
            expected_params=params,
        )


def expect_new_version(stubber: Stubber, first: bool) -> None:
    """The calls publish makes before it uploads a version that is not there yet."""
    expect_version(stubber, exists=False)
    expect_package(stubber, exists=not first)
    expect_credentials(stubber)


ORIGIN = {**PACKAGE_PARAMS, "restrictions": {"publish": "ALLOW", "upstream": "BLOCK"}}


def test_publish_refuses_a_version_that_is_already_there(stub, capsys, monkeypatch):
    release = FakeRelease(monkeypatch)
    client, stubber = stub
    expect_version(stubber, exists=True)
    code, _, err = run(capsys, client, "publish")
    assert code == 1
    assert f"{PACKAGE.normalized_name} {PACKAGE.version} is already in {SETTINGS.repository}" in err
    assert (release.built, release.uploads) == (0, [])


def test_publish_refuses_a_dirty_tree(stub, capsys, monkeypatch):
    release = FakeRelease(monkeypatch, git_state="dirty")
    client, _ = stub
    code, _, err = run(capsys, client, "publish")
    assert code == 1
    assert "uncommitted changes" in err
    assert release.uploads == []


def test_a_first_publish_claims_the_name_then_uploads(stub, capsys, monkeypatch):
    release = FakeRelease(monkeypatch)
    client, stubber = stub
    expect_new_version(stubber, first=True)
    stubber.add_response("put_package_origin_configuration", {}, ORIGIN)
    code, out, err = run(capsys, client, "publish")
    assert code == 0, err
    assert release.uploads == [(ENDPOINT, ["pkg-1-py3-none-any.whl", "pkg-1.tar.gz"], TOKEN)]
    assert "publish=ALLOW, upstream=BLOCK" in out
    assert f"pip install '{PACKAGE.name}=={PACKAGE.version}'" in out
    assert TOKEN not in out + err


def test_a_missing_origin_permission_warns_but_still_uploads(stub, capsys, monkeypatch):
    release = FakeRelease(monkeypatch, git_state="none")
    client, stubber = stub
    expect_new_version(stubber, first=True)
    stubber.add_client_error("put_package_origin_configuration", "AccessDeniedException", "no", 403)
    code, out, _ = run(capsys, client, "publish")
    assert code == 0
    assert "not in a git repository" in out
    assert "lacks codeartifact:PutPackageOriginConfiguration" in out
    assert len(release.uploads) == 1


def test_a_later_version_and_no_origin_control_skip_the_claim(stub, capsys, monkeypatch):
    release = FakeRelease(monkeypatch)
    client, stubber = stub
    expect_new_version(stubber, first=False)
    assert run(capsys, client, "publish", "--no-origin-control")[0] == 0
    assert len(release.uploads) == 1


def test_publish_dry_run_builds_but_uploads_nothing(stub, capsys, monkeypatch):
    release = FakeRelease(monkeypatch)
    client, stubber = stub
    expect_new_version(stubber, first=True)
    code, out, _ = run(capsys, client, "publish", "--dry-run")
    assert code == 0
    assert "nothing uploaded" in out
    assert (release.built, release.uploads) == (1, [])


@pytest.mark.parametrize(
    ("status", "exit_code"), [("403 Forbidden", 5), ("404 Not Found", 5), ("409 Conflict", 1)]
)
def test_an_upload_refusal_is_explained_without_the_token(monkeypatch, status, exit_code):
    answer = subprocess.CompletedProcess(
        [], 1, "", f"ERROR HTTPError: {status} from {ENDPOINT} {TOKEN}"
    )
    monkeypatch.setattr(ca.subprocess, "run", lambda *args, **kwargs: answer)
    with pytest.raises(ca.ToolError) as error:
        ca.upload(ENDPOINT, [Path("a.whl")], TOKEN)
    assert error.value.exit_code == exit_code
    assert TOKEN not in str(error.value)


def test_publish_dist_uploads_prebuilt_files_without_building(stub, capsys, monkeypatch, tmp_path):
    release = FakeRelease(monkeypatch)
    stem = f"{PACKAGE.normalized_name.replace('-', '_')}-{PACKAGE.version}"
    for name in (f"{stem}-py3-none-any.whl", f"{stem}.tar.gz", "unrelated-9.9.tar.gz"):
        (tmp_path / name).write_text("x")
    client, stubber = stub
    expect_new_version(stubber, first=False)
    code, _, err = run(capsys, client, "publish", "--dist", str(tmp_path))
    assert code == 0, err
    assert release.built == 0
    assert release.uploads == [(ENDPOINT, [f"{stem}-py3-none-any.whl", f"{stem}.tar.gz"], TOKEN)]


def test_publish_dist_refuses_a_folder_without_this_version(stub, capsys, monkeypatch, tmp_path):
    release = FakeRelease(monkeypatch)
    (tmp_path / "other-1.0.tar.gz").write_text("x")
    client, stubber = stub
    expect_new_version(stubber, first=False)
    code, _, err = run(capsys, client, "publish", "--dist", str(tmp_path))
    assert code == 1
    assert "must hold one wheel and one sdist" in err
    assert release.uploads == []


def test_check_tag_accepts_the_version_tag_only(capsys):
    assert run(capsys, object(), "check-tag", f"v{PACKAGE.version}")[0] == 0
    code, _, err = run(capsys, object(), "check-tag", "v0.0.0-wrong")
    assert code == 1
    assert f"tag the release v{PACKAGE.version}" in err
