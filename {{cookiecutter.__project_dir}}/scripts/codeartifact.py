#!/usr/bin/env python3
# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "boto3>=1.35",
#     "build>=1.2",
#     "configupdater>=3.2",
#     "keyring>=25",
#     "packaging>=24.2",
#     "tomlkit>=0.13",
#     "twine>=6.1",
# ]
#
# # This script makes the CodeArtifact token, so its own dependencies cannot come from
# # CodeArtifact: uv takes them from PyPI (set UV_DEFAULT_INDEX to use a mirror), pipx from
# # pip's configured index.
# [[tool.uv.index]]
# name = "pypi"
# url = "https://pypi.org/simple"
# default = true
# ///
"""Log in to, and publish to, this project's AWS CodeArtifact repository.

Run it with ``uv run scripts/codeartifact.py COMMAND`` or ``pipx run scripts/codeartifact.py
COMMAND`` (both install the dependencies named above), or with ``python
scripts/codeartifact.py COMMAND`` where boto3 and packaging (and, to publish, build and
twine) are installed.

Settings come from ``[tool.codeartifact]`` in pyproject.toml; the environment variables
CODEARTIFACT_DOMAIN, CODEARTIFACT_DOMAIN_OWNER, CODEARTIFACT_REPOSITORY and
CODEARTIFACT_REGION override them (AWS_REGION is used only when pyproject.toml names no
region: CodeBuild, for one, sets it to the build's own region). AWS credentials are found the
way boto3 always finds them (AWS_PROFILE, SSO, environment, web identity, instance roles).

Nothing waits for ever: CODEARTIFACT_CONNECT_TIMEOUT (default 10 s) and
CODEARTIFACT_READ_TIMEOUT (default 30 s) bound each call to CodeArtifact, which boto3 retries
in its standard mode (AWS_MAX_ATTEMPTS, default 3), and CODEARTIFACT_UPLOAD_TIMEOUT
(default 300 s) bounds the upload of each file, which is tried 3 times when the repository
answers 429 or 5xx, CODEARTIFACT_RETRY_DELAY (default 2 s) apart, doubling (twine itself sends
one answered with 5xx again, up to 5 times in all: a failure counts every upload).

The token is never printed, logged or put on a command line, except by ``env``, whose
output is meant to be evaluated by a shell.
"""

from __future__ import annotations

import argparse
import configparser
import difflib
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# This tool's own version: the template's CHANGELOG.md lists what changed in each, so that a
# template update says which release tool a project moves to (see version_text).
VERSION = "1.2.0"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
INDEX_NAME = "codeartifact"  # the name of the index in pyproject.toml and in each tool's config
USERNAME = "aws"
MASK = "****"
TOOLS = ("pip", "twine", "uv", "poetry")


class Exit(IntEnum):
    """Every way the tool ends. README.md's table of exit codes and ``--help`` come from here."""

    meaning: str

    def __new__(cls, code: int, meaning: str) -> Exit:
        member = int.__new__(cls, code)
        member._value_ = code
        member.meaning = meaning
        return member

    OK = 0, "done; also when every file of the version was already in the repository"
    REFUSED = (
        1,
        (
            "refused: uncommitted changes, a failed build or check, a development or local "
            "version, the version is in the repository with other content, or a configuration "
            "file the tool will not touch"
        ),
    )
    USAGE = 2, "wrong command-line usage, or a Python without the tool's dependencies"
    NO_CREDENTIALS = 3, "no usable AWS credentials: run `aws sso login` or set `AWS_PROFILE`"
    ACCESS_DENIED = 4, "access denied: the message names the IAM action that is missing"
    TOKEN_REJECTED = 5, "the repository refused the token: run the command again"
    SERVICE = 6, "CodeArtifact or the repository throttled or failed after retries: try later"
    UNREACHABLE = (
        7,
        (
            "CodeArtifact or the repository cannot be reached or does not answer in time: check "
            "the network, a proxy and the region"
        ),
    )
    NOT_FOUND = 8, "the domain or repository does not exist: check `[tool.codeartifact]`"
    BUG = 70, "an unexpected error in this tool: please report it with the command you ran"
    OUTPUT = (
        74,
        "the output could not be written (a full disk, a closed terminal): one line says why",
    )
    INTERRUPTED = 130, "interrupted (Ctrl-C): the message says how to finish"
    CLOSED_PIPE = 141, "the program reading the output stopped (such as head): nothing is said"
    TERMINATED = 143, "stopped by SIGTERM (a cancelled CI job): the message says how to finish"


class ToolError(Exception):
    """A failure explained in one line for a person, with the exit code to end with."""

    def __init__(self, message: str, exit_code: Exit = Exit.REFUSED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Stopped(Exception):
    """SIGINT or SIGTERM arrived; raised in the main thread by the signal handler."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.exit_code = Exit.INTERRUPTED if signum == signal.SIGINT else Exit.TERMINATED


def stop_on_signals() -> None:
    """Turn the first SIGINT or SIGTERM into Stopped; ignore more while the tool cleans up."""

    def handler(signum: int, frame: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Stopped(signum)

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


# --- settings -------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    domain: str
    domain_owner: str
    repository: str
    region: str
    package_manager: str


@dataclass(frozen=True)
class Project:
    """What pyproject.toml says of the distribution: its name, and its version when it is
    static. A dynamic version (``dynamic = ["version"]``) is set by the build, from the git tag."""

    name: str
    version: str | None  # canonical PEP 440; None when the build sets it

    @property
    def new_version(self) -> str:
        """How a new version is made, for the messages that ask for one."""
        return "set a new version in pyproject.toml" if self.version else "tag a new version"


@dataclass(frozen=True)
class Package:
    """A built distribution's name and version, as its metadata gives them."""

    name: str
    version: str  # canonical PEP 440, as build backends write it into the metadata

    @property
    def normalized_name(self) -> str:
        """The name as CodeArtifact stores it (PEP 503)."""
        from packaging.utils import canonicalize_name

        return str(canonicalize_name(self.name))


def read_pyproject(root: Path = PROJECT_ROOT) -> dict[str, Any]:
    path = root / "pyproject.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ToolError(f"cannot read {path}: {error}") from error


def load_settings(pyproject: Mapping[str, Any], environ: Mapping[str, str]) -> Settings:
    table = pyproject.get("tool", {}).get("codeartifact", {})
    sources = {
        "domain": ("CODEARTIFACT_DOMAIN", "domain"),
        "domain_owner": ("CODEARTIFACT_DOMAIN_OWNER", "domain-owner"),
        "repository": ("CODEARTIFACT_REPOSITORY", "repository"),
        "region": ("CODEARTIFACT_REGION", "region"),
    }
    values = {
        field: environ.get(var) or str(table.get(key, "")) for field, (var, key) in sources.items()
    }
    values["region"] = values["region"] or environ.get("AWS_REGION", "")
    missing = [sources[field][1] for field, value in values.items() if not value]
    if missing:
        raise ToolError(
            f"missing CodeArtifact settings: {', '.join(missing)}; set them in [tool.codeartifact] "
            "in pyproject.toml or with CODEARTIFACT_DOMAIN, CODEARTIFACT_DOMAIN_OWNER, "
            "CODEARTIFACT_REPOSITORY and CODEARTIFACT_REGION"
        )
    return Settings(**values, package_manager=str(table.get("package-manager", "pip")))


def load_project(pyproject: Mapping[str, Any]) -> Project:
    from packaging.version import InvalidVersion, Version

    project = pyproject.get("project", {})
    dynamic = "version" in project.get("dynamic", [])
    if not project.get("name") or not (project.get("version") or dynamic):
        raise ToolError(
            'pyproject.toml needs [project] name, and version or dynamic = ["version"], to publish'
        )
    if dynamic:
        return Project(str(project["name"]), None)
    try:
        version = Version(str(project["version"]))
    except InvalidVersion as error:
        raise ToolError(f"pyproject.toml: {error}; use a PEP 440 version such as 1.2.0") from error
    return Project(str(project["name"]), str(version))


def package_of(wheel: Path) -> Package:
    """The name and version a build wrote into the wheel's metadata: what installers and the
    repository read (https://packaging.python.org/en/latest/specifications/binary-distribution-format/)."""
    from email.parser import HeaderParser

    from packaging.version import InvalidVersion, Version

    try:
        with zipfile.ZipFile(wheel) as archive:
            names = [n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
            metadata = HeaderParser().parsestr(archive.read(names[0]).decode()) if names else None
        if metadata is None or not metadata["Name"] or not metadata["Version"]:
            raise ToolError(f"{wheel.name} has no metadata with a name and a version")
        return Package(metadata["Name"], str(Version(metadata["Version"])))
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, InvalidVersion) as error:
        raise ToolError(f"cannot read the metadata of {wheel.name}: {error}") from error


def check_releasable(package: Package, project: Project, allow_dev: bool) -> None:
    """Refuse a local version (1.0+g1a2b3c): the version specifiers spec keeps local labels for
    builds that are never published to an index, and CodeArtifact documents nothing of them; and
    a development version (1.0.1.dev3, what an untagged commit builds to) unless asked for."""
    from packaging.version import Version

    version = Version(package.version)
    fix = f"set a release version such as {version.base_version} in pyproject.toml"
    if project.version is None:
        fix = f"tag the commit (git tag v{version.base_version}, then push the tag)"
    if version.local:
        raise ToolError(
            f"{package.version} has a local version label (+{version.local}), which is for "
            f"builds that are never published: {fix}; nothing was uploaded"
        )
    if version.is_devrelease and not allow_dev:
        what = "a development version"
        if project.version is None:
            what += ", built from a commit with no tag v<version>"
        raise ToolError(
            f"{package.version} is {what}: {fix}, or pass --dev to publish it; nothing was uploaded"
        )


# --- CodeArtifact ---------------------------------------------------------------------

# The IAM action behind each API call, to name it when access is denied.
IAM_ACTIONS = {
    "GetAuthorizationToken": "codeartifact:GetAuthorizationToken and sts:GetServiceBearerToken",
    "GetRepositoryEndpoint": "codeartifact:GetRepositoryEndpoint",
    "ListPackageVersions": "codeartifact:ListPackageVersions",
    "ListPackageVersionAssets": "codeartifact:ListPackageVersionAssets",
    "PutPackageOriginConfiguration": "codeartifact:PutPackageOriginConfiguration",
}
CREDENTIAL_ERRORS = {
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "UnrecognizedClientException",
}
RETRYABLE_ERRORS = {"ThrottlingException", "InternalServerException", "ServiceUnavailableException"}


def seconds_from(environ: Mapping[str, str], name: str, default: float) -> float:
    text = environ.get(name, "")
    try:
        return float(text) if text else default
    except ValueError:
        raise ToolError(f"{name}={text!r} is not a number of seconds", Exit.USAGE) from None


def make_client(settings: Settings, environ: Mapping[str, str]) -> Any:
    """A CodeArtifact client with short timeouts that retries throttling and 5xx answers."""
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=seconds_from(environ, "CODEARTIFACT_CONNECT_TIMEOUT", 10),
        read_timeout=seconds_from(environ, "CODEARTIFACT_READ_TIMEOUT", 30),
        retries={"mode": "standard"},
    )
    session = boto3.session.Session(region_name=settings.region)
    check_credentials(session)
    return session.client("codeartifact", config=config)


def check_credentials(session: Any) -> None:
    """Resolve the credentials now, so that a broken source fails here and says so.

    boto3 reads a web-identity token file or runs a credential_process only when a call
    needs the credentials, and a missing file or program then surfaces as a bare OSError.
    """
    try:
        credentials = session.get_credentials()
        if credentials is not None:
            credentials.get_frozen_credentials()
    except OSError as error:
        raise ToolError(
            f"no usable AWS credentials ({error}): {CREDENTIAL_HINT}", Exit.NO_CREDENTIALS
        ) from error


def error_code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def attempts_made(error: Any) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)) + 1


CREDENTIAL_HINT = "run `aws sso login`, set AWS_PROFILE, or check the CI role settings"


def sso_message(error: Exception) -> str | None:
    """What went wrong with AWS SSO, told apart as botocore tells it: no cached login at all
    (SSOTokenLoadError), an expired one (UnauthorizedSSOTokenError; with an sso-session, a
    TokenRetrievalError from the sso provider), or anything else."""
    from botocore import exceptions as aws

    if isinstance(error, aws.SSOTokenLoadError):
        return "this AWS SSO profile has never signed in on this machine"
    if isinstance(error, aws.UnauthorizedSSOTokenError):
        return "the AWS SSO session has expired"
    if isinstance(error, aws.TokenRetrievalError) and error.kwargs.get("provider") == "sso":
        return f"the AWS SSO session has expired and could not be renewed ({error})"
    if isinstance(error, aws.SSOError):
        return f"AWS SSO gave no credentials ({error})"
    return None


def translate_aws_error(error: Exception) -> ToolError | None:
    """The one place where botocore's errors become messages a person can act on."""
    from botocore import exceptions as aws

    if isinstance(error, aws.ProfileNotFound):
        return ToolError(f"{error}: check AWS_PROFILE and ~/.aws/config", Exit.NO_CREDENTIALS)
    sso_error = sso_message(error)
    if sso_error:
        return ToolError(f"{sso_error}: run `aws sso login`", Exit.NO_CREDENTIALS)
    credential_errors = (
        aws.NoCredentialsError,
        aws.PartialCredentialsError,
        aws.TokenRetrievalError,
        aws.CredentialRetrievalError,
        aws.InvalidConfigError,  # e.g. a web-identity token file but an empty AWS_ROLE_ARN
    )
    if isinstance(error, credential_errors):
        return ToolError(
            f"no usable AWS credentials ({error}): {CREDENTIAL_HINT}", Exit.NO_CREDENTIALS
        )
    if isinstance(error, aws.ConnectTimeoutError | aws.ReadTimeoutError):
        return ToolError(f"CodeArtifact did not answer in time ({error})", Exit.UNREACHABLE)
    if isinstance(error, aws.ConnectionError | aws.HTTPClientError):
        return ToolError(
            f"cannot reach CodeArtifact ({error}); check the network, a proxy and the region",
            Exit.UNREACHABLE,
        )
    if not isinstance(error, aws.ClientError):
        return None
    code = error_code(error)
    message = error.response.get("Error", {}).get("Message", "")
    operation = error.operation_name
    if code in CREDENTIAL_ERRORS:
        return ToolError(
            f"AWS rejected your credentials ({code}): {CREDENTIAL_HINT}", Exit.NO_CREDENTIALS
        )
    if code == "AccessDeniedException":
        action = IAM_ACTIONS.get(operation, f"codeartifact:{operation}")
        return ToolError(
            f"access denied: your AWS identity may not call {action} ({message})",
            Exit.ACCESS_DENIED,
        )
    if code == "ResourceNotFoundException":
        return ToolError(
            f"not found: {message}; check [tool.codeartifact] in pyproject.toml", Exit.NOT_FOUND
        )
    if code in RETRYABLE_ERRORS:
        return ToolError(
            f"CodeArtifact answered {code} to {operation} {attempts_made(error)} times; "
            "try again in a minute",
            Exit.SERVICE,
        )
    if code.isdigit():  # no AWS error type: the answer came from something in between
        return ToolError(
            f"something between you and CodeArtifact (a proxy?) answered HTTP {code} {message} "
            f"to {operation}; check the network and the proxy settings",
            Exit.UNREACHABLE,
        )
    return ToolError(f"CodeArtifact refused {operation}: {code}: {message}")


def fetch_token(client: Any, settings: Settings, duration: int | None = None) -> tuple[str, int]:
    """The authorization token and when it expires (seconds since the epoch, 0 if unknown)."""
    kwargs: dict[str, Any] = {"domain": settings.domain, "domainOwner": settings.domain_owner}
    if duration is not None:
        kwargs["durationSeconds"] = duration
    response = client.get_authorization_token(**kwargs)
    expiration = response.get("expiration")
    expires = int(expiration.timestamp()) if hasattr(expiration, "timestamp") else 0
    return str(response["authorizationToken"]), expires


def fetch_endpoint(client: Any, settings: Settings) -> str:
    """The repository's PyPI endpoint, always as CodeArtifact gives it, ending in '/'."""
    response = client.get_repository_endpoint(
        domain=settings.domain,
        domainOwner=settings.domain_owner,
        repository=settings.repository,
        format="pypi",
    )
    return str(response["repositoryEndpoint"]).rstrip("/") + "/"


def simple_url(endpoint: str) -> str:
    return endpoint + "simple/"


def with_credentials(url: str, password: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{USERNAME}:{password}@{parts.netloc}"))


def expiry_note(expires: int) -> str:
    if not expires:
        return ""
    when = time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(expires))
    return f"; the token expires at {when}"


# --- login: each tool's own configuration ---------------------------------------------


@dataclass(frozen=True)
class ConfigWrite:
    """A file to write; ``text`` holds the token, ``shown`` the same text with secrets masked,
    ``before`` the file as it is now, masked too (a dry run shows the difference)."""

    path: Path
    text: str
    shown: str
    private: bool = True
    replaced: str = ""  # a value of the user's that the new text replaces, masked
    before: str = ""

    def diff(self) -> str:
        """The change as a unified diff of the masked texts."""
        old = self.before.replace("\r\n", "\n").splitlines()
        new = self.shown.replace("\r\n", "\n").splitlines()
        source = str(self.path) if self.before else "/dev/null"
        lines = difflib.unified_diff(old, new, source, str(self.path), lineterm="")
        return "\n".join(lines) or "(no change)"


def user_config_dir(app: str, environ: Mapping[str, str]) -> Path:
    """The per-user configuration folder pip and Poetry use (platformdirs' rules: on macOS,
    XDG_CONFIG_HOME when it is set, as recent platformdirs has it)."""
    home = Path.home()
    if sys.platform == "win32":
        return Path(environ.get("APPDATA", home / "AppData" / "Roaming")) / app
    if sys.platform == "darwin" and not environ.get("XDG_CONFIG_HOME"):
        return home / "Library" / "Application Support" / app
    return Path(environ.get("XDG_CONFIG_HOME") or home / ".config") / app


def pip_config_file(environ: Mapping[str, str]) -> Path:
    """The user file ``pip config set`` writes to, as the AWS CLI's login uses it."""
    if environ.get("PIP_CONFIG_FILE"):
        return Path(environ["PIP_CONFIG_FILE"])
    return pip_user_file(environ)


def pip_user_file(environ: Mapping[str, str]) -> Path:
    """pip's per-user file (https://pip.pypa.io/en/stable/topics/configuration/#location), as
    pip's utils/appdirs.py finds it: on macOS its data folder if that exists (XDG_DATA_HOME's
    or ~/Library/Application Support's pip), else ~/.config/pip."""
    if sys.platform == "darwin":
        data = Path(environ.get("XDG_DATA_HOME") or Path.home() / "Library" / "Application Support")
        folder = data / "pip" if (data / "pip").is_dir() else Path.home() / ".config" / "pip"
        return folder / "pip.conf"
    return user_config_dir("pip", environ) / ("pip.ini" if sys.platform == "win32" else "pip.conf")


def writable_target(path: Path) -> Path:
    """The regular file to write for ``path``: a symlink's target, so that the link stays.

    Anything that exists but is not a regular file (a device such as /dev/null, a FIFO, a
    folder) is refused: replacing it would break whatever put it there.
    """
    target = path.resolve() if path.is_symlink() else path
    if target.exists() and not target.is_file():
        kind = "a folder" if target.is_dir() else "not a regular file"
        raise ToolError(f"{path} is {kind}; point the tool's configuration at a regular file")
    return target


def read_text_or_empty(path: Path) -> str:
    """The file's text as it is, line endings included (a write keeps them), or ""."""
    target = writable_target(path)
    try:
        if not target.exists():
            return ""
        with target.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise ToolError(f"cannot read {path}: {error}") from error


SECRET_KEYS = {"password", "token"}


def mask_secret(key: str, value: str) -> str:
    if key.lower() in SECRET_KEYS:
        return MASK
    return re.sub(r"(://[^/:@\s]+:)[^@/\s]+@", rf"\g<1>{MASK}@", value)


class IniEdit:
    """An INI file (pip.conf, .pypirc) changed in place with configupdater, which keeps every
    comment, blank line, inline comment, key order and other section of the user's
    (https://configupdater.readthedocs.io); the file's line endings are kept too. configparser
    would rewrite the whole file and drop its comments."""

    def __init__(self, path: Path) -> None:
        self.path = path
        original = read_text_or_empty(path)
        self.newline = "\r\n" if "\r\n" in original else "\n"
        self.before = masked_ini(original, path) if original else ""
        self.document = parse_ini(original.replace("\r\n", "\n"), path)

    def section(self, name: str) -> Any:
        """The section, added at the end (after a blank line) if there is none."""
        if not self.document.has_section(name):
            if self.document.sections() and not str(self.document).endswith("\n\n"):
                self.document.section_blocks()[-1].add_after.space(1)
            self.document.add_section(name)
        return self.document[name]

    def set(self, section: str, key: str, value: str) -> str:
        """Set ``key``, in its place if it is there, else after the section's last option;
        return the value it had ("" if none)."""
        block = self.section(section)
        if key in block:
            old = block[key].value or ""
            block[key].value = value
            return old
        options = list(block.iter_options())
        if options:
            options[-1].add_after.option(key, value)
        else:
            block.set(key, value)
        return ""

    def write(self, private: bool = True, replaced: str = "") -> ConfigWrite:
        text = str(self.document).replace("\n", self.newline)
        shown = masked_ini(text, self.path)
        return ConfigWrite(self.path, text, shown, private, replaced, self.before)


def parse_ini(text: str, path: Path) -> Any:
    from configupdater import ConfigUpdater

    document = ConfigUpdater()
    try:
        document.read_string(text, source=str(path))
    except configparser.Error as error:
        raise unparsable_ini(path, error) from error
    return document


def masked_ini(text: str, path: Path) -> str:
    """The INI text with every password, and every password inside a URL, masked."""
    newline = "\r\n" if "\r\n" in text else "\n"
    document = parse_ini(text.replace("\r\n", "\n"), path)
    for section in document.iter_sections():
        for option in section.iter_options():
            masked = mask_secret(option.key, option.value or "")
            if masked == (option.value or ""):
                continue
            if "\n" in masked:  # a value on several lines
                option.set_values(masked.strip("\n").split("\n"))
            else:
                option.value = masked
    return str(document).replace("\n", newline)


def read_ini(path: Path) -> configparser.RawConfigParser:
    """An INI file read as pip reads it (configparser), for its settings only."""
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(read_text_or_empty(path), source=str(path))
    except configparser.Error as error:
        raise unparsable_ini(path, error) from error
    return parser


def unparsable_ini(path: Path, error: configparser.Error) -> ToolError:
    bad_lines = getattr(error, "errors", None)  # a ParsingError lists every bad line
    line = bad_lines[0][0] if bad_lines else getattr(error, "lineno", "?")
    return ToolError(f"{path} does not parse as an INI file (line {line}); nothing was written")


def pip_write(path: Path, endpoint: str, token: str) -> ConfigWrite:
    """pip's ``global.index-url`` set to the repository, credentials in the URL."""
    edit = IniEdit(path)
    old = edit.set("global", "index-url", with_credentials(simple_url(endpoint), token))
    replaced = f"global.index-url {mask_secret('index-url', old)}" if old else ""
    return edit.write(replaced=replaced)


def add_index_server(distutils: Any) -> None:
    """``codeartifact`` added to ``index-servers``, written the way the value already is: on
    its line, or on a line of its own with the indent of the others (a new list is written as
    the AWS CLI writes it)."""
    if "index-servers" not in distutils:
        distutils.set("index-servers", "")
        distutils["index-servers"].set_values(["pypi", INDEX_NAME], indent="\t")
        return
    option = distutils["index-servers"]
    value = option.value or ""
    if INDEX_NAME in value.split():
        return
    if not value.startswith("\n"):
        option.value = f"{value} {INDEX_NAME}".strip()
        return
    indent = next((line[: len(line) - len(line.lstrip())] for line in option.lines[1:]), "")
    option.append(INDEX_NAME, indent=indent or "\t")


def pypirc_write(path: Path, endpoint: str, token: str) -> ConfigWrite:
    """A ``codeartifact`` section in ~/.pypirc, keeping every other section."""
    edit = IniEdit(path)
    add_index_server(edit.section("distutils"))
    old = edit.set(INDEX_NAME, "repository", endpoint)
    edit.set(INDEX_NAME, "username", USERNAME)
    edit.set(INDEX_NAME, "password", token)
    replaced = f"{INDEX_NAME}.repository {old}" if old and old != endpoint else ""
    return edit.write(replaced=replaced)


def load_toml(path: Path) -> Any:
    """A TOML file as a tomlkit document (which keeps comments and order), or an empty one."""
    import tomlkit
    from tomlkit.exceptions import ParseError

    try:
        return tomlkit.parse(read_text_or_empty(path))
    except ParseError as error:
        raise ToolError(f"{path} does not parse as TOML ({error}); nothing was written") from error


def toml_write(path: Path, document: Any, private: bool) -> ConfigWrite:
    """The write of a tomlkit document; what is shown has every password masked."""
    before = read_text_or_empty(path)
    text = document.as_string()
    if "\r\n" in before:  # tomlkit writes the entries it adds with \n: keep the file's endings
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    shown, before = masked_toml(text), masked_toml(before) if before else ""
    return ConfigWrite(path, text, shown, private=private, before=before)


def masked_toml(text: str) -> str:
    """Poetry's auth.toml (and any TOML the tool writes) with every password masked."""
    import tomlkit

    shown = tomlkit.parse(text)
    for entry in shown.get("http-basic", {}).values():
        if "password" in entry:
            entry["password"] = MASK
    return shown.as_string()


def poetry_repository_write(config_dir: Path, endpoint: str) -> ConfigWrite:
    """Poetry's publish repository ``codeartifact`` in config.toml."""
    import tomlkit

    document = load_toml(config_dir / "config.toml")
    document.setdefault("repositories", tomlkit.table())[INDEX_NAME] = {"url": endpoint}
    return toml_write(config_dir / "config.toml", document, private=False)


def poetry_writes(config_dir: Path, endpoint: str, token: str) -> list[ConfigWrite]:
    """Poetry's publish repository in config.toml and its credentials in auth.toml.

    tomlkit, which Poetry itself uses, keeps the user's comments and every other entry.
    """
    import tomlkit

    auth = load_toml(config_dir / "auth.toml")
    auth.setdefault("http-basic", tomlkit.table())[INDEX_NAME] = {
        "username": USERNAME,
        "password": token,
    }
    return [
        poetry_repository_write(config_dir, endpoint),
        toml_write(config_dir / "auth.toml", auth, private=True),
    ]


def write_file(write: ConfigWrite) -> None:
    """Replace the file (a symlink's target) atomically; a private one gets mode 0600."""
    target = writable_target(write.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(write.text)
        os.chmod(temporary, 0o600 if write.private else 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def uv_binary(environ: Mapping[str, str]) -> str:
    found = environ.get("UV") or shutil.which("uv")
    if not found:
        raise ToolError(
            "uv is not installed: see https://docs.astral.sh/uv/getting-started/installation/"
        )
    return found


def uv_login(endpoint: str, token: str, environ: Mapping[str, str], dry_run: bool) -> str:
    """Store the credentials in uv's credential store (``uv auth login``), token on stdin."""
    command = [
        uv_binary(environ),
        "auth",
        "login",
        endpoint,
        "--username",
        USERNAME,
        "--password",
        "-",
    ]
    shown = shlex.join(command) + "   # the token on standard input"
    if dry_run:
        return f"would run: {shown}"
    proc = subprocess.run(command, input=token, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ToolError(f"`uv auth login` failed: {redact(proc.stderr.strip(), token)}")
    return f"uv will use the token for {endpoint} (stored with `uv auth login`)"


def login(
    tool: str,
    endpoint: str,
    token: str,
    environ: Mapping[str, str],
    dry_run: bool,
    keyring: bool,
    allow_extra_index: bool,
) -> list[str]:
    """Configure ``tool`` to use the repository; return what was done, secrets masked.

    With ``keyring``, no token is written anywhere: the tool asks the keyring for a fresh one
    each time it needs one. Unless ``allow_extra_index``, refuse when the tool would also look
    for packages in another index.
    """
    if keyring and tool == "twine":
        raise ToolError("twine has no keyring login here: use login --tool twine, or publish")
    if tool == "pip":
        path = pip_config_file(environ)
        if not allow_extra_index:
            check_pip_indexes(environ, endpoint, path)
        writes = [
            pip_keyring_write(path, endpoint) if keyring else pip_write(path, endpoint, token)
        ]
    elif tool == "uv":
        if not allow_extra_index:
            check_uv_indexes(environ, uv_config_file(environ))
        if not keyring:
            return [uv_login(endpoint, token, environ, dry_run)]
        writes = [uv_keyring_write(uv_config_file(environ))]
    elif tool == "twine":
        writes = [pypirc_write(Path.home() / ".pypirc", endpoint, token)]
    else:
        poetry_dir = poetry_config_dir(environ)
        writes = (
            poetry_keyring_writes(poetry_dir, endpoint)
            if keyring
            else poetry_writes(poetry_dir, endpoint, token)
        )
    lines = [f"replaces {write.replaced} in {write.path}" for write in writes if write.replaced]
    if keyring:
        lines.append(
            poetry_keyring(environ, dry_run)
            if tool == "poetry"
            else ensure_keyring(environ, dry_run)
        )
        writes += keyring_config_writes()
    if dry_run:
        return lines + [
            f"would change {w.path}{' (mode 0600)' if w.private else ''}:\n{w.diff()}"
            for w in writes
        ]
    for write in writes:
        write_file(write)
    return lines + [f"wrote {write.path}" for write in writes]


# --- login --keyring: a fresh token on every use, none in any file -------------------

# A keyring backend that asks CodeArtifact for a token each time pip, uv or Poetry need one:
# https://pypi.org/project/keyrings.codeartifact/ (uv's guide to CodeArtifact recommends it:
# https://docs.astral.sh/uv/guides/integration/alternative-indexes/#aws-codeartifact).
KEYRING_BACKEND = "keyrings.codeartifact"


def with_username(url: str) -> str:
    """The URL with the user ``aws`` and no password: the keyring supplies the token."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{USERNAME}@{parts.netloc}"))


def run_tool(command: list[str], environ: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command, env=dict(environ), capture_output=True, text=True, check=False
        )
    except OSError as error:
        raise ToolError(f"cannot run {command[0]}: {error}") from error


def last_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    return lines[-1] if lines else f"exit status {proc.returncode}"


def find_program(name: str, environ: Mapping[str, str]) -> str | None:
    return shutil.which(name, path=environ.get("PATH"))


def user_path(environ: Mapping[str, str]) -> str:
    """PATH as the user's own shell has it: without this tool's environment, which `uv run` and
    an activated virtual environment put first. pip leaves that folder out too when it looks
    for the keyring command (pip's network/auth.py), and the keyring there, twine's, has no
    CodeArtifact backend."""
    own = os.path.normcase(os.path.realpath(sysconfig.get_path("scripts")))
    entries = environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(
        entry for entry in entries if entry and os.path.normcase(os.path.realpath(entry)) != own
    )


def find_keyring(environ: Mapping[str, str]) -> str | None:
    """The keyring command that pip and uv will run from the user's shell."""
    return shutil.which("keyring", path=user_path(environ))


def keyring_has_backend(keyring: str, environ: Mapping[str, str]) -> bool:
    proc = run_tool([keyring, "--list-backends"], environ)
    return proc.returncode == 0 and KEYRING_BACKEND in proc.stdout


# The folder uv and pipx put the keyring command in, and the command that puts that folder
# on PATH for the shells to come.
KEYRING_FOLDERS = {
    "uv": (["tool", "dir", "--bin"], "uv tool update-shell"),
    "pipx": (["environment", "--value", "PIPX_BIN_DIR"], "pipx ensurepath"),
}


def uv_tool_requirements(uv: str, keyring: str | None, environ: Mapping[str, str]) -> list[str]:
    """What else uv installed the user's keyring with (its uv-receipt.toml): the plugins a
    reinstall must keep. None if that keyring is not uv's."""
    tools = run_tool([uv, "tool", "dir"], environ).stdout.strip() if keyring else ""
    folder = Path(tools) / "keyring"
    if not tools or not Path(os.path.realpath(str(keyring))).is_relative_to(folder.resolve()):
        return []
    try:
        receipt = tomllib.loads((folder / "uv-receipt.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return []
    kept = []
    for requirement in receipt.get("tool", {}).get("requirements", []):
        name = requirement.get("name", "")
        if name and name not in ("keyring", "keyrings-codeartifact"):
            extras = ",".join(requirement.get("extras", []))
            kept.append(name + (f"[{extras}]" if extras else "") + requirement.get("specifier", ""))
    return kept


def keyring_commands(
    name: str, installer: str, found: str | None, pipx_keyring: bool, environ: Mapping[str, str]
) -> list[list[str]]:
    """How to give the user's keyring the backend: into the keyring pipx manages
    (``pipx_keyring``), or uv's again with every plugin it had; a new keyring where there is
    none."""
    if name == "pipx":
        inject = [installer, "inject", "keyring", KEYRING_BACKEND]
        return [inject] if pipx_keyring else [[installer, "install", "--force", "keyring"], inject]
    plugins = [*uv_tool_requirements(installer, found, environ), KEYRING_BACKEND]
    options = [word for plugin in plugins for word in ("--with", plugin)]
    return [[installer, "tool", "install", "--force", "keyring", *options]]


def ensure_keyring(environ: Mapping[str, str], dry_run: bool = False) -> str:
    """The ``keyring`` command, with the CodeArtifact backend, that pip and uv run for a token:
    found on the user's PATH, or given the backend, or installed, with uv or pipx. Returns what
    was done."""
    found = find_keyring(environ)
    if found and keyring_has_backend(found, environ):
        return f"found {found} with {KEYRING_BACKEND}"
    installers = {"uv": environ.get("UV") or find_program("uv", environ)}
    installers["pipx"] = find_program("pipx", environ)
    pipx_keyring = bool(found) and installed_by_pipx(str(found), installers["pipx"], environ)
    if pipx_keyring:
        installers.pop("uv")  # pipx manages this keyring: add to it rather than install another
    name = next((name for name, program in installers.items() if program), None)
    if name is None:
        raise ToolError(
            f"the keyring command is not installed: `uv tool install keyring --with "
            f"{KEYRING_BACKEND}` or `pipx install keyring && pipx inject keyring {KEYRING_BACKEND}`"
        )
    installer = str(installers[name])
    commands = keyring_commands(name, installer, found, pipx_keyring, environ)
    done = " && ".join(shlex.join(command) for command in commands)
    if dry_run:
        return f"would run: {done}"
    for command in commands:
        proc = run_tool(command, environ)
        if proc.returncode != 0:
            raise ToolError(f"`{shlex.join(command)}` failed: {last_line(proc)}")
    found = find_keyring(environ)
    if found and keyring_has_backend(found, environ):
        return f"installed keyring with {KEYRING_BACKEND} ({done}); {found}"
    ask_folder, update_shell = KEYRING_FOLDERS[name]
    folder = run_tool([installer, *ask_folder], environ).stdout.strip() or "its folder"
    if found:
        raise ToolError(
            f"{found} comes first on PATH and has no {KEYRING_BACKEND}: put {folder} "
            "before its folder on PATH, or uninstall it"
        )
    raise ToolError(
        f"keyring is installed in {folder}, which is not on PATH: run "
        f'`export PATH="{folder}:$PATH"` in this shell and `{update_shell}` for the next ones'
    )


def keyring_config_file() -> Path:
    """Where keyrings.codeartifact reads its options, and warns on every use that it is
    missing: keyringrc.cfg in the folder keyring itself computes (keyring.util.platform_,
    which keyrings.codeartifact asks too; on macOS it is ~/.config/python_keyring)."""
    from keyring.util import platform_

    return Path(platform_.config_root()) / "keyringrc.cfg"


def keyring_config_writes() -> list[ConfigWrite]:
    """A keyringrc.cfg with the backend's (empty) section, if there is none yet."""
    path = keyring_config_file()
    if path.exists() or path.is_symlink():
        return []
    text = (
        "# Options of keyrings.codeartifact (profile_name, token_duration, ...):\n"
        "# https://pypi.org/project/keyrings.codeartifact/\n[codeartifact]\n"
    )
    return [ConfigWrite(path, text, text, private=False)]


def pip_keyring_write(path: Path, endpoint: str) -> ConfigWrite:
    """pip's index without a password, and pip told to ask the keyring command for one."""
    edit = IniEdit(path)
    old = edit.set("global", "index-url", with_username(simple_url(endpoint)))
    edit.set("global", "keyring-provider", "subprocess")
    replaced = f"global.index-url {mask_secret('index-url', old)}" if old else ""
    return edit.write(replaced=replaced)


def uv_config_file(environ: Mapping[str, str]) -> Path:
    """uv's user configuration: https://docs.astral.sh/uv/concepts/configuration-files/"""
    if sys.platform == "win32":
        return Path(environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "uv" / "uv.toml"
    return Path(environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "uv" / "uv.toml"


def uv_keyring_write(path: Path) -> ConfigWrite:
    """uv told to ask the keyring command for the password of any index that names a user."""
    document = load_toml(path)
    document["keyring-provider"] = "subprocess"
    return toml_write(path, document, private=False)


def poetry_python(poetry: str) -> str | None:
    """The Python that runs Poetry: its script's #! line, if that names a Python that exists."""
    first_line = Path(poetry).read_bytes()[:512].split(b"\n", 1)[0].decode(errors="replace")
    python = first_line.removeprefix("#!").strip()
    if (
        first_line.startswith("#!")
        and Path(python).name.startswith("python")
        and Path(python).exists()
    ):
        return python
    return None


def poetry_has_backend(poetry: str, environ: Mapping[str, str]) -> bool:
    """Whether the Python that runs Poetry can import the backend; for a Poetry started
    otherwise, whether ``poetry self`` lists it."""
    python = poetry_python(poetry)
    if python:
        check = f"import importlib.util as u, sys; sys.exit(not u.find_spec({KEYRING_BACKEND!r}))"
        return run_tool([python, "-c", check], environ).returncode == 0
    return run_tool([poetry, "self", "show", KEYRING_BACKEND], environ).returncode == 0


def poetry_config_dir(environ: Mapping[str, str]) -> Path:
    """Where Poetry keeps config.toml and auth.toml: POETRY_CONFIG_DIR, else what the
    installed Poetry says (poetry.locations.CONFIG_DIR, which platformdirs computes), else
    platformdirs' rule for the system."""
    if environ.get("POETRY_CONFIG_DIR"):
        return Path(environ["POETRY_CONFIG_DIR"])
    poetry = find_program("poetry", environ)
    python = poetry_python(poetry) if poetry else None
    if python:
        ask = "from poetry.locations import CONFIG_DIR; print(CONFIG_DIR)"
        answer = run_tool([python, "-c", ask], environ)
        if answer.returncode == 0 and answer.stdout.strip():
            return Path(answer.stdout.strip())
    return user_config_dir("pypoetry", environ)


def installed_by_pipx(program: str, pipx: str | None, environ: Mapping[str, str]) -> bool:
    """Whether ``program`` runs from a virtual environment that pipx manages."""
    if not pipx:
        return False
    venvs = run_tool([pipx, "environment", "--value", "PIPX_LOCAL_VENVS"], environ).stdout.strip()
    return bool(venvs) and Path(os.path.realpath(program)).is_relative_to(os.path.realpath(venvs))


def poetry_keyring(environ: Mapping[str, str], dry_run: bool) -> str:
    """keyrings.codeartifact in Poetry's own environment, where Poetry looks for keyrings.

    A Poetry that pipx installed gets it with ``pipx inject``, as Poetry's documentation says
    for plugins (https://python-poetry.org/docs/plugins/#using-plugins): pip reads any index's
    simple pages, where ``poetry self add`` needs PyPI's JSON API, which mirrors often lack.
    """
    poetry = find_program("poetry", environ)
    if not poetry:
        raise ToolError("Poetry is not installed: see https://python-poetry.org/docs/#installation")
    if poetry_has_backend(poetry, environ):
        return f"found {KEYRING_BACKEND} in Poetry's environment"
    pipx = find_program("pipx", environ)
    if pipx and installed_by_pipx(poetry, pipx, environ):
        command = [pipx, "inject", "poetry", KEYRING_BACKEND]
    else:
        command = [poetry, "self", "add", KEYRING_BACKEND]
    if dry_run:
        return f"would run: {shlex.join(command)}"
    proc = run_tool(command, environ)
    if proc.returncode != 0:
        raise ToolError(f"`{shlex.join(command)}` failed: {last_line(proc)}")
    return f"installed {KEYRING_BACKEND} in Poetry's environment ({shlex.join(command)})"


def poetry_keyring_writes(config_dir: Path, endpoint: str) -> list[ConfigWrite]:
    """Poetry's publish repository, and no stored password that Poetry would use before asking
    the keyring."""
    auth = load_toml(config_dir / "auth.toml")
    auth.get("http-basic", {}).pop(INDEX_NAME, None)
    return [
        poetry_repository_write(config_dir, endpoint),
        toml_write(config_dir / "auth.toml", auth, private=True),
    ]


# --- other indexes: where else pip or uv would look for this package -----------------

# pip's configuration files, by the kind pip gives them, in the order it reads them: a later
# one wins (https://pip.pypa.io/en/stable/topics/configuration/).
PIP_INDEX_KEYS = ("index-url", "extra-index-url", "find-links")


def pip_config_files(environ: Mapping[str, str]) -> list[tuple[str, Path]]:
    home = Path.home()
    if sys.platform == "win32":
        program_data = Path(environ.get("PROGRAMDATA", "C:/ProgramData"))
        files = [("global", program_data / "pip" / "pip.ini"), ("user", home / "pip" / "pip.ini")]
    else:
        xdg = environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
        global_dirs = [Path(d) / "pip" for d in xdg.split(os.pathsep) if d] + [Path("/etc")]
        if sys.platform == "darwin":
            global_dirs = [Path("/Library/Application Support/pip")]
        files = [("global", d / "pip.conf") for d in global_dirs] + [
            ("user", home / ".pip" / "pip.conf")
        ]
    config_file = environ.get("PIP_CONFIG_FILE")
    if config_file and Path(config_file).exists():  # pip then skips the user's files
        files = [entry for entry in files if entry[0] != "user"]
    else:
        files.append(("user", pip_user_file(environ)))
    if environ.get("VIRTUAL_ENV"):  # the environment pip installs into
        files.append(
            (
                "site",
                Path(environ["VIRTUAL_ENV"])
                / ("pip.ini" if sys.platform == "win32" else "pip.conf"),
            )
        )
    if config_file:
        files.append(("PIP_CONFIG_FILE", Path(config_file)))
    return files


def pip_index_settings(environ: Mapping[str, str]) -> list[tuple[int, str, str, str]]:
    """(rank, where, key, value) of every index setting pip reads; a higher rank wins."""
    files = pip_config_files(environ)
    found = []
    for rank, (kind, path) in enumerate(files):
        if not path.is_file():
            continue
        parser = read_ini(path)
        for section in ("global", "install"):
            for key in PIP_INDEX_KEYS:
                value = parser.get(section, key, fallback="").strip()
                if value:
                    found.append((rank, f"{path} ({kind})", key, value))
    for key in PIP_INDEX_KEYS:
        variable = "PIP_" + key.upper().replace("-", "_")
        if environ.get(variable, "").strip():
            found.append(
                (len(files), f"the environment variable {variable}", key, environ[variable].strip())
            )
    return found


def without_credentials(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=parts.hostname or "").geturl().rstrip("/")


def check_pip_indexes(environ: Mapping[str, str], endpoint: str, written: Path) -> None:
    """Refuse when pip would also look elsewhere for packages (where a package of this name
    could stand in for ours), or when a setting pip reads after the file login writes would
    replace the index written there."""
    ranks = [path for _, path in pip_config_files(environ)]
    ours = ranks.index(written)  # pip_config_files lists the file login writes
    for rank, where, key, value in pip_index_settings(environ):
        shown_value = mask_secret(key, value)
        if key != "index-url":
            raise ToolError(
                f"pip would also look in {shown_value} ({key}, set in {where}), where a package of "
                "this project's name could stand in for it: remove that setting, or pass "
                "--allow-extra-index"
            )
        if rank > ours and without_credentials(value) != without_credentials(simple_url(endpoint)):
            raise ToolError(
                f"{where} sets index-url {shown_value}, which pip uses instead of the index login "
                f"writes to {written}: remove it, or pass --allow-extra-index"
            )


def uv_index_settings(
    environ: Mapping[str, str], pyproject: Mapping[str, Any], config: Path
) -> list[str]:
    """Every place that gives uv an index besides the project's CodeArtifact index."""
    variables = ("UV_INDEX", "UV_EXTRA_INDEX_URL", "UV_INDEX_URL", "UV_FIND_LINKS")
    found = [f"the environment variable {name}" for name in variables if environ.get(name)]
    for index in pyproject.get("tool", {}).get("uv", {}).get("index", []):
        if index.get("name") != INDEX_NAME and not index.get("explicit"):
            name = index.get("name") or index.get("url")
            found.append(f"[[tool.uv.index]] {name} in pyproject.toml, not explicit")
    if config.is_file():
        settings = tomllib.loads(read_text_or_empty(config))
        keys = ("index", "extra-index-url", "index-url", "find-links")
        found += [f"{key} in {config}" for key in keys if settings.get(key)]
    return found


def check_uv_indexes(environ: Mapping[str, str], config: Path) -> None:
    others = uv_index_settings(environ, read_pyproject(), config)
    if others:
        raise ToolError(
            f"uv would also look for packages in another index ({'; '.join(others)}), where a "
            "package of this project's name could stand in for it: remove it, mark it explicit, "
            "or pass --allow-extra-index"
        )


# --- env: variables for one shell -----------------------------------------------------


def uv_credentials(token: str) -> list[tuple[str, str]]:
    """What uv needs for the index named ``codeartifact`` in pyproject.toml."""
    prefix = f"UV_INDEX_{INDEX_NAME.upper()}"
    return [(f"{prefix}_USERNAME", USERNAME), (f"{prefix}_PASSWORD", token)]


def declares_uv_index(pyproject: Mapping[str, Any]) -> bool:
    """Whether pyproject.toml names the index ``codeartifact`` for uv, as a uv project does."""
    indexes = pyproject.get("tool", {}).get("uv", {}).get("index", [])
    return any(isinstance(index, dict) and index.get("name") == INDEX_NAME for index in indexes)


def credential_variables(
    tool: str | None, endpoint: str, token: str, uv_index_declared: bool = False
) -> list[tuple[str, str]]:
    """The environment variables that give ``tool`` (every tool if None) the credentials.

    Where pyproject.toml declares the index, uv gets only its credentials: with the index in
    UV_DEFAULT_INDEX too, ``uv add`` would write that URL (without the user ``aws`` that a
    keyring login needs) over the declared one, and add a [tool.uv.sources] entry.
    """
    poetry = f"POETRY_HTTP_BASIC_{INDEX_NAME.upper()}"
    default_index = [("UV_DEFAULT_INDEX", f"{INDEX_NAME}={simple_url(endpoint)}")]
    variables = {
        "pip": [("PIP_INDEX_URL", with_credentials(simple_url(endpoint), token))],
        # Outside such a project, UV_DEFAULT_INDEX makes the repository uv's one index.
        "uv": [*([] if uv_index_declared else default_index), *uv_credentials(token)],
        "twine": [
            ("TWINE_REPOSITORY_URL", endpoint),
            ("TWINE_USERNAME", USERNAME),
            ("TWINE_PASSWORD", token),
        ],
        "poetry": [
            (f"POETRY_REPOSITORIES_{INDEX_NAME.upper()}_URL", endpoint),
            (f"{poetry}_USERNAME", USERNAME),
            (f"{poetry}_PASSWORD", token),
        ],
    }
    return [pair for name in ([tool] if tool else TOOLS) for pair in variables[name]]


def shell_lines(
    variables: Sequence[tuple[str, str]], shell: str, mask_token: str | None
) -> list[str]:
    """Lines that set ``variables`` in ``shell``; GitHub Actions then hides ``mask_token``."""
    if shell == "powershell":
        lines = [f"$env:{name} = {powershell_quote(value)}" for name, value in variables]
        mask = f"Write-Output {powershell_quote('::add-mask::' + mask_token)}" if mask_token else ""
    else:
        lines = [f"export {name}={shlex.quote(value)}" for name, value in variables]
        mask = f"echo {shlex.quote('::add-mask::' + mask_token)}" if mask_token else ""
    return [mask, *lines] if mask else lines


def powershell_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# --- running the project's tools ------------------------------------------------------


def redact(text: str, *secrets: str) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


def run_child(
    command: Sequence[str], environ: Mapping[str, str], timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a step of the release in its own process group, so that it can be stopped whole.

    The child does not see the user's Ctrl-C (it is not in the terminal's foreground group):
    this process does, and stops the child's whole group before it reports. A child that
    outlives ``timeout`` is stopped the same way, and TimeoutError is raised.
    """
    child = subprocess.Popen(
        list(command),
        cwd=PROJECT_ROOT,
        env=dict(environ),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = child.communicate(timeout=timeout)
    except BaseException as error:
        stop_group(child)
        if isinstance(error, subprocess.TimeoutExpired):
            raise TimeoutError(f"no answer within {timeout:g} s") from None
        raise
    return subprocess.CompletedProcess(list(command), child.returncode, output, "")


def stop_group(child: subprocess.Popen[str]) -> None:
    for signum, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(child.pid, signum)
        except ProcessLookupError:
            break
        try:
            child.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    child.communicate()  # collect what is left, close the pipes


def run_step(command: list[str], environ: Mapping[str, str], token: str, failure: str) -> str:
    """Run a step of the release; its output is returned with the token masked."""
    proc = run_child(command, environ)
    output = redact(proc.stdout, token).strip()
    if proc.returncode != 0:
        raise step_failure(failure, output)
    return output


def step_failure(failure: str, output: str) -> ToolError:
    """A failed step in at most three lines. A short output is shown whole; a long one (a
    build's, with its tracebacks) by the line that says why, and the path of a file that
    holds all of it (the token already masked)."""
    lines = [line for line in output.splitlines() if line.strip()]
    if len(lines) <= 2:
        return ToolError(f"{failure}:\n{output}")
    fd, log = tempfile.mkstemp(prefix="codeartifact-step-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(output + "\n")
    return ToolError(f"{failure}: {cause_of(lines)}\n  the whole output: {log}")


# A line that says why a tool failed: pip's "ERROR:" and uv's "error:", also as build relays
# them ("< ERROR: ..."), and the root cause that ends uv's chain of causes ("╰─▶ ...").
# build's own last line only repeats the command that failed.
ERROR_LINE = re.compile(r"^[\W_]*(?:ERROR\b:?|error\b:?|╰─▶)\s*(.*)")
REPEATED_COMMAND = re.compile(r"returned non-zero exit status \d+\.?$")


def cause_of(lines: list[str]) -> str:
    """The last error line of a tool's output, with its wrapped continuation lines; else
    the last line that is not part of a traceback."""
    for index in range(len(lines) - 1, -1, -1):
        found = ERROR_LINE.match(lines[index])
        if found and found.group(1) and not REPEATED_COMMAND.search(lines[index]):
            continued = []
            for line in lines[index + 1 :]:
                if not line.startswith("  ") or line.lstrip().startswith("File "):
                    break
                continued.append(line.strip())
            return " ".join([found.group(1).strip(), *continued])
    return next(
        (line.strip() for line in reversed(lines) if not line.startswith((" ", "Traceback"))),
        lines[-1].strip(),
    )


def git_output(*args: str) -> str | None:
    """``git ARGS`` in the project, or None without git or outside a work tree."""
    try:
        proc = subprocess.run(
            ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_tree_state() -> str:
    """'clean', 'dirty' or 'none' (no git, or not a git work tree)."""
    status = git_output("status", "--porcelain")
    if status is None:
        return "none"
    return "dirty" if status.strip() else "clean"


# --- publish --------------------------------------------------------------------------


def package_coordinates(settings: Settings, package: Package) -> dict[str, str]:
    """The parameters that name this package in the repository, for every package API call."""
    return {
        "domain": settings.domain,
        "domainOwner": settings.domain_owner,
        "repository": settings.repository,
        "format": "pypi",
        "package": package.normalized_name,
    }


def is_missing(error: Exception) -> bool:
    """A ResourceNotFound for the package or its version (not for the domain or repository)."""
    from botocore.exceptions import ClientError

    if not isinstance(error, ClientError) or error_code(error) != "ResourceNotFoundException":
        return False
    return error.response.get("resourceType") in (None, "package", "package-version")


def stored_assets(client: Any, settings: Settings, package: Package) -> dict[str, str]:
    """Name -> SHA-256 of the files this version already has in the repository ({} if none)."""
    paginator = client.get_paginator("list_package_version_assets")
    pages = paginator.paginate(
        **package_coordinates(settings, package), packageVersion=package.version
    )
    try:
        return {
            asset["name"]: asset.get("hashes", {}).get("SHA-256", "")
            for page in pages
            for asset in page.get("assets", [])
        }
    except Exception as error:
        if is_missing(error):
            return {}
        raise


def package_exists(client: Any, settings: Settings, package: Package) -> bool:
    try:
        client.list_package_versions(**package_coordinates(settings, package), maxResults=1)
    except Exception as error:
        if is_missing(error):
            return False
        raise
    return True


def claim_name(client: Any, settings: Settings, package: Package) -> str:
    """Block the name from the upstream, so nobody's public package can stand in for ours."""
    from botocore.exceptions import ClientError

    restrictions = {"publish": "ALLOW", "upstream": "BLOCK"}
    try:
        client.put_package_origin_configuration(
            **package_coordinates(settings, package), restrictions=restrictions
        )
    except ClientError as error:
        if error_code(error) != "AccessDeniedException":
            raise
        return (
            f"warning: could not claim {package.normalized_name} against upstream packages: "
            "your identity lacks codeartifact:PutPackageOriginConfiguration; "
            "ask an administrator to set publish=ALLOW, upstream=BLOCK for it"
        )
    return f"claimed {package.normalized_name}: publish=ALLOW, upstream=BLOCK"


# The project's own build command, by package manager (README.md's Develop section uses the
# same tools): output folder -> argv.
BUILD_COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "uv": lambda out: ["uv", "build", "--out-dir", str(out)],
    "poetry": lambda out: ["poetry", "build", "--output", str(out)],
    "pip": lambda out: [sys.executable, "-m", "build", "--outdir", str(out)],
}
# How README.md runs this tool, by package manager, to print the command that finishes a job.
TOOL_COMMANDS = {
    "uv": "uv run scripts/codeartifact.py",
    "poetry": "pipx run --index-url https://pypi.org/simple scripts/codeartifact.py",
    "pip": "python scripts/codeartifact.py",
}


def build_environment(settings: Settings, endpoint: str, token: str) -> dict[str, str]:
    """The build's environment: the project's tool gets the credentials of its index, and the
    commit's time as SOURCE_DATE_EPOCH, so that the same commit builds the same bytes."""
    environ = dict(os.environ)
    if settings.package_manager == "uv":
        environ.update(uv_credentials(token))
    else:
        tool = "poetry" if settings.package_manager == "poetry" else "pip"
        environ.update(credential_variables(tool, endpoint, token))
    commit_time = git_output("log", "-1", "--format=%ct")
    if commit_time and commit_time.strip() and "SOURCE_DATE_EPOCH" not in environ:
        environ["SOURCE_DATE_EPOCH"] = commit_time.strip()
    return environ


def build(settings: Settings, project: Project, out: Path, endpoint: str, token: str) -> list[Path]:
    """Build the sdist and wheel into ``out`` with the project's own tool (build_environment)."""
    environ = build_environment(settings, endpoint, token)
    command = BUILD_COMMANDS.get(settings.package_manager, BUILD_COMMANDS["pip"])(out)
    if command[0] == "uv":
        command[0] = uv_binary(environ)
    run_step(command, environ, token, "the build failed")
    return distributions_in(out, project)


def distributions_in(folder: Path, project: Project) -> list[Path]:
    """The one wheel and one sdist of the project that ``folder`` holds (a CI build's output),
    of its version in pyproject.toml when that is static, of one same version otherwise."""
    wheels = [p for p in sorted(folder.glob("*.whl")) if is_distribution_of(p, project)]
    sdists = [p for p in sorted(folder.glob("*.tar.gz")) if is_distribution_of(p, project)]
    versions = {version_in_name(p) for p in [*wheels, *sdists]}
    if len(wheels) != 1 or len(sdists) != 1 or len(versions) != 1:
        found = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else "nothing"
        raise ToolError(
            f"{folder} must hold one wheel and one sdist of {project.name} "
            f"{project.version or 'of one version'}; it holds: {found}"
        )
    return [*wheels, *sdists]


def version_in_name(path: Path) -> str:
    """The version a wheel's or sdist's file name carries (the caller knows it is one)."""
    from packaging.utils import parse_sdist_filename, parse_wheel_filename

    if path.name.endswith(".whl"):
        return str(parse_wheel_filename(path.name)[1])
    return str(parse_sdist_filename(path.name)[1])


def is_distribution_of(path: Path, project: Project) -> bool:
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        canonicalize_name,
        parse_sdist_filename,
        parse_wheel_filename,
    )
    from packaging.version import Version

    try:
        if path.name.endswith(".whl"):
            name, version, *_ = parse_wheel_filename(path.name)
        else:
            name, version = parse_sdist_filename(path.name)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return False
    if name != canonicalize_name(project.name):
        return False
    return project.version is None or version == Version(project.version)


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def files_to_upload(
    files: list[Path], stored: Mapping[str, str], repository: str, new_version: str
) -> list[Path]:
    """The files the repository lacks; refuses if it has one of them with other content."""
    for file in files:
        if file.name in stored and stored[file.name].lower() != sha256_of(file):
            raise ToolError(
                f"{file.name} is already in {repository} with other content (SHA-256 "
                f"{stored[file.name]} there, {sha256_of(file)} here); versions cannot be "
                f"replaced: {new_version}; nothing was uploaded"
            )
    return [file for file in files if file.name not in stored]


# HTTP answers of the repository to an upload, and what they mean for the user.
RETRY_STATUSES = {429, 500, 502, 503, 504}
UPLOAD_ATTEMPTS = 3


def http_status(output: str) -> int:
    """The status of twine's failed upload (0 when it got no answer)."""
    status = re.search(r"HTTPError: (\d{3})", output)
    return int(status.group(1)) if status else 0


def uploads_made(output: str) -> int:
    """How many uploads one run of twine made: it sends an upload answered with 5xx again by
    itself, saying "Retry N of 5" each time (twine's repository.py), but not one answered 429."""
    retries = len(re.findall(r"Retry \d+ of \d+", output))
    return max(retries, 1) if 500 <= http_status(output) < 600 else retries + 1


def upload_failure(output: str, uploads: int) -> ToolError:
    """The one-line explanation of a failed ``twine upload`` of one file, after ``uploads``."""
    code = http_status(output)
    answered = f"answered HTTP {code} to {uploads} upload{'s' if uploads != 1 else ''}"
    if code in (401, 403, 404):
        return ToolError(
            f"the repository refused the upload (HTTP {code}): the token has expired or your "
            "identity lacks codeartifact:PublishPackageVersion",
            Exit.TOKEN_REJECTED,
        )
    if code == 409:
        return ToolError(
            "the repository already has this file with other content; bump the version"
        )
    if code in (502, 504):
        return ToolError(
            f"a gateway or proxy {answered}: the repository cannot be reached", Exit.UNREACHABLE
        )
    if code == 429 or code >= 500:  # throttled, or any other server error
        return ToolError(f"the repository {answered}", Exit.SERVICE)
    last = output.strip().splitlines()[-1] if output.strip() else "no output"
    for words, reason in NETWORK_FAULTS:
        if re.search(words, last):
            return ToolError(f"cannot reach the repository: {reason}", Exit.UNREACHABLE)
    return ToolError(f"twine upload failed: {last}")


# What the last line of a failed twine upload (requests' exception) says, in a person's words.
NETWORK_FAULTS = (
    (
        r"NameResolutionError|Name or service not known|Failed to resolve",
        "its host name does not resolve",
    ),
    (r"Connection refused", "the connection was refused"),
    (r"SSLError", "the TLS handshake failed"),
    (r"ProxyError", "the proxy refused the connection"),
    (
        r"RemoteDisconnected|Connection aborted|Connection reset|ChunkedEncodingError",
        "the connection was dropped",
    ),
    (r"Timeout", "the connection timed out"),
    (r"ConnectionError", "the connection failed"),
)


def upload_one(endpoint: str, file: Path, token: str, timeout: float) -> None:
    """Upload one file with twine, retrying throttling and server errors with backoff."""
    environ = {**os.environ, "TWINE_USERNAME": USERNAME, "TWINE_PASSWORD": token}
    command = [
        *(sys.executable, "-m", "twine", "--no-color", "upload", "--non-interactive"),
        *("--disable-progress-bar", "--repository-url", endpoint, str(file)),
    ]
    uploads = 0
    for attempt in range(1, UPLOAD_ATTEMPTS + 1):
        try:
            proc = run_child(command, environ, timeout)
        except TimeoutError as error:
            raise ToolError(
                f"the repository did not finish the upload: {error}", Exit.UNREACHABLE
            ) from None
        if proc.returncode == 0:
            return
        output = redact(proc.stdout, token)
        uploads += uploads_made(output)
        if http_status(output) not in RETRY_STATUSES or attempt == UPLOAD_ATTEMPTS:
            raise upload_failure(output, uploads)
        time.sleep(seconds_from(os.environ, "CODEARTIFACT_RETRY_DELAY", 2) * 2 ** (attempt - 1))


def publish_files(
    endpoint: str, files: list[Path], stored: list[str], token: str, timeout: float, finish: str
) -> None:
    """Upload ``files`` one by one, saying which are in; on any fault, how to finish the job."""
    done = list(stored)
    for file in files:
        try:
            upload_one(endpoint, file, token, timeout)
        except (ToolError, Stopped) as error:
            left = [f.name for f in files if f.name not in done]
            state = f"in the repository: {', '.join(done) or 'none'}; not yet: {', '.join(left)}"
            error.args = (f"{error}; {state}; finish with: {finish}",)
            raise
        done.append(file.name)
        print(f"uploaded {file.name}", flush=True)


def command_publish(args: argparse.Namespace, settings: Settings, client: Any) -> None:
    project = load_project(read_pyproject())
    state = git_tree_state()
    if state == "dirty" and not args.allow_dirty:
        raise ToolError(
            "the git working tree has uncommitted changes: commit them, or pass --allow-dirty"
        )
    if state == "none" and project.version is None and not args.dist:
        raise ToolError(
            "the version comes from the git tag, and this project is not in a git repository: "
            "commit it and tag the release (git init, git add ., git commit, git tag v1.0.0)"
        )
    if state == "none":
        print("note: not in a git repository; publishing without the clean-tree check")
    token, _ = fetch_token(client, settings)
    endpoint = fetch_endpoint(client, settings)
    finish = TOOL_COMMANDS.get(settings.package_manager, TOOL_COMMANDS["pip"]) + " publish"
    if args.dist:
        finish += f" --dist {shlex.quote(args.dist)}"
    timeout = seconds_from(os.environ, "CODEARTIFACT_UPLOAD_TIMEOUT", 300)
    with tempfile.TemporaryDirectory(prefix="codeartifact-dist-") as out:
        if args.dist:
            files = distributions_in(Path(args.dist), project)
        else:
            files = build(settings, project, Path(out), endpoint, token)
        package = package_of(files[0])
        check_releasable(package, project, args.dev)
        check = [sys.executable, "-m", "twine", "check", "--strict", *map(str, files)]
        run_step(check, os.environ, token, "twine check --strict found problems")
        stored = stored_assets(client, settings, package)
        missing = files_to_upload(files, stored, settings.repository, project.new_version)
        where = f"{package.normalized_name} {package.version} in {settings.repository}"
        if not missing:
            print(
                f"already published: {where} has {', '.join(f.name for f in files)}, same SHA-256"
            )
            return
        names = ", ".join(f.name for f in missing)
        if args.dry_run:
            print(f"dry run: checked {names}; nothing uploaded to {endpoint}")
            return
        if (
            not stored
            and not args.no_origin_control
            and not package_exists(client, settings, package)
        ):
            print(claim_name(client, settings, package))
        publish_files(endpoint, missing, sorted(stored), token, timeout, finish)
    print(f"published {names} to {endpoint}")
    tool = TOOL_COMMANDS.get(settings.package_manager, TOOL_COMMANDS["pip"])
    print(f"check that it installs from there: {tool} verify")


# --- the other commands ---------------------------------------------------------------


def command_login(args: argparse.Namespace, settings: Settings, client: Any) -> None:
    token, expires = fetch_token(client, settings, args.duration)
    endpoint = fetch_endpoint(client, settings)
    lines = login(
        args.tool, endpoint, token, os.environ, args.dry_run, args.keyring, args.allow_extra_index
    )
    for line in lines:
        print(line)
    if args.dry_run:
        return
    if args.tool == "pip":  # pip's user file, as `aws codeartifact login --tool pip` writes it
        print(f"every pip of this account now installs from {settings.repository}")
    if args.keyring:
        url = with_username(simple_url(endpoint))
        print(f"logged {args.tool} in to {settings.repository} through the keyring: each use")
        print(f"fetches a fresh token, and none is stored; the index URL is {url}")
    else:
        print(f"logged {args.tool} in to {settings.repository}{expiry_note(expires)}")


def command_env(args: argparse.Namespace, settings: Settings, client: Any) -> None:
    token, _ = fetch_token(client, settings, args.duration)
    endpoint = fetch_endpoint(client, settings)
    on_github = os.environ.get("GITHUB_ACTIONS") == "true"
    declared = declares_uv_index(read_pyproject())
    variables = credential_variables(args.tool, endpoint, token, declared)
    lines = shell_lines(variables, args.shell, token if on_github else None)
    print("\n".join(lines))  # the one output that carries the token: it is meant for eval


def command_verify(args: argparse.Namespace, settings: Settings, client: Any) -> None:
    """Install this version from the repository into a new virtual environment, as a consumer
    would, without reading or touching any pip configuration of the user's."""
    project = load_project(read_pyproject())
    token, _ = fetch_token(client, settings)
    endpoint = fetch_endpoint(client, settings)
    if project.version:
        package = Package(project.name, project.version)
    else:  # the version of this commit is what its build makes
        with tempfile.TemporaryDirectory(prefix="codeartifact-dist-") as out:
            package = package_of(build(settings, project, Path(out), endpoint, token)[0])
    requirement = f"{package.normalized_name}=={package.version}"
    with tempfile.TemporaryDirectory(prefix="codeartifact-verify-") as where:
        venv = Path(where) / "venv"
        run_step(
            [sys.executable, "-m", "venv", str(venv)], os.environ, token, "no virtual environment"
        )
        python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
        environ = {name: value for name, value in os.environ.items() if not name.startswith("PIP_")}
        environ.update(
            PIP_INDEX_URL=with_credentials(simple_url(endpoint), token),
            PIP_CONFIG_FILE=os.devnull,
            PIP_DISABLE_PIP_VERSION_CHECK="1",
            PIP_NO_CACHE_DIR="1",
        )
        install = [str(python), "-m", "pip", "install", "--quiet", requirement]
        run_step(
            install, environ, token, f"{requirement} does not install from {settings.repository}"
        )
        show = [str(python), "-m", "pip", "show", package.normalized_name]
        shown = run_step(show, environ, token, f"{requirement} is not in the new environment")
    version = next(
        (
            line.split(":", 1)[1].strip()
            for line in shown.splitlines()
            if line.startswith("Version:")
        ),
        "",
    )
    if version != package.version:
        got = f"{package.normalized_name} {version or '?'}"
        raise ToolError(f"{settings.repository} gave {got}, not {package.version}")
    print(f"verified: {requirement} installs from {settings.repository} into a new environment")


def command_url(args: argparse.Namespace, settings: Settings, client: Any) -> None:
    endpoint = fetch_endpoint(client, settings)
    print(simple_url(endpoint) if args.simple else endpoint)


def command_check_tag(args: argparse.Namespace) -> None:
    """Local: the tag must be ``v`` + the version, both read as PEP 440 (1.0.0-RC.1 is 1.0.0rc1):
    the version the build in ``--dist`` made, or else the static one of pyproject.toml."""
    from packaging.version import InvalidVersion, Version

    project = load_project(read_pyproject())
    if args.dist:
        version = package_of(distributions_in(Path(args.dist), project)[0]).version
        source = f"the build in {args.dist}"
        fix = (
            "build from the commit the tag names, with the tags fetched (a full clone)"
            if project.version is None
            else f"tag the release v{version}, or build the commit of the tag"
        )
    elif project.version:
        version, source = project.version, "pyproject.toml"
        fix = f"tag the release v{version}, or set the version in pyproject.toml to the tag's"
    else:
        raise ToolError(
            "the version comes from the git tag when the project is built: build it, then pass "
            f"the build's folder (check-tag {args.tag} --dist dist)",
            Exit.USAGE,
        )
    try:
        tagged = args.tag.startswith("v") and str(Version(args.tag[1:])) == version
    except InvalidVersion:
        tagged = False
    if not tagged:
        raise ToolError(
            f"the tag {args.tag} does not match the version {version} of {source}: {fix}"
        )
    print(f"the tag {args.tag} matches the version {version} of {source}")


def duration_seconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number of seconds") from None
    if value != 0 and not 900 <= value <= 43200:
        raise argparse.ArgumentTypeError(
            "must be 0 or 900 to 43200 seconds (15 minutes to 12 hours)"
        )
    return value


def exit_codes_text() -> str:
    return "exit codes:\n" + "\n".join(f"  {code.value:>3}  {code.meaning}" for code in Exit)


def version_text() -> str:
    """This tool's version, and the template commit the project was baked or last updated from
    (.cruft.json, which the bake and cruft write), when the project knows it."""
    try:
        record = json.loads((PROJECT_ROOT / ".cruft.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    commit = record.get("commit") if isinstance(record, dict) else None
    source = f" (template commit {commit[:12]})" if isinstance(commit, str) and commit else ""
    return f"codeartifact.py {VERSION}{source}"


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="codeartifact.py",
        description=f"Log in to, and publish to, this project's AWS CodeArtifact repository "
        f"(release tool {VERSION}).",
        epilog=exit_codes_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=version_text())
    commands = top.add_subparsers(dest="command", required=True)
    duration = argparse.ArgumentParser(add_help=False)
    duration.add_argument(
        "--duration",
        type=duration_seconds,
        metavar="SECONDS",
        help="token lifetime: 900 to 43200, or 0 for the AWS session's own",
    )

    sub = commands.add_parser(
        "login", parents=[duration], help="configure a tool to use the repository"
    )
    sub.add_argument("--tool", choices=TOOLS, required=True, help="the tool to set up")
    sub.add_argument(
        "--keyring",
        action="store_true",
        help="pip, uv, Poetry: fetch a fresh token on every use with keyrings.codeartifact; "
        "no token is written to any file",
    )
    sub.add_argument(
        "--allow-extra-index",
        action="store_true",
        help="log in even if the tool would also look for packages in another index",
    )
    sub.add_argument(
        "--dry-run", action="store_true", help="show what would be written, secrets masked"
    )
    sub.set_defaults(run=command_login, aws=True)

    sub = commands.add_parser(
        "env", parents=[duration], help="print shell lines that export credentials"
    )
    sub.add_argument("--tool", choices=TOOLS, help="only this tool's variables (default: all)")
    sub.add_argument(
        "--shell", choices=("sh", "powershell"), default="sh", help="the lines' shell (default: sh)"
    )
    sub.set_defaults(run=command_env, aws=True)

    sub = commands.add_parser("url", help="print the repository URL (no token)")
    sub.add_argument("--simple", action="store_true", help="the index URL installers use")
    sub.set_defaults(run=command_url, aws=True)

    sub = commands.add_parser(
        "publish", help="build, check and upload this version, or what of it is missing"
    )
    sub.add_argument("--dry-run", action="store_true", help="build and check, upload nothing")
    sub.add_argument("--dist", metavar="DIR", help="upload the sdist and wheel already in DIR")
    sub.add_argument("--allow-dirty", action="store_true", help="publish from uncommitted changes")
    sub.add_argument(
        "--dev", action="store_true", help="publish a development version (X.devN) too"
    )
    sub.add_argument(
        "--no-origin-control",
        action="store_true",
        help="do not block the name from the upstream on its first version",
    )
    sub.set_defaults(run=command_publish, aws=True)

    sub = commands.add_parser(
        "verify", help="install this version from the repository into a new environment"
    )
    sub.set_defaults(run=command_verify, aws=True)

    sub = commands.add_parser("check-tag", help="check that a git tag is v<version> (no AWS)")
    sub.add_argument("tag", help="the tag, e.g. v1.2.0")
    sub.add_argument("--dist", metavar="DIR", help="the version of the sdist and wheel in DIR")
    sub.set_defaults(run=command_check_tag, aws=False)
    return top


def report(error: ToolError | Stopped) -> int:
    print(f"error: {error}", file=sys.stderr)
    return int(error.exit_code)


def missing_dependency(error: ModuleNotFoundError) -> ToolError:
    """How to start the tool with its dependencies, for this project's package manager."""
    try:
        manager = read_pyproject()["tool"]["codeartifact"]["package-manager"]
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
        manager = "pip"
    how = f"`{TOOL_COMMANDS.get(manager, TOOL_COMMANDS['pip'])} COMMAND`"
    if manager not in ("uv", "poetry"):
        how += " in the project's virtual environment (`. .venv/bin/activate` first)"
    return ToolError(f"{error.name} is not installed for {sys.executable}: run {how}", Exit.USAGE)


class OutputLost(Exception):
    """Standard output could not be written: its reader went away, or its disk is full."""


class GuardedOutput:
    """Standard output whose write errors are told apart from every other error."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        try:
            return int(self.stream.write(text))
        except OSError as error:
            raise OutputLost(error) from error

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as error:
            raise OutputLost(error) from error

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def output_lost(error: OutputLost) -> int:
    """A closed pipe ends quietly, as `| head` expects; any other output error in one line. The
    rest of the output goes nowhere, so that the interpreter's last flush cannot fail again."""
    cause = error.__cause__
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the rest of the process
    if isinstance(cause, BrokenPipeError):
        return int(Exit.CLOSED_PIPE)
    reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(cause)
    return report(ToolError(f"cannot write the output: {reason}", Exit.OUTPUT))


def main(argv: Sequence[str] | None = None, client: Any = None) -> int:
    """Run one command; every failure ends as one ``error: …`` line and its exit code."""
    stdout = sys.stdout
    sys.stdout = GuardedOutput(stdout)
    try:
        return run_command(argv, client)
    except OutputLost as error:
        return output_lost(error)
    finally:
        if isinstance(sys.stdout, GuardedOutput):
            sys.stdout = stdout


def run_command(argv: Sequence[str] | None, client: Any) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit:  # --help, or a usage error: the text is out before the exit
        sys.stdout.flush()
        raise
    stop_on_signals()
    try:
        if args.aws:
            settings = load_settings(read_pyproject(), os.environ)
            args.run(args, settings, client or make_client(settings, os.environ))
        else:
            args.run(args)
        sys.stdout.flush()  # here, so that a closed pipe or a full disk is caught here
    except (ToolError, Stopped) as error:
        return report(error)
    except OutputLost:
        raise
    except ModuleNotFoundError as error:  # started by a Python without boto3 and the rest
        return report(missing_dependency(error))
    except Exception as error:
        unexpected = ToolError(f"{type(error).__name__}: {error}", Exit.BUG)
        return report(translate_aws_error(error) or unexpected)
    return int(Exit.OK)


if __name__ == "__main__":
    sys.exit(main())
