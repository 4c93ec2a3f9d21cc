#!/usr/bin/env python3
# /// script
# requires-python = ">=3.11"
# dependencies = ["boto3[crt]>=1.35", "packaging>=24.2", "uv>=0.9"]
# ///
"""Log in and publish to this project's AWS CodeArtifact repository: only what uv, pip, Poetry
and keyrings.codeartifact do not do. Its settings are [tool.codeartifact] in pyproject.toml."""

import argparse
import contextlib
import hashlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

VERSION = "2.0.0"
ROOT = Path(__file__).resolve().parent.parent
BACKEND = "keyrings.codeartifact"  # https://pypi.org/project/keyrings.codeartifact/
PLUGINS = (BACKEND, "botocore[crt]")  # crt: for a profile of `aws login` (aws/aws-cli#9949)
EXIT_CODES = {  # README.md's table and --help list them
    0: "done; also when every file of the version was in the repository already",
    1: "refused: uncommitted changes, a failed build, a dev or local version, a changed file",
    2: "wrong command-line usage, or a Python without the tool's dependencies",
    3: "no usable AWS credentials: run `aws sso login` or set `AWS_PROFILE`",
    4: "access denied: the message names the IAM action that is missing",
    5: "the repository refused the token: run the command again",
    6: "CodeArtifact or the repository throttled or failed: run the command again later",
    7: "CodeArtifact or the repository cannot be reached in time: check the network, a proxy",
    8: "no such domain or repository, or a malformed setting: check [tool.codeartifact]",
    70: "an unexpected error in this tool: please report it with the command you ran",
    74: "the output is closed, or it or a file cannot be written (a full disk; 141: a reader left)",
    130: "interrupted by Ctrl-C (143: by SIGTERM, as a cancelled CI job): it says how to finish",
}
TOOLS = ("pip", "uv", "poetry", "twine")  # that env gives the token to
# Why a tool failed, from its word on; not build's lines that only say that a child failed.
CAUSE = re.compile(r"\W*((?:(?:error|ERROR|cause)\b|\w+Error:)(?!.*(?:non-zero exit|ss exited)).*)")
STATUS = re.compile(r"status (?:code |\w+ error \()((\d{3})[^.)]*)")  # in uv's words
NO_ANSWER = re.compile(r"(?i)os error|timed out|error sending|connection|corrupt|not known|address")
HTTP_CODES = {"401": 5, "403": 5, "409": 1, "502": 7, "504": 7}  # any other status: 6
Env = dict[str, str] | None  # a child's environment; None: the tool's own
HINT = "run `aws sso login`, set AWS_PROFILE, or check the CI role"
AWS_FAULTS = """
3 SSOTokenLoadError: this AWS SSO profile never signed in on this machine: run `aws sso login`
3 UnauthorizedSSOTokenError TokenRetrievalError: the AWS SSO session has expired ({error}): \
run `aws sso login`
3 ProfileNotFound ConfigParseError: {error}: check AWS_PROFILE and ~/.aws/config
3 NoCredentialsError PartialCredentialsError CredentialRetrievalError InvalidConfigError SSOError \
ExpiredTokenException InvalidClientTokenId UnrecognizedClientException LoginError \
MissingDependencyException: no usable AWS credentials ({error}): {hint}
4 AccessDeniedException: access denied: you may not call {action} ({message})
8 ResourceNotFoundException: not found: {message}; check [tool.codeartifact] in pyproject.toml
8 ParamValidationError InvalidRegionError ValidationException: {error}; check [tool.codeartifact]
6 ThrottlingException InternalServerException ServiceUnavailableException: CodeArtifact answered \
{code} to {call} {tries} times: try again later
7 ConnectTimeoutError ReadTimeoutError: CodeArtifact did not answer in time ({error})
7 ConnectionError HTTPClientError: cannot reach CodeArtifact ({error}): check the network, a proxy
"""


class Fault(BaseException):  # one line and its exit code; botocore's retries catch no signal's
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def aws_fault(error: Exception) -> Fault | None:
    """botocore's errors as lines to act on, by class or ClientError code: "EXIT NAMES: line"."""
    response = getattr(error, "response", None) or {}
    answer, call = response.get("Error", {}), getattr(error, "operation_name", None)
    code, message = answer.get("Code", ""), answer.get("Message")
    also = " and sts:GetServiceBearerToken" if call == "GetAuthorizationToken" else ""
    facts = {"error": error, "code": code, "call": call, "action": f"codeartifact:{call}{also}",
             "tries": response.get("ResponseMetadata", {}).get("RetryAttempts", 0) + 1,
             "message": message, "hint": HINT}  # fmt: skip
    names = {code, *(k.__name__ for k in type(error).__mro__ if "botocore" in k.__module__)}
    for row in AWS_FAULTS.strip().splitlines():
        exit_code, *kinds = row.partition(":")[0].split()
        if names & set(kinds):
            return Fault(row.split(": ", 1)[1].format(**facts), int(exit_code))
    if code.isdigit():  # no AWS error type: the answer came from something in between
        return Fault(f"a proxy between you and CodeArtifact answered HTTP {code} {message}", 7)
    return Fault(f"CodeArtifact refused {call}: {code}: {message}") if code else None


def on_signal(signum: int, frame: object) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Fault(f"stopped by {signal.Signals(signum).name}", 128 + signum)  # and ends run's child


def run(command: list[str], env: Env = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    except OSError as error:  # as a shell says it, with its exit status
        return subprocess.CompletedProcess(command, 127, "", f"cannot run {command[0]}: {error}")


def checked(command: list[str], env: Env = None, token: str = "\0", what: str = "") -> str:
    """Run a tool; a failure is its last error line, with the code of its HTTP status or silence."""
    proc = run(command, env)
    if proc.returncode != 0:
        lines = (proc.stdout + proc.stderr).replace(token, "****").strip().splitlines()
        errors = [match[1] for line in lines if (match := CAUSE.match(line))]
        why = (errors or lines or [f"exit status {proc.returncode}"])[-1].strip()
        status, lost = STATUS.search(why), NO_ANSWER.search(why)
        code = HTTP_CODES.get(status[2], 6) if status else 7 if lost else 1
        why = why.split(": ")[-1] if lost and not status else why
        why = f"the repository answered HTTP {status[1]}" if status else why
        raise Fault(f"{what or f'`{shlex.join(command[:3])} …`'} failed: {why}", code)
    return proc.stdout


def git(*args: str) -> str | None:
    proc = run(["git", *args])
    return proc.stdout if proc.returncode == 0 else None  # None: no git, or no work tree


def pyproject() -> dict[str, Any]:
    try:
        return tomllib.loads((ROOT / "pyproject.toml").read_bytes().decode())  # UTF-8
    except (OSError, ValueError) as error:  # ValueError: not TOML, not UTF-8
        raise Fault(f"cannot read pyproject.toml: {error}") from error


def settings() -> dict[str, str]:
    found = dict(pyproject().get("tool", {}).get("codeartifact", {}))
    found["region"] = found.get("region") or os.getenv("AWS_REGION")  # CodeBuild sets its own
    missing = [k for k in ("domain", "domain-owner", "repository", "region") if not found.get(k)]
    if missing:
        raise Fault(f"pyproject.toml's [tool.codeartifact] lacks {', '.join(missing)}")
    runner = {"uv": "uv run", "poetry": "pipx run"}.get(str(found.get("package-manager")), "python")
    return {**found, "me": f"{runner} scripts/codeartifact.py"}


def project() -> tuple[str, str | None]:
    """pyproject.toml's name, and its version (None where the build sets it from the tag)."""
    from packaging.version import InvalidVersion, Version

    table = pyproject().get("project", {})
    try:
        dynamic = "version" in table.get("dynamic", [])
        return table["name"], None if dynamic else str(Version(table["version"]))
    except (KeyError, InvalidVersion) as error:
        raise Fault(f"pyproject.toml needs [project] name and a PEP 440 version: {error}") from None


def distributions(folder: Path, name: str, version: str | None) -> tuple[list[Path], str]:
    """The one wheel and the one sdist of the project in ``folder``, and their version."""
    from packaging.utils import canonicalize_name, parse_wheel_filename

    stem = canonicalize_name(name).replace("-", "_")  # as in their file names (PEP 427, PEP 625)
    wheels = sorted(folder.glob(f"{stem}-{version or '*'}-*.whl"))
    built = str(parse_wheel_filename(wheels[0].name)[1]) if len(wheels) == 1 else None
    if not built or not (folder / f"{stem}-{built}.tar.gz").is_file():
        held = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else "nothing"
        raise Fault(f"{folder} must hold one wheel and one sdist of {name}; it holds: {held}")
    return [wheels[0], folder / f"{stem}-{built}.tar.gz"], built


def check_releasable(version: str, static: bool, dev: bool) -> None:
    """Refuse a local version (1.0+g1a2b3c: never on an index), and a dev one unless asked for."""
    from packaging.version import Version

    base, local = Version(version).base_version, Version(version).local
    why, fix = ", built from a commit with no tag v<version>", f"tag the commit (git tag v{base}"
    fix += ", then push the tag)"
    if static:
        why, fix = "", f"set a release version such as {base} in pyproject.toml"
    elif git("status", "--porcelain", "--untracked-files=no"):  # the tag's version + 1: changed
        why, fix = ", built from uncommitted changes", "commit them (`git status` lists them)"
    if local:
        raise Fault(f"{version} has a local label (+{local}), never published: {fix}")
    if Version(version).is_devrelease and not dev:
        raise Fault(f"{version} is a development version{why}: {fix}, or pass --dev")


def build(where: dict[str, str], out: Path, endpoint: str, token: str) -> None:
    """With the project's tool, its index's token, and the commit's time (the same bytes)."""
    manager = str(where.get("package-manager"))  # none: pip's way, with build
    env = dict(os.environ, **dict(variables(manager, endpoint, token)))
    env.setdefault("SOURCE_DATE_EPOCH", (git("log", "-1", "--format=%ct") or "").strip())
    builds = {"uv": ["uv", "build", "--out-dir"], "poetry": ["poetry", "build", "--output"]}
    command = builds.get(manager, [sys.executable, "-m", "build", "--outdir"])
    checked([*command, str(out)], {name: value for name, value in env.items() if value}, token)


def client_for(region: str) -> Any:
    """A client that retries throttling and 5xx, with credentials resolved now (a missing file)."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(region_name=region)
    try:
        if session.get_credentials() is not None:
            session.get_credentials().get_frozen_credentials()
        config = Config(connect_timeout=10, read_timeout=30, retries={"mode": "standard"})
        return session.client("codeartifact", config=config)
    except OSError as error:
        raise Fault(f"no usable AWS credentials ({error}): {HINT}", 3) from error
    except ValueError as bad:  # InvalidRegionError, or a plain one: a malformed endpoint URL
        raise aws_fault(bad) or Fault(f"{bad}: check AWS_ENDPOINT_URL_CODEARTIFACT", 8) from None


def connect(client: Any, where: dict[str, str], endpoint_only: bool = False) -> tuple[str, str]:
    owner = {"domain": where["domain"], "domainOwner": where["domain-owner"]}
    secret = "" if endpoint_only else client.get_authorization_token(**owner)["authorizationToken"]
    answer = client.get_repository_endpoint(**owner, repository=where["repository"], format="pypi")
    return secret, answer["repositoryEndpoint"].rstrip("/") + "/"  # a token (or ""), the endpoint


def index_url(endpoint: str, user: str = "") -> str:
    return endpoint.replace("://", f"://{user}@" if user else "://", 1) + "simple/"  # user[:token]


def variables(tool: str, endpoint: str, token: str) -> list[tuple[str, str]]:
    """What gives ``tool`` the token: for uv, its index's, never UV_DEFAULT_INDEX (uv#9867)."""
    user = {"uv": "UV_INDEX_CODEARTIFACT_", "poetry": "POETRY_HTTP_BASIC_CODEARTIFACT_"}
    if prefix := {**user, "twine": "TWINE_"}.get(tool):
        pairs = [(prefix + "USERNAME", "aws"), (prefix + "PASSWORD", token)]
        return [("TWINE_REPOSITORY_URL", endpoint)] * (tool == "twine") + pairs
    return [("PIP_INDEX_URL", index_url(endpoint, f"aws:{token}"))]


def stored(client: Any, package: dict[str, str]) -> dict[str, str]:
    try:  # name -> SHA-256 of the files the repository has of this version
        pages = client.get_paginator("list_package_version_assets").paginate(**package)
        return {a["name"]: a["hashes"].get("SHA-256", "") for p in pages for a in p["assets"]}
    except client.exceptions.ResourceNotFoundException:
        return {}


def uv() -> str:
    from uv import find_uv_bin  # the uv this tool depends on: its wheel is the binary alone

    return str(find_uv_bin())


def login_uv(endpoint: str, args: argparse.Namespace) -> str:
    """The keyring command as uv's guide installs it (docs.astral.sh/uv/guides/integration/aws)."""
    for installed in (False, True):  # uv runs the first keyring on PATH
        found = shutil.which("keyring")
        if found and BACKEND in run([found, "--list-backends"]).stdout:
            return f"{'installed' if installed else 'found'} {found} with {BACKEND}"
        if not installed:  # uv refuses to replace another program's keyring: it says so
            checked([uv(), "tool", "install", "keyring", *keyring_plugins()])
    raise Fault(f"{found or 'no keyring'} is first on PATH: put `uv tool dir --bin` before it")


def keyring_plugins() -> list[str]:
    """--with ours and the user's (uv's receipt of the tool): uv has no inject (uv#7312)."""
    receipt = Path(checked([uv(), "tool", "dir"]).strip(), "keyring", "uv-receipt.toml")
    had = tomllib.loads(receipt.read_text())["tool"]["requirements"] if receipt.exists() else []
    kept = [f"{r['name']}[{','.join(r.get('extras', ''))}]{r.get('specifier', '')}"
          f"{''.join(' @ ' + r[k] for k in ('url', 'directory', 'path') if k in r)}"
          f"{'; ' + r['marker'] if 'marker' in r else ''}" for r in had[1:]]  # fmt: skip
    return [f"--with={requirement}" for requirement in [*kept, *PLUGINS]]


def login_pip(endpoint: str, args: argparse.Namespace) -> str:
    """In this venv's pip.conf (pip.pypa.io/en/stable/topics/authentication/#keyring-support)."""
    pip = [sys.executable, "-m", "pip"]
    if sys.prefix == sys.base_prefix:
        raise Fault(f"{sys.executable} is no virtual environment: . .venv/bin/activate")
    listed = run([*pip, "config", "list"])  # every setting pip merges, before changing any
    if listed.returncode:  # no pip (as under `uv run`), or a pip.conf it cannot read
        raise Fault(f"`{shlex.join(pip)} config list` failed: {listed.stderr}{listed.stdout}")
    for key, _, value in (line.partition("=") for line in listed.stdout.splitlines()):
        url = re.sub(r"//[^/@]+@", "//", value.strip("'"))  # with no token, if any
        other = "find-links" in key or ("index-url" in key and url != index_url(endpoint))
        if other and not args.allow_extra_index:
            raise Fault(f"pip also looks in {re.sub('//[^/@]+@', '//****@', value)} ({key}), "
                        "where a package of this project's name could stand in for it: remove "
                        "it, or pass --allow-extra-index")  # fmt: skip
    checked([*pip, "install", "--quiet", "keyring", *PLUGINS])
    checked([*pip, "config", "--site", "set", "global.keyring-provider", "import"])
    checked([*pip, "config", "--site", "set", "global.index-url", index_url(endpoint)])
    return f"installed keyring with {BACKEND}; the pip of {sys.prefix} reads {index_url(endpoint)}"


def login_poetry(endpoint: str, args: argparse.Namespace) -> str:
    """Where Poetry looks for it: with pipx inject (which outlives a reinstall) or `poetry self`."""
    info = re.search(r"^Executable: *(.+)", checked(["poetry", "debug", "info"]), re.M)
    python = info[1] if info else "poetry's python"  # its own, the first Executable listed
    venv, imports = Path(python).parent.parent, [python, "-I", "-c", f"import {BACKEND}, awscrt"]
    if run(imports).returncode:
        pipx = (venv / "pipx_metadata.json").is_file()
        checked([*(["pipx", "inject", venv.name] if pipx else ["poetry", "self", "add"]), *PLUGINS])
        checked(imports)  # there now, not assumed
    return f"{BACKEND} is in Poetry's environment"


def keyring_settings() -> str:
    """keyringrc.cfg where keyring reads it (keyring.util.platform_): without, the backend warns."""
    folder = Path(os.getenv("XDG_CONFIG_HOME") or Path.home() / ".config", "python_keyring")
    if sys.platform == "win32":
        folder = Path(os.getenv("LOCALAPPDATA") or Path.home() / "AppData/Local", "Python Keyring")
    rc, new = folder / "keyringrc.cfg", folder / "keyringrc.cfg.new"
    if not rc.exists() or not rc.stat().st_size:  # an empty one holds nothing of the user's
        folder.mkdir(parents=True, exist_ok=True)
        try:  # whole, or not at all, on a full disk
            new.write_text(f"# pypi.org/project/{BACKEND}\n[codeartifact]\n")
            new.replace(rc)
        finally:
            new.unlink(missing_ok=True)
    return f"keyrings.codeartifact reads {folder / 'keyringrc.cfg'}"


def command_login(args: argparse.Namespace, where: dict[str, str], client: Any) -> None:
    if set_ := [name for name, _ in variables(args.tool, "", "") if name in os.environ]:
        raise Fault(f"{' and '.join(set_)} (from env) outrank the keyring: unset {' '.join(set_)}")
    _, endpoint = connect(client, where)  # the credentials work, and may read the repository
    done = {"uv": login_uv, "pip": login_pip, "poetry": login_poetry}[args.tool](endpoint, args)
    print(f"{done}\n{keyring_settings()}\nlogged {args.tool} in to {where['repository']} through "
          "the keyring: it fetches a fresh token on every use, and none is stored")  # fmt: skip


def upload(endpoint: str, file: Path, token: str) -> None:
    env = dict(os.environ, UV_PUBLISH_USERNAME="aws", UV_PUBLISH_PASSWORD=token)  # not in argv
    env.setdefault("UV_UPLOAD_HTTP_TIMEOUT", "300")  # uv's own default waits 15 minutes
    options = ["--no-config", "--no-progress", "--trusted-publishing", "never", "--publish-url"]
    checked([uv(), "publish", *options, endpoint, str(file)], env, token, f"uploading {file.name}")


def command_publish(args: argparse.Namespace, where: dict[str, str], client: Any) -> None:
    from packaging.utils import canonicalize_name

    name, version = project()
    status = git("status", "--porcelain")
    if status is None and (ROOT / ".git").exists():  # such as git's "dubious ownership"
        raise Fault("git cannot read this repository: `git status` says why")
    if status and not args.allow_dirty:
        raise Fault("the git work tree has uncommitted changes: commit them, or pass --allow-dirty")
    if status is None and version is None and not args.dist:
        raise Fault("the version comes from the git tag, and this is no git repository: tag it")
    token, endpoint = connect(client, where)
    finish = f"{where['me']} publish" + (" --dist " + shlex.quote(args.dist) if args.dist else "")
    with tempfile.TemporaryDirectory(prefix="codeartifact-dist-") as out:
        if not args.dist:
            build(where, Path(out), endpoint, token)
        files, built = distributions(Path(args.dist or out).absolute(), name, version)
        check_releasable(built, version is not None, args.dev)
        package = {"domain": where["domain"], "domainOwner": where["domain-owner"],
                   "repository": where["repository"], "format": "pypi",
                   "package": canonicalize_name(name), "packageVersion": built}  # fmt: skip
        there, ours = stored(client, package), {f: hashlib.sha256(f.read_bytes()) for f in files}
        for file, digest in ((file, digest.hexdigest()) for file, digest in ours.items()):
            if there.get(file.name, digest).lower() != digest:
                raise Fault(f"{file.name} is in {where['repository']} with other content (SHA-256 "
                            f"{there[file.name]} there, {digest} here): publish a new version; "
                            "nothing was uploaded")  # fmt: skip
        missing = [file for file in files if file.name not in there]
        said = f"{package['package']} {built} in {where['repository']}"
        names = ", ".join(file.name for file in missing)
        if not missing or args.dry_run:
            said = f"dry run: would upload {names}" if missing else f"already published: {said}"
            return print(said)
        for file in missing:
            try:
                upload(endpoint, file, token)
            except Fault as fault:  # a signal may cut an upload off after its last byte
                cut = [file.name] if fault.code > 128 else []
                state = f"in the repository: {', '.join(sorted(there)) or 'none'}"
                state += f"; perhaps: {file.name}" if cut else ""
                left = ", ".join(f.name for f in missing if f.name not in [*there, *cut]) or "none"
                state += f"; not yet: {left}; finish with: {finish}"
                raise Fault(f"{fault}; {state}", fault.code) from None
            there |= {file.name: ours[file].hexdigest()}
            with contextlib.suppress(OSError):  # a lost output (main says so) stops no upload
                print(f"uploaded {file.name}", flush=True)
    print(f"published {said}\ncheck that it installs from there: {where['me']} verify")


def command_env(args: argparse.Namespace, where: dict[str, str], client: Any) -> None:
    token, endpoint = connect(client, where)
    pairs = [("", "::add-mask::" + token)][os.getenv("GITHUB_ACTIONS") != "true" :]  # for GitHub
    tools = [args.tool] if args.tool else TOOLS
    pairs += [pair for tool in tools for pair in variables(tool, endpoint, token)]
    sh = args.shell == "sh"  # PowerShell's single quotes keep all but a quote, which is doubled
    quote = shlex.quote if sh else (lambda value: "'" + value.replace("'", "''") + "'")
    line = ("export {}={}", "echo {1}") if sh else ("$env:{} = {}", "Write-Output {1}")
    print("\n".join(line[not k].format(k, quote(v)) for k, v in pairs))  # the token: for eval


def command_verify(args: argparse.Namespace, where: dict[str, str], client: Any) -> None:
    """Install this version from the repository into a new environment as a consumer would."""
    name, version = project()
    tag = (git("describe", "--tags", "--exact-match", "--match", "v*") or "").strip()
    if not (version or tag):
        raise Fault("the version comes from the git tag, and this commit has none: check out a tag")
    requirement = f"{name}=={version or tag[1:]}"
    token, endpoint = connect(client, where)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_"))}
    env.update(UV_DEFAULT_INDEX=index_url(endpoint, f"aws:{token}"), UV_NO_CACHE="1")
    modules = ", ".join(sorted(path.parent.name for path in ROOT.glob("src/*/__init__.py")))
    command = [uv(), "run", "--no-config", "--no-project", "--isolated", "-qp", sys.executable]
    command += ["--with", requirement, "python", "-I", "-c", f"import {modules or 'sys'}"]
    checked(command, env, token, f"installing {requirement} from there")  # a new environment
    print(f"verified: {requirement} installs from {where['repository']} into a new environment")


def check_tag(args: argparse.Namespace, where: dict[str, str], client: Any) -> None:
    """The tag is v + the version (PEP 440): of the build in --dist, or pyproject.toml's."""
    from packaging.version import InvalidVersion, Version

    name, version = project()
    source, fix = "pyproject.toml", f"tag v{version}, or set the tag's version in pyproject.toml"
    if args.dist:
        source = f"the build in {args.dist}"
        version = distributions(Path(args.dist), name, version)[1]
        fix = "build the commit the tag names, with the tags fetched (a full clone)"
        if git("status", "--porcelain", "--untracked-files=no"):  # its version is the next one's
            fix = "commit the changes (`git status` lists them), then build again"
    elif not version:
        raise Fault(f"the version is the tag's: build, then check-tag {args.tag} --dist DIR", 2)
    with contextlib.suppress(InvalidVersion):  # a tag that is no version matches none
        if args.tag.startswith("v") and str(Version(args.tag[1:])) == version:
            return print(f"the tag {args.tag} matches the version {version} of {source}")
    raise Fault(f"the tag {args.tag} does not match the version {version} of {source}: {fix}")


def command_url(args: argparse.Namespace, where: dict[str, str], client: Any) -> None:
    print(connect(client, where, endpoint_only=True)[1] + ("simple/" if args.simple else ""))


COMMANDS = {"login": command_login, "env": command_env, "url": command_url, "check-tag": check_tag,
            "publish": command_publish, "verify": command_verify}  # fmt: skip


def parser() -> argparse.ArgumentParser:
    codes = "\n".join(f"  {k:>3}  {text}" for k, text in EXIT_CODES.items())
    top = argparse.ArgumentParser(prog="codeartifact.py", epilog="exit codes:\n" + codes,
        description=f"Log in and publish to this project's CodeArtifact repository ({VERSION}).",
        formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    top.add_argument("--version", action="version", version=f"codeartifact.py {VERSION}")
    add = top.add_subparsers(dest="command", required=True).add_parser
    login = add("login", help="let pip, uv or Poetry ask the keyring for a fresh token")
    login.add_argument("--tool", choices=("pip", "uv", "poetry"), required=True)
    login.add_argument("--allow-extra-index", action="store_true", help="pip: keep other indexes")
    env = add("env", help="print lines that export a token, for CI or one shell")
    env.add_argument("--tool", choices=TOOLS, help="only this tool's")
    env.add_argument("--shell", choices=("sh", "powershell"), default="sh")
    url = add("url", help="print the repository URL (no token)")
    url.add_argument("--simple", action="store_true", help="the index URL installers use")
    publish = add("publish", help="build, and upload what of this version the repository lacks")
    publish.add_argument("--dist", metavar="DIR", help="upload the sdist and wheel already in DIR")
    publish.add_argument("--dry-run", action="store_true", help="build and compare, upload nothing")
    publish.add_argument("--allow-dirty", action="store_true", help="publish uncommitted changes")
    publish.add_argument("--dev", action="store_true", help="publish a development version too")
    add("verify", help="install this version from the repository into a new environment")
    tag = add("check-tag", help="check that a git tag is v<version> (no AWS)")
    tag.add_argument("tag", help="the tag, such as v1.2.0")
    tag.add_argument("--dist", metavar="DIR", help="the version of the sdist and wheel in DIR")
    return top


def main(argv: list[str] | None = None, client: Any = None) -> int:
    """Run one command; every fault ends as one ``error: …`` line and its exit code."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    try:
        try:
            args = parser().parse_args(argv)
            if sys.stdout is None:  # closed (>&-): Python gives None, to which print writes nothing
                raise Fault("the output is closed: give it a file, a pipe or /dev/null", 74)
            where, run_it = settings(), COMMANDS[args.command]
            aws = client or (args.command != "check-tag" and client_for(where["region"]))
            run_it(args, where, aws)
            code = 0
        except SystemExit as done:  # --help, or a usage error: argparse's text is out
            code = done.code if isinstance(done.code, int) else 2
        print(end="", flush=True)  # any output lost is said below
        return code
    except Fault as known:
        fault = known
    except ModuleNotFoundError as gone:
        fault = Fault(f"{gone.name} is not installed for {sys.executable}: see README.md", 2)
    except Exception as error:  # botocore's timeouts are OSErrors too: aws_fault knows them
        if not (found := aws_fault(error)) and isinstance(error, OSError):  # the output, a file
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so that the last flush cannot fail
            if isinstance(error, BrokenPipeError):
                return 141
            found = Fault(f"cannot write {error.filename or 'the output'}: {error.strerror}", 74)
        fault = found or Fault(f"{type(error).__name__}: {error}", 70)
    finally:  # done: a signal now would only hide the outcome
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
    print("error:", *str(fault).split(), file=sys.stderr)  # one line, whatever a tool said
    return fault.code


if __name__ == "__main__":
    sys.exit(main())
