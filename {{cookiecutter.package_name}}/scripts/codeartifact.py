#!/usr/bin/env python3
# /// script
# requires-python = ">=3.11"
# dependencies = ["boto3>=1.35", "build>=1.2", "tomli-w>=1.0", "twine>=6.1"]
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
scripts/codeartifact.py COMMAND`` where boto3 (and, to publish, build and twine) is installed.
Settings come from ``[tool.codeartifact]`` in pyproject.toml; the environment variables
CODEARTIFACT_DOMAIN, CODEARTIFACT_DOMAIN_OWNER, CODEARTIFACT_REPOSITORY and AWS_REGION
override them. AWS credentials are found the way boto3 always finds them
(AWS_PROFILE, SSO, environment, instance roles).

The token is never printed, logged or put on a command line, except by ``env``, whose
output is meant to be evaluated by a shell.
"""

from __future__ import annotations

import argparse
import configparser
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INDEX_NAME = "codeartifact"  # the name of the index in pyproject.toml and in each tool's config
USERNAME = "aws"
MASK = "****"
TOOLS = ("pip", "twine", "uv", "poetry")

# Exit codes, documented in README.md.
EXIT_FAILED = 1  # a refusal: version already published, dirty tree, failed build or check
EXIT_USAGE = 2
EXIT_NO_CREDENTIALS = 3  # no, expired or invalid AWS credentials
EXIT_ACCESS_DENIED = 4  # the AWS identity lacks an IAM permission
EXIT_TOKEN_REJECTED = 5  # the repository refused the CodeArtifact token
EXIT_SERVICE = 6  # throttled or failing after retries
EXIT_UNREACHABLE = 7  # the CodeArtifact endpoint cannot be reached
EXIT_NOT_FOUND = 8  # the domain or repository does not exist


class ToolError(Exception):
    """A failure explained in one line for a person, with the exit code to end with."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# --- settings -------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    domain: str
    domain_owner: str
    repository: str
    region: str
    package_manager: str


@dataclass(frozen=True)
class Package:
    name: str
    version: str

    @property
    def normalized_name(self) -> str:
        """The name as CodeArtifact stores it (PEP 503)."""
        return re.sub(r"[-_.]+", "-", self.name).lower()


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
        "region": ("AWS_REGION", "region"),
    }
    values = {
        field: environ.get(var) or str(table.get(key, "")) for field, (var, key) in sources.items()
    }
    missing = [sources[field][1] for field, value in values.items() if not value]
    if missing:
        raise ToolError(
            f"missing CodeArtifact settings: {', '.join(missing)}; set them in [tool.codeartifact] "
            "in pyproject.toml or with CODEARTIFACT_DOMAIN, CODEARTIFACT_DOMAIN_OWNER, "
            "CODEARTIFACT_REPOSITORY and AWS_REGION"
        )
    return Settings(**values, package_manager=str(table.get("package-manager", "pip")))


def load_package(pyproject: Mapping[str, Any]) -> Package:
    project = pyproject.get("project", {})
    if not project.get("name") or not project.get("version"):
        raise ToolError("pyproject.toml needs [project] name and version to publish")
    return Package(str(project["name"]), str(project["version"]))


# --- CodeArtifact ---------------------------------------------------------------------

# The IAM action behind each API call, to name it when access is denied.
IAM_ACTIONS = {
    "GetAuthorizationToken": "codeartifact:GetAuthorizationToken and sts:GetServiceBearerToken",
    "GetRepositoryEndpoint": "codeartifact:GetRepositoryEndpoint",
    "DescribePackageVersion": "codeartifact:DescribePackageVersion",
    "ListPackageVersions": "codeartifact:ListPackageVersions",
    "PutPackageOriginConfiguration": "codeartifact:PutPackageOriginConfiguration",
}
CREDENTIAL_ERRORS = {
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "UnrecognizedClientException",
}
RETRYABLE_ERRORS = {"ThrottlingException", "InternalServerException", "ServiceUnavailableException"}
MAX_ATTEMPTS = 5


def make_client(settings: Settings) -> Any:
    """A CodeArtifact client that retries throttling and 5xx answers with backoff."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS})
    return boto3.session.Session(region_name=settings.region).client("codeartifact", config=config)


def translate_aws_error(error: Exception) -> ToolError | None:
    """The one place where botocore's errors become messages a person can act on."""
    from botocore import exceptions as aws

    if isinstance(
        error, aws.NoCredentialsError | aws.PartialCredentialsError | aws.TokenRetrievalError
    ):
        return ToolError(
            "no usable AWS credentials: run `aws sso login` or set AWS_PROFILE", EXIT_NO_CREDENTIALS
        )
    if isinstance(error, aws.SSOError | aws.UnauthorizedSSOTokenError):
        return ToolError(
            "the AWS SSO session has expired: run `aws sso login`", EXIT_NO_CREDENTIALS
        )
    if isinstance(
        error, aws.EndpointConnectionError | aws.ConnectTimeoutError | aws.ReadTimeoutError
    ):
        return ToolError(
            f"cannot reach CodeArtifact ({error}); check the network, a proxy and AWS_REGION",
            EXIT_UNREACHABLE,
        )
    if not isinstance(error, aws.ClientError):
        return None
    code = error_code(error)
    message = error.response.get("Error", {}).get("Message", "")
    operation = error.operation_name
    if code in CREDENTIAL_ERRORS:
        return ToolError(
            f"AWS rejected your credentials ({code}): run `aws sso login` or set AWS_PROFILE",
            EXIT_NO_CREDENTIALS,
        )
    if code == "AccessDeniedException":
        action = IAM_ACTIONS.get(operation, f"codeartifact:{operation}")
        return ToolError(
            f"access denied: your AWS identity may not call {action} ({message})",
            EXIT_ACCESS_DENIED,
        )
    if code == "ResourceNotFoundException":
        return ToolError(
            f"not found: {message}; check [tool.codeartifact] in pyproject.toml", EXIT_NOT_FOUND
        )
    if code in RETRYABLE_ERRORS:
        return ToolError(
            f"CodeArtifact answered {code} to {operation} {MAX_ATTEMPTS} times; "
            "try again in a minute",
            EXIT_SERVICE,
        )
    return ToolError(f"CodeArtifact refused {operation}: {code}: {message}")


def fetch_token(client: Any, settings: Settings, duration: int | None = None) -> str:
    kwargs: dict[str, Any] = {"domain": settings.domain, "domainOwner": settings.domain_owner}
    if duration is not None:
        kwargs["durationSeconds"] = duration
    return str(client.get_authorization_token(**kwargs)["authorizationToken"])


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


# --- login: each tool's own configuration ---------------------------------------------


@dataclass(frozen=True)
class ConfigWrite:
    """A file to write; ``text`` holds the token, ``shown`` the same text with it masked."""

    path: Path
    text: str
    shown: str
    private: bool = True


def user_config_dir(app: str, environ: Mapping[str, str]) -> Path:
    """The per-user configuration folder pip and Poetry use (platformdirs' rules)."""
    home = Path.home()
    if sys.platform == "win32":
        return Path(environ.get("APPDATA", home / "AppData" / "Roaming")) / app
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / app
    return Path(environ.get("XDG_CONFIG_HOME") or home / ".config") / app


def pip_config_file(environ: Mapping[str, str]) -> Path:
    """The user file ``pip config set`` writes to, as the AWS CLI's login uses it."""
    if environ.get("PIP_CONFIG_FILE"):
        return Path(environ["PIP_CONFIG_FILE"])
    if sys.platform == "darwin" and not user_config_dir("pip", environ).is_dir():
        return Path.home() / ".config" / "pip" / "pip.conf"
    return user_config_dir("pip", environ) / ("pip.ini" if sys.platform == "win32" else "pip.conf")


def ini_text(parser: configparser.RawConfigParser) -> str:
    buffer = io.StringIO()
    parser.write(buffer)
    return buffer.getvalue()


def read_ini(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    if path.exists():
        parser.read(path, encoding="utf-8")
    return parser


def pip_write(path: Path, endpoint: str, token: str) -> ConfigWrite:
    """pip's ``global.index-url`` set to the repository, credentials in the URL."""

    def render(password: str) -> str:
        parser = read_ini(path)
        if not parser.has_section("global"):
            parser.add_section("global")
        parser.set("global", "index-url", with_credentials(simple_url(endpoint), password))
        return ini_text(parser)

    return ConfigWrite(path, render(token), render(MASK))


def pypirc_write(path: Path, endpoint: str, token: str) -> ConfigWrite:
    """A ``codeartifact`` section in ~/.pypirc, keeping every other section."""

    def render(password: str) -> str:
        parser = read_ini(path)
        if not parser.has_section("distutils"):
            parser.add_section("distutils")
        servers = parser.get("distutils", "index-servers", fallback="pypi").split()
        if INDEX_NAME not in servers:
            servers.append(INDEX_NAME)
        parser.set("distutils", "index-servers", "\n" + "\n".join(servers))
        if not parser.has_section(INDEX_NAME):
            parser.add_section(INDEX_NAME)
        parser.set(INDEX_NAME, "repository", endpoint)
        parser.set(INDEX_NAME, "username", USERNAME)
        parser.set(INDEX_NAME, "password", password)
        return ini_text(parser)

    return ConfigWrite(path, render(token), render(MASK))


def poetry_writes(config_dir: Path, endpoint: str, token: str) -> list[ConfigWrite]:
    """Poetry's publish repository in config.toml and its credentials in auth.toml."""
    import tomli_w

    def updated(name: str, table: str, values: dict[str, str]) -> str:
        path = config_dir / name
        document = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        document.setdefault(table, {})[INDEX_NAME] = values
        return tomli_w.dumps(document)

    repository = updated("config.toml", "repositories", {"url": endpoint})
    auth = {"username": USERNAME}
    return [
        ConfigWrite(config_dir / "config.toml", repository, repository, private=False),
        ConfigWrite(
            config_dir / "auth.toml",
            updated("auth.toml", "http-basic", {**auth, "password": token}),
            updated("auth.toml", "http-basic", {**auth, "password": MASK}),
        ),
    ]


def write_file(write: ConfigWrite) -> None:
    """Replace the file atomically; a private one is readable by its owner only (0600)."""
    write.path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=write.path.parent, prefix=f".{write.path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(write.text)
        os.chmod(temporary, 0o600 if write.private else 0o644)
        os.replace(temporary, write.path)
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
    tool: str, endpoint: str, token: str, environ: Mapping[str, str], dry_run: bool
) -> list[str]:
    """Configure ``tool`` to use the repository; return what was done, the token masked."""
    if tool == "uv":
        return [uv_login(endpoint, token, environ, dry_run)]
    if tool == "pip":
        writes = [pip_write(pip_config_file(environ), endpoint, token)]
    elif tool == "twine":
        writes = [pypirc_write(Path.home() / ".pypirc", endpoint, token)]
    else:
        poetry_dir = Path(environ.get("POETRY_CONFIG_DIR") or user_config_dir("pypoetry", environ))
        writes = poetry_writes(poetry_dir, endpoint, token)
    if dry_run:
        return [
            f"would write {w.path}{' (mode 0600)' if w.private else ''}:\n{w.shown}" for w in writes
        ]
    for write in writes:
        write_file(write)
    return [f"wrote {write.path}" for write in writes]


# --- env: variables for one shell -----------------------------------------------------


def uv_credentials(token: str) -> list[tuple[str, str]]:
    """What uv needs for the index named ``codeartifact`` in pyproject.toml."""
    prefix = f"UV_INDEX_{INDEX_NAME.upper()}"
    return [(f"{prefix}_USERNAME", USERNAME), (f"{prefix}_PASSWORD", token)]


def credential_variables(tool: str | None, endpoint: str, token: str) -> list[tuple[str, str]]:
    """The environment variables that give ``tool`` (every tool if None) the credentials."""
    poetry = f"POETRY_HTTP_BASIC_{INDEX_NAME.upper()}"
    variables = {
        "pip": [("PIP_INDEX_URL", with_credentials(simple_url(endpoint), token))],
        # UV_DEFAULT_INDEX makes the repository the one index outside this project too.
        "uv": [
            ("UV_DEFAULT_INDEX", f"{INDEX_NAME}={simple_url(endpoint)}"),
            *uv_credentials(token),
        ],
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
    if shell == "powershell":
        lines = [
            f"$env:{name} = '{value.replace(chr(39), chr(39) * 2)}'" for name, value in variables
        ]
    else:
        lines = [f"export {name}={shlex.quote(value)}" for name, value in variables]
        if mask_token:  # GitHub Actions hides the token in every later log line
            lines.insert(0, f"echo {shlex.quote('::add-mask::' + mask_token)}")
    return lines


# --- publish --------------------------------------------------------------------------


def redact(text: str, *secrets: str) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


def git_tree_state(root: Path) -> str:
    """'clean', 'dirty' or 'none' (no git, or not a git work tree)."""
    try:
        proc = subprocess.run(
            ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        return "none"
    if proc.returncode != 0:
        return "none"
    return "dirty" if proc.stdout.strip() else "clean"


def package_coordinates(settings: Settings, package: Package) -> dict[str, str]:
    """The parameters that name this package in the repository, for every package API call."""
    return {
        "domain": settings.domain,
        "domainOwner": settings.domain_owner,
        "repository": settings.repository,
        "format": "pypi",
        "package": package.normalized_name,
    }


def error_code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def version_exists(client: Any, settings: Settings, package: Package) -> bool:
    from botocore.exceptions import ClientError

    coordinates = package_coordinates(settings, package)
    try:
        client.describe_package_version(**coordinates, packageVersion=package.version)
    except ClientError as error:
        # Not found because the version or the package is missing; a missing domain or
        # repository is an error worth reporting.
        missing = error.response.get("resourceType") in (None, "package", "package-version")
        if error_code(error) == "ResourceNotFoundException" and missing:
            return False
        raise
    return True


def package_exists(client: Any, settings: Settings, package: Package) -> bool:
    from botocore.exceptions import ClientError

    try:
        client.list_package_versions(**package_coordinates(settings, package), maxResults=1)
    except ClientError as error:
        if error_code(error) == "ResourceNotFoundException":
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


# The project's own build command, by package manager: (output folder, environment) -> argv.
BUILD_COMMANDS: dict[str, Callable[[Path, Mapping[str, str]], list[str]]] = {
    "uv": lambda out, environ: [environ["UV"], "build", "--out-dir", str(out)],
    "poetry": lambda out, environ: ["poetry", "build", "--output", str(out)],
    "pip": lambda out, environ: [sys.executable, "-m", "build", "--outdir", str(out)],
}


def build_environment(settings: Settings, endpoint: str, token: str) -> dict[str, str]:
    """The build's environment: the project's own tool gets the credentials of its index."""
    environ = dict(os.environ)
    if settings.package_manager == "uv":
        environ.update(uv_credentials(token), UV=uv_binary(os.environ))
    elif settings.package_manager == "poetry":
        environ.update(credential_variables("poetry", endpoint, token))
    else:
        environ.update(credential_variables("pip", endpoint, token))
    return environ


def run_step(command: list[str], environ: Mapping[str, str], token: str, failure: str) -> str:
    """Run a step of the release; its output is returned with the token masked."""
    proc = subprocess.run(
        command, cwd=PROJECT_ROOT, env=dict(environ), capture_output=True, text=True, check=False
    )
    output = redact(proc.stdout + proc.stderr, token).strip()
    if proc.returncode != 0:
        raise ToolError(f"{failure}:\n{output}")
    return output


def build(
    settings: Settings, package: Package, out: Path, environ: Mapping[str, str], token: str
) -> list[Path]:
    command = BUILD_COMMANDS.get(settings.package_manager, BUILD_COMMANDS["pip"])(out, environ)
    run_step(command, environ, token, "the build failed")
    return distributions_in(out, package)


def upload(endpoint: str, files: list[Path], token: str) -> None:
    environ = {**os.environ, "TWINE_USERNAME": USERNAME, "TWINE_PASSWORD": token}
    command = [
        sys.executable,
        "-m",
        "twine",
        "--no-color",
        "upload",
        "--non-interactive",
        "--disable-progress-bar",
        "--repository-url",
        endpoint,
        *map(str, files),
    ]
    proc = subprocess.run(command, env=environ, capture_output=True, text=True, check=False)
    output = redact(proc.stdout + proc.stderr, token)
    if proc.returncode == 0:
        return
    status = re.search(r"HTTPError: (\d{3})", output)
    if status and status.group(1) in ("401", "403", "404"):
        raise ToolError(
            f"the repository refused the upload (HTTP {status.group(1)}): the token is missing "
            "or expired, or your identity lacks codeartifact:PublishPackageVersion; "
            "run the command again",
            EXIT_TOKEN_REJECTED,
        )
    if status and status.group(1) == "409":
        raise ToolError(
            "the repository already has this version with other content; bump the version"
        )
    raise ToolError(f"twine upload failed:\n{output.strip()}")


# --- commands -------------------------------------------------------------------------


def command_login(args: argparse.Namespace, settings: Settings, client: Any) -> None:
    token = fetch_token(client, settings, args.duration)
    endpoint = fetch_endpoint(client, settings)
    for line in login(args.tool, endpoint, token, os.environ, args.dry_run):
        print(line)


def command_env(args: argparse.Namespace, settings: Settings, client: Any) -> None:
    token = fetch_token(client, settings, args.duration)
    endpoint = fetch_endpoint(client, settings)
    on_github = os.environ.get("GITHUB_ACTIONS") == "true"
    lines = shell_lines(
        credential_variables(args.tool, endpoint, token), args.shell, token if on_github else None
    )
    print("\n".join(lines))  # the one output that carries the token: it is meant for eval


def command_url(args: argparse.Namespace, settings: Settings, client: Any) -> None:
    endpoint = fetch_endpoint(client, settings)
    print(simple_url(endpoint) if args.simple else endpoint)


def distributions_in(folder: Path, package: Package) -> list[Path]:
    """The one wheel and one sdist of this version that ``folder`` holds (a CI build's output)."""
    from packaging.utils import canonicalize_version

    stem = f"{re.sub(r'[-_.]+', '_', package.name).lower()}-{canonicalize_version(package.version)}"
    wheels = [p for p in folder.glob("*.whl") if canonical_stem(p.name) == stem]
    sdists = [p for p in folder.glob("*.tar.gz") if canonical_stem(p.name) == stem]
    if len(wheels) != 1 or len(sdists) != 1:
        found = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else "nothing"
        raise ToolError(
            f"{folder} must hold one wheel and one sdist of {package.name} {package.version}; "
            f"it holds: {found}"
        )
    return [*wheels, *sdists]


def canonical_stem(filename: str) -> str:
    """``Acme_Utils-1.0-py3-none-any.whl`` and ``acme_utils-1.0.tar.gz`` -> ``acme_utils-1.0``."""
    from packaging.utils import canonicalize_version

    name, version = filename.removesuffix(".tar.gz").split("-")[:2]
    return f"{name.lower()}-{canonicalize_version(version)}"


def command_publish(args: argparse.Namespace, settings: Settings, client: Any) -> None:
    package = load_package(read_pyproject())
    state = git_tree_state(PROJECT_ROOT)
    if state == "dirty" and not args.allow_dirty:
        raise ToolError(
            "the git working tree has uncommitted changes: commit them, or pass --allow-dirty"
        )
    if state == "none":
        print("note: not in a git repository; publishing without the clean-tree check")
    if version_exists(client, settings, package):
        raise ToolError(
            f"{package.normalized_name} {package.version} is already in {settings.repository}; "
            "versions cannot be replaced: set a new version in pyproject.toml"
        )
    first_version = not package_exists(client, settings, package)
    token = fetch_token(client, settings)
    endpoint = fetch_endpoint(client, settings)
    with tempfile.TemporaryDirectory(prefix="codeartifact-dist-") as out:
        if args.dist:
            files = distributions_in(Path(args.dist), package)
        else:
            environ = build_environment(settings, endpoint, token)
            files = build(settings, package, Path(out), environ, token)
        check = [sys.executable, "-m", "twine", "check", "--strict", *map(str, files)]
        run_step(check, os.environ, token, "twine check --strict found problems")
        names = ", ".join(f.name for f in files)
        if args.dry_run:
            print(f"dry run: checked {names}; nothing uploaded to {endpoint}")
            return
        if first_version and not args.no_origin_control:
            print(claim_name(client, settings, package))
        upload(endpoint, files, token)
    print(f"published {names} to {endpoint}")
    print(
        f"install it with: pip install '{package.name}=={package.version}' (after login --tool pip)"
    )


def command_check_tag(args: argparse.Namespace, settings: Settings, client: Any) -> None:
    version = load_package(read_pyproject()).version
    if args.tag != f"v{version}":
        raise ToolError(
            f"the tag {args.tag} does not match the version {version} in pyproject.toml: "
            f"tag the release v{version}, or set the version to {args.tag.removeprefix('v')}"
        )
    print(f"the tag {args.tag} matches the version in pyproject.toml")


def duration_seconds(text: str) -> int:
    value = int(text)
    if value != 0 and not 900 <= value <= 43200:
        raise argparse.ArgumentTypeError(
            "must be 0 or 900 to 43200 seconds (15 minutes to 12 hours)"
        )
    return value


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="codeartifact.py",
        description="Log in to, and publish to, this project's AWS CodeArtifact repository.",
        epilog="exit codes: 1 refused or failed, 2 usage, 3 no AWS credentials, "
        "4 access denied, 5 token rejected, 6 throttled or service error, 7 unreachable, "
        "8 domain or repository not found",
    )
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
    sub.add_argument("--tool", choices=TOOLS, required=True)
    sub.add_argument(
        "--dry-run", action="store_true", help="show what would be written, token masked"
    )
    sub.set_defaults(run=command_login)

    sub = commands.add_parser(
        "env", parents=[duration], help="print shell lines that export credentials"
    )
    sub.add_argument("--tool", choices=TOOLS, help="only this tool's variables (default: all)")
    sub.add_argument("--shell", choices=("sh", "powershell"), default="sh")
    sub.set_defaults(run=command_env)

    sub = commands.add_parser("url", help="print the repository URL (no token)")
    sub.add_argument("--simple", action="store_true", help="the index URL installers use")
    sub.set_defaults(run=command_url)

    sub = commands.add_parser("publish", help="build, check and upload this version")
    sub.add_argument("--dry-run", action="store_true", help="build and check, upload nothing")
    sub.add_argument("--dist", metavar="DIR", help="upload the sdist and wheel already in DIR")
    sub.add_argument("--allow-dirty", action="store_true", help="publish from uncommitted changes")
    sub.add_argument(
        "--no-origin-control",
        action="store_true",
        help="do not block the name from the upstream on its first version",
    )
    sub.set_defaults(run=command_publish)

    sub = commands.add_parser("check-tag", help="check that a git tag is v<version>")
    sub.add_argument("tag", help="the tag, e.g. v1.2.0")
    sub.set_defaults(run=command_check_tag)
    return top


def main(argv: Sequence[str] | None = None, client: Any = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings(read_pyproject(), os.environ)
        args.run(args, settings, client or make_client(settings))
    except ToolError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except Exception as error:
        translated = translate_aws_error(error)
        if translated is None:
            raise
        print(f"error: {translated}", file=sys.stderr)
        return translated.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
