"""What the tests of the release tool share: a fake token and its repository, botocore
stubs, fakes of the release's steps and of other programs."""

from __future__ import annotations

import configparser
import difflib
import errno
import hashlib
import io
import os
import shutil
import stat
import subprocess
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from botocore import exceptions as aws
from botocore.stub import Stubber

TOKEN = "tok3n-Secret.value_123"  # a fake token


ENDPOINT = "https://my-domain-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/my-repo/"


OWNER = {"domain": "my-domain", "domainOwner": "111122223333"}


REPO = {**OWNER, "repository": "my-repo"}


PACKAGE_PARAMS = {**REPO, "format": "pypi", "package": "acme-utils"}


VERSION = {**PACKAGE_PARAMS, "packageVersion": "0.1.0"}


WHEEL, SDIST = "acme_utils-0.1.0-py3-none-any.whl", "acme_utils-0.1.0.tar.gz"


def wheel_archive(version: str = "0.1.0", payload: bytes = b"", name: str = "acme-utils") -> bytes:
    """A wheel as far as the tool reads one: a zip whose METADATA gives the name and version."""
    buffer = io.BytesIO()
    stamp = (2020, 1, 1, 0, 0, 0)  # the same bytes on every call
    with zipfile.ZipFile(buffer, "w") as archive:
        metadata = f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\n"
        archive.writestr(zipfile.ZipInfo(f"acme_utils-{version}.dist-info/METADATA", stamp), metadata)
        archive.writestr(zipfile.ZipInfo("acme_utils/data.bin", stamp), payload)
    return buffer.getvalue()


WHEEL_BYTES = wheel_archive()


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


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def ini(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    parser.read(path)
    return parser


def fake_uv(tmp_path: Path) -> Path:
    """A stand-in uv that records its arguments and standard input."""
    script = tmp_path / "uv"
    script.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/args\ncat > {tmp_path}/stdin\n')
    script.chmod(0o755)
    return script


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


BROKEN_CREDENTIAL_SOURCES = {
    "unknown profile": ({"AWS_PROFILE": "nobody"}, "The config profile (nobody) could not be found"),
    "failing credential_process": ({"AWS_PROFILE": "failing"}, "custom-process"),
    "missing credential_process": ({"AWS_PROFILE": "missing"}, "No such file or directory"),
    "missing web-identity token file": (
        {"AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/token", "AWS_ROLE_ARN": "arn:aws:iam::444455556666:role/ci"},
        "No such file or directory: '/nonexistent/token'",
    ),
    "empty AWS_ROLE_ARN": ({"AWS_WEB_IDENTITY_TOKEN_FILE": "{token}", "AWS_ROLE_ARN": ""}, "no role ARN"),
}


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
        self.wheel_bytes = WHEEL_BYTES
        self.built_version = "0.1.0"
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
            (out / f"acme_utils-{self.built_version}-py3-none-any.whl").write_bytes(self.wheel_bytes)
            (out / f"acme_utils-{self.built_version}.tar.gz").write_bytes(b"sdist")
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

    def build_makes(self, version: str) -> None:
        """The build makes this version, as one from a git tag would."""
        self.built_version, self.wheel_bytes = version, wheel_archive(version)
        self.shown = f"Name: acme-utils\nVersion: {version}\n"

    def steps(self) -> list[str]:
        return [" ".join(word for word in command if not word.startswith("/")) for command in self.commands]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def expect_assets(stubber: Stubber, assets: dict[str, bytes] | None, version: str = "0.1.0") -> None:
    params = {**VERSION, "packageVersion": version}
    if assets is None:
        stubber.add_client_error(
            "list_package_version_assets",
            "ResourceNotFoundException",
            "no such version",
            404,
            expected_params=params,
            modeled_fields={"message": "no such version", "resourceType": "package-version"},
        )
        return
    listed = [{"name": name, "size": len(data), "hashes": {"SHA-256": sha256(data)}} for name, data in assets.items()]
    stubber.add_response("list_package_version_assets", {"assets": listed}, params)


def expect_package(stubber: Stubber, exists: bool) -> None:
    params = {**PACKAGE_PARAMS, "maxResults": 1}
    if exists:
        stubber.add_response("list_package_versions", {"versions": []}, params)
    else:
        stubber.add_client_error(
            "list_package_versions", "ResourceNotFoundException", "no package", 404, expected_params=params
        )


ORIGIN = {**PACKAGE_PARAMS, "restrictions": {"publish": "ALLOW", "upstream": "BLOCK"}}


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


HELP_SNAPSHOT = Path(__file__).parents[1] / "support" / "release-tool-help.txt"


def process_is_gone(pid: int, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


BUILD_CREDENTIALS = {
    "uv": {"UV_INDEX_CODEARTIFACT_USERNAME": "aws", "UV_INDEX_CODEARTIFACT_PASSWORD": TOKEN},
    "poetry": {
        "POETRY_REPOSITORIES_CODEARTIFACT_URL": ENDPOINT,
        "POETRY_HTTP_BASIC_CODEARTIFACT_USERNAME": "aws",
        "POETRY_HTTP_BASIC_CODEARTIFACT_PASSWORD": TOKEN,
    },
    "pip": {"PIP_INDEX_URL": f"https://aws:{TOKEN}@{ENDPOINT[8:]}simple/"},
}


PIP_CONF = (
    "[global]\nindex-url = https://me:s3cret@old.example/simple/\ntimeout = 60\n\n[install]\nno-binary = :none:\n"
)


INDEX = f"{ENDPOINT[8:]}simple/"


def fake_program(path: Path, script: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return path


GATEWAY = "a gateway or proxy answered HTTP {} to 3 uploads: the repository cannot be reached"


REFUSED = (
    "the repository refused the upload (HTTP {}): the token has expired or your identity lacks "
    "codeartifact:PublishPackageVersion"
)


def client_error(code: str, message: str, operation: str) -> Exception:
    return aws.ClientError({"Error": {"Code": code, "Message": message}}, operation)


def with_package_manager(ca: ModuleType, monkeypatch: pytest.MonkeyPatch, manager: str) -> None:
    pyproject = ca.read_pyproject()
    pyproject["tool"]["codeartifact"]["package-manager"] = manager
    monkeypatch.setattr(ca, "read_pyproject", lambda: pyproject)


def poetry_program(tmp_path: Path, show_status: int, add_status: int = 0) -> Path:
    return fake_program(
        tmp_path / "bin" / "poetry",
        f'[ "$2" = show ] && exit {show_status}\necho "could not add: no network" >&2\nexit {add_status}',
    )


PY2_WHEEL = "acme_utils-0.1.0-py2-none-any.whl"


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
