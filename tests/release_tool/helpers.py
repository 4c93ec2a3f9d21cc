"""What the tests of the release tool share: a fake token and its repository, botocore stubs,
a stand-in for the tool's child processes, fake programs and broken outputs."""

from __future__ import annotations

import errno
import hashlib
import subprocess
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from botocore.stub import Stubber

TOKEN = "tok3n-Secret.value_123"  # a fake token
ENDPOINT = "https://my-domain-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/my-repo/"
INDEX = ENDPOINT + "simple/"
INDEX_WITH_TOKEN = f"https://aws:{TOKEN}@{ENDPOINT[8:]}simple/"
OWNER = {"domain": "my-domain", "domainOwner": "111122223333"}
REPO = {**OWNER, "repository": "my-repo"}
VERSION = {**REPO, "format": "pypi", "package": "acme-utils", "packageVersion": "0.1.0"}
WHEEL, SDIST = "acme_utils-0.1.0-py3-none-any.whl", "acme_utils-0.1.0.tar.gz"
WHEEL_BYTES, SDIST_BYTES = b"the wheel's bytes", b"the sdist's bytes"
ME = "uv run scripts/codeartifact.py"  # how a uv project runs the tool
HINT = "run `aws sso login`, set AWS_PROFILE, or check the CI role"
HELP_SNAPSHOT = Path(__file__).parents[1] / "support" / "release-tool-help.txt"
NOT_A_REPOSITORY = "fatal: not a git repository (or any of the parent directories): .git\n"
DYNAMIC = {"name": "acme-utils", "dynamic": ["version"]}  # [project] of a version from the tag


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def expect_token(stubber: Stubber, token: str = TOKEN) -> None:
    stubber.add_response("get_authorization_token", {"authorizationToken": token}, dict(OWNER))


def expect_endpoint(stubber: Stubber, endpoint: str = ENDPOINT) -> None:
    stubber.add_response("get_repository_endpoint", {"repositoryEndpoint": endpoint}, {**REPO, "format": "pypi"})


def expect_credentials(stubber: Stubber, token: str = TOKEN) -> None:
    """The two calls every command but ``url`` starts with: the token, then the endpoint."""
    expect_token(stubber, token)
    expect_endpoint(stubber)


def expect_assets(stubber: Stubber, assets: dict[str, str] | None, **version: str) -> None:
    """ListPackageVersionAssets answers with these file names and SHA-256, or (None) that the
    version is not in the repository."""
    params = {**VERSION, **version}
    if assets is None:
        stubber.add_client_error(
            "list_package_version_assets", "ResourceNotFoundException", "Package version not found", 404,
            expected_params=params,
        )  # fmt: skip
        return
    listed = [{"name": name, "size": 1, "hashes": {"SHA-256": digest}} for name, digest in assets.items()]
    stubber.add_response("list_package_version_assets", {"assets": listed}, params)


def run(ca: ModuleType, capsys: pytest.CaptureFixture[str], client: Any, *argv: str) -> tuple[int, str, str]:
    """``main`` with this client: its exit code, standard output and standard error."""
    code = ca.main(list(argv), client=client)
    out, err = capsys.readouterr()
    return code, out, err


def fake_program(path: Path, script: str) -> Path:
    """An executable shell script at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return path


def uv_published(file: str) -> tuple[int, str, str]:
    """What uv publish (0.13.9) says when the upload worked: everything on standard error."""
    return 0, "", f"Publishing 1 file to {ENDPOINT}\nUploading {file} (1.1KiB)\n"


def uv_failed(file: str, *causes: str) -> tuple[int, str, str]:
    """What uv publish says when it fails: exit 2, the error, then its causes, the last one deepest."""
    lines = [f"Publishing 1 file to {ENDPOINT}", f"Uploading {file} (1.1KiB)", f"error: Failed to publish `{file}`"]
    return 2, "", "\n".join([*lines, *(f"  cause: {cause}" for cause in causes)]) + "\n"


def http_error(status: str) -> str:
    """The last cause line of uv publish for an HTTP error status, such as ``500 Internal Server Error``."""
    return f'Server returned status code {status}. Server says: {{"message": "no"}}'


Answer = tuple[int, str, str] | Callable[[list[str]], tuple[int, str, str]]


class Children:
    """The tool's child processes (its ``run``), answered as the programs answer: git, the build
    (which writes a wheel and an sdist where it is told), ``uv publish``, ``uv venv`` and
    ``uv pip install``. Every command is kept with the environment it was given."""

    def __init__(self, ca: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[list[str], dict[str, str] | None]] = []
        self.git: dict[str, str | None] = {"status": "", "log": "1700000000\n", "describe": None}  # None: fails
        self.stem, self.version = "acme_utils", "0.1.0"  # what the build makes
        self.build: tuple[int, str, str] = (0, "", "Successfully built\n")
        self.uploads: list[Answer] = []  # uv publish's answers in turn; then it succeeds
        self.answers: dict[str, tuple[int, str, str]] = {}  # of "venv" and "install"
        self.uploaded: list[str] = []
        self.out: Path | None = None  # where the build was told to write
        monkeypatch.setattr(ca, "run", self.run)

    def run(self, command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        self.calls.append((list(command), None if env is None else dict(env)))
        return subprocess.CompletedProcess(command, *self.answer(list(command)))

    def answer(self, command: list[str]) -> tuple[int, str, str]:
        if command[0] == "git":
            said = self.git[command[1]]
            return (0, said, "") if said is not None else (128, "", NOT_A_REPOSITORY)
        if "build" in command[:3]:
            self.out = Path(command[-1])
            (self.out / f"{self.stem}-{self.version}-py3-none-any.whl").write_bytes(WHEEL_BYTES)
            (self.out / f"{self.stem}-{self.version}.tar.gz").write_bytes(SDIST_BYTES)
            return self.build
        if command[1] == "publish":
            file = Path(command[-1]).name
            answer = self.uploads.pop(0) if self.uploads else uv_published(file)
            status, out, err = answer(command) if callable(answer) else answer
            self.uploaded += [file] if status == 0 else []
            return status, out, err
        return self.answers.get(command[2] if command[1] == "pip" else command[1], (0, "", ""))

    def commands(self) -> list[list[str]]:
        return [command for command, _ in self.calls]

    def environment(self, word: str) -> dict[str, str] | None:
        """The environment of the one command with ``word`` among its first three."""
        (env,) = [env for command, env in self.calls if word in command[:3]]
        return env


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
