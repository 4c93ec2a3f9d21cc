"""Slow, end to end: faults injected between the release tool and a loopback CodeArtifact.

The tool runs as a user runs it (a child process, ``python scripts/codeartifact.py``), against
the CodeArtifact stand-in and a real pypiserver; a FaultServer stands in for the repository
where a test needs one. The tool compares SHA-256 sums with CodeArtifact's, then ``uv publish``
uploads each missing file: uv sends an upload once (it retries a dropped connection, never an
HTTP error), and the tool tells the answer in one line. Every fault must end in at most three
lines, no traceback, its documented exit code and the command that finishes the job, with
nothing left in TMPDIR; a half-published version must always be finishable.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.faults import FaultServer
from tests.support.servers import CodeArtifactStandIn, PypiServer, free_port
from tests.support.tools import run

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]

TOKEN = "ca-" + secrets.token_urlsafe(32)
ANSWERS = {"project_name": "Fault Lib", "version": "1.0.0", "codeartifact_domain": "acme",
           "codeartifact_domain_owner": "444455556666", "codeartifact_repository": "python"}  # fmt: skip
WHEEL, SDIST = "fault_lib-1.0.0-py3-none-any.whl", "fault_lib-1.0.0.tar.gz"
FINISH = "finish with: uv run scripts/codeartifact.py publish --dist dist"
NOTHING_IN = f"in the repository: none; not yet: {WHEEL}, {SDIST}; {FINISH}"


@pytest.fixture(scope="module")
def codeartifact(tmp_path_factory) -> CodeArtifactStandIn:
    repository = PypiServer(root=tmp_path_factory.mktemp("pypiserver"), token=TOKEN)
    repository.start()
    stand_in = CodeArtifactStandIn(repository, "acme", "444455556666", "python")
    stand_in.start()
    yield stand_in
    stand_in.stop()
    repository.stop()


@pytest.fixture(autouse=True)
def fresh_repository(codeartifact):
    """Each test starts with none of the package's files in the repository and the real endpoint."""
    for name in codeartifact.files_of("fault-lib"):
        (codeartifact.repository.packages / name).unlink()
    codeartifact.endpoint = codeartifact.repository.url
    codeartifact.token = TOKEN
    codeartifact.after_answer.clear()


def committed(project: Path, tools) -> Path:
    git = ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false"]
    for command in (["git", "init", "-q"], ["git", "add", "-A"], [*git, "commit", "-q", "-m", "First"]):
        run(*command, cwd=project, env=tools.env(GIT_CONFIG_NOSYSTEM="1"))
    return project


@pytest.fixture(scope="module")
def project(bake_copy, tools) -> Path:
    return committed(bake_copy(**ANSWERS), tools)


@pytest.fixture(scope="module")
def dist(project, tools) -> Path:
    """The release files, built once (a CI build job's output)."""
    tools.uv("build", "--out-dir", project / "dist", cwd=project)
    assert sorted(p.name for p in (project / "dist").glob("fault_lib-*")) == [WHEEL, SDIST]
    return project / "dist"


@pytest.fixture
def scratch(tmp_path) -> Path:
    """TMPDIR for the tool: it must be empty again when the tool has ended, whatever happened."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


def tool_env(tools, codeartifact, scratch: Path, **extra: str) -> dict[str, str]:
    home = scratch.parent / "home"
    settings = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "TMPDIR": str(scratch),
        "AWS_ENDPOINT_URL_CODEARTIFACT": codeartifact.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(scratch.parent / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(scratch.parent / "aws-credentials"),
        "AWS_MAX_ATTEMPTS": "2",
        # uv publish's own settings, so that a fault ends in seconds: each upload may take 2 s
        # (the tool sets 300 where none is set), and a dropped connection is not sent again.
        "UV_UPLOAD_HTTP_TIMEOUT": "2",
        "UV_HTTP_RETRIES": "0",
    }
    return tools.env(**{**settings, **extra})


def release_tool(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(sys.executable, "scripts/codeartifact.py", *args, cwd=project, env=env, check=False)


def assert_one_fault(proc: subprocess.CompletedProcess[str], exit_code: int, line: str | re.Pattern[str]) -> None:
    """Exit ``exit_code``, and ``line`` (or a line matching it) as the whole output."""
    output = proc.stdout + proc.stderr
    assert proc.returncode == exit_code, output
    assert "Traceback" not in output and len(output.strip().splitlines()) <= 3, output
    if isinstance(line, str):
        assert proc.stderr == line + "\n", output
    else:
        assert line.fullmatch(proc.stderr.removesuffix("\n")), output
    assert proc.stdout == ""
    assert TOKEN not in output


def sha256(path: Path | bytes) -> str:
    return hashlib.sha256(path if isinstance(path, bytes) else path.read_bytes()).hexdigest()


# --- a half-published version is finished, a finished one is left alone ----------------


@pytest.mark.parametrize("stored", [WHEEL, SDIST])
def test_a_half_published_version_is_finished_then_found_complete(codeartifact, project, dist, tools, scratch, stored):
    (codeartifact.repository.packages / stored).write_bytes((dist / stored).read_bytes())
    missing = SDIST if stored == WHEEL else WHEEL
    env = tool_env(tools, codeartifact, scratch)

    finished = release_tool(project, env, "publish", "--dist", "dist")
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.splitlines() == [
        f"uploaded {missing}",
        "published fault-lib 1.0.0 in python",
        "check that it installs from there: uv run scripts/codeartifact.py verify",
    ]
    assert sorted(codeartifact.files_of("fault-lib")) == [WHEEL, SDIST]
    assert sha256(codeartifact.repository.packages / missing) == sha256(dist / missing)

    mtimes = {p.name: p.stat().st_mtime_ns for p in codeartifact.repository.packages.iterdir()}
    again = release_tool(project, env, "publish", "--dist", "dist")
    assert again.returncode == 0, again.stderr
    assert again.stdout == "already published: fault-lib 1.0.0 in python\n"
    assert {p.name: p.stat().st_mtime_ns for p in codeartifact.repository.packages.iterdir()} == mtimes
    assert list(scratch.iterdir()) == []


def test_a_stored_file_with_other_bytes_is_refused_naming_both_hashes(codeartifact, project, dist, tools, scratch):
    stored = codeartifact.repository.packages / WHEEL
    stored.write_bytes(b"not the wheel that this commit builds")
    proc = release_tool(project, tool_env(tools, codeartifact, scratch), "publish", "--dist", "dist")
    assert_one_fault(
        proc,
        1,
        f"error: {WHEEL} is in python with other content (SHA-256 {sha256(stored)} there, "
        f"{sha256(dist / WHEEL)} here): publish a new version; nothing was uploaded",
    )
    assert codeartifact.files_of("fault-lib") == [WHEEL]
    assert list(scratch.iterdir()) == []


def test_a_file_with_other_bytes_that_lands_after_the_check_is_refused_by_the_repository(
    codeartifact, project, dist, tools, scratch
):
    """Another job uploads the wheel, built otherwise, between the tool's look at the repository
    and its upload: the SHA-256 check found nothing, so the guard is uv publish, which reports the
    repository's 409 (exit 1) and replaces nothing; the next run names both hashes."""
    other = b"another build of the same version"
    stored = codeartifact.repository.packages / WHEEL
    codeartifact.after_answer["list_package_version_assets"] = lambda: stored.write_bytes(other)
    env = tool_env(tools, codeartifact, scratch)

    raced = release_tool(project, env, "publish", "--dist", "dist")
    conflict = f"error: uploading {WHEEL} failed: the repository answered HTTP 409 Conflict; {NOTHING_IN}"
    assert_one_fault(raced, 1, conflict)
    assert codeartifact.files_of("fault-lib") == [WHEEL] and stored.read_bytes() == other

    again = release_tool(project, env, "publish", "--dist", "dist")
    assert_one_fault(
        again,
        1,
        f"error: {WHEEL} is in python with other content (SHA-256 {sha256(other)} there, "
        f"{sha256(dist / WHEEL)} here): publish a new version; nothing was uploaded",
    )
    assert list(scratch.iterdir()) == []


# --- faults of the repository (uploads) ------------------------------------------------


# fault -> (exit code, what the line says of the cause, requests the fault server answered).
# The network's words are uv's own (in its last "cause:" line); an HTTP answer is the tool's.
REPOSITORY_FAULTS = {
    "refused": (7, r"Connection refused \(os error 111\)", 0),
    "unresolvable": (7, r"Name or service not known|Temporary failure in name resolution|No address associated", 0),
    "tls": (7, r"received corrupt message of type InvalidContentType", 0),
    "hang": (7, r"operation timed out", 1),
    "drop": (7, r"Connection reset by peer|connection closed before message completed|Broken pipe", 2),
    "500": (6, r"the repository answered HTTP 500 Internal Server Error", 1),
    "429": (6, r"the repository answered HTTP 429 Too Many Requests", 1),
    "502-html": (7, r"the repository answered HTTP 502 Bad Gateway", 1),
}


def fault_url(fault: str, server: FaultServer) -> str:
    """Where the fault is: a closed port, a name no resolver knows, or the fault server."""
    if fault == "refused":
        return f"http://127.0.0.1:{free_port()}/pypi/python/"
    if fault == "unresolvable":
        return "http://acme-444455556666.d.codeartifact.invalid/pypi/python/"
    if fault == "tls":
        return server.url.replace("http://", "https://") + "pypi/python/"
    return server.url + "pypi/python/"


@pytest.mark.parametrize("fault", REPOSITORY_FAULTS)
def test_a_fault_of_the_repository_is_one_line_with_its_code(codeartifact, project, dist, tools, scratch, fault):
    """One request per upload, and the tool stops at the first file that fails: the server saw
    one (two for a dropped connection, which uv sends again itself, here once)."""
    exit_code, cause, requests = REPOSITORY_FAULTS[fault]
    env = tool_env(tools, codeartifact, scratch, **({"UV_HTTP_RETRIES": "1"} if fault == "drop" else {}))
    with FaultServer(fault if fault in ("hang", "drop", "500", "429", "502-html") else "500") as server:
        codeartifact.endpoint = fault_url(fault, server)
        start = time.monotonic()
        proc = release_tool(project, env, "publish", "--dist", "dist")
        elapsed = time.monotonic() - start
    line = re.compile(rf"error: uploading {re.escape(WHEEL)} failed: [^;]*(?:{cause})[^;]*; {re.escape(NOTHING_IN)}")
    assert_one_fault(proc, exit_code, line)
    assert server.requests == requests
    assert "<html>" not in proc.stderr  # a proxy's page is not shown
    assert elapsed < 20
    assert list(scratch.iterdir()) == []
    assert codeartifact.files_of("fault-lib") == []


# --- Ctrl-C and a cancelled CI job -------------------------------------------------------


def processes_mentioning(text: str, session: int) -> dict[str, tuple[bytes, dict[str, str]]]:
    """The running processes of ``session`` (the tool's, and so none of another suite running
    at the same time) whose command line holds ``text``: their command lines and environments,
    by process id."""
    found = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes()
            if text.encode() in cmdline and os.getsid(int(proc.name)) == session:
                pairs = (item.partition(b"=") for item in (proc / "environ").read_bytes().split(b"\0") if item)
                found[proc.name] = (cmdline, {k.decode(): v.decode() for k, _, v in pairs})
        except OSError:  # gone, or not ours to read
            continue
    return found


def interrupt_an_upload(
    codeartifact: CodeArtifactStandIn, project: Path, env: dict[str, str], signum: int
) -> tuple[subprocess.Popen[str], str, dict[str, tuple[bytes, dict[str, str]]]]:
    """Publish to a repository that never answers, and send ``signum`` once uv is uploading:
    SIGTERM to the tool alone (a CI job cancelled), SIGINT to its process group (Ctrl-C in a
    terminal, which uv gets too). Returns the tool, its stderr, and the uploading processes."""
    with FaultServer("hang") as server:
        codeartifact.endpoint = server.url + "pypi/python/"
        tool = subprocess.Popen(
            [sys.executable, "scripts/codeartifact.py", "publish", "--dist", "dist"],
            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
        try:
            assert server.got_request.wait(30), "the upload never started"
            uploading = processes_mentioning(WHEEL, tool.pid)
            assert uploading, "no upload child found"
            if signum == signal.SIGINT:
                os.killpg(tool.pid, signum)
            else:
                tool.send_signal(signum)
            out, err = tool.communicate(timeout=30)
        finally:
            if tool.poll() is None:
                os.killpg(tool.pid, signal.SIGKILL)
                tool.wait()
    assert out == ""
    return tool, err, uploading


SIGNALS = [pytest.param(signal.SIGTERM, 143, id="SIGTERM"), pytest.param(signal.SIGINT, 130, id="SIGINT")]


@pytest.fixture
def no_upload_timeout(tools, codeartifact, scratch) -> dict[str, str]:
    """The tool's environment with no UV_UPLOAD_HTTP_TIMEOUT: the tool sets its own."""
    env = tool_env(tools, codeartifact, scratch)
    del env["UV_UPLOAD_HTTP_TIMEOUT"]
    return env


@pytest.mark.parametrize(("signum", "exit_code"), SIGNALS)
def test_a_signal_during_the_upload_stops_uv_and_says_how_to_finish(
    codeartifact, project, dist, scratch, no_upload_timeout, signum, exit_code
):
    """And, seen while it uploads: uv has the token in its environment, never on its command
    line, and 300 s for an upload (uv's own default is 15 minutes)."""
    tool, err, uploading = interrupt_an_upload(codeartifact, project, no_upload_timeout, signum)
    [(cmdline, environ)] = uploading.values()
    assert cmdline.split(b"\0")[1:3] == [b"publish", b"--no-config"]  # uv publish
    assert TOKEN.encode() not in cmdline
    assert (environ["UV_PUBLISH_USERNAME"], environ["UV_PUBLISH_PASSWORD"]) == ("aws", TOKEN)
    assert environ["UV_UPLOAD_HTTP_TIMEOUT"] == "300"

    cut = f"in the repository: none; perhaps: {WHEEL}; not yet: {SDIST}; {FINISH}"  # its last byte may be sent
    assert (tool.returncode, err) == (exit_code, f"error: stopped by {signal.Signals(signum).name}; {cut}\n")
    assert processes_mentioning(WHEEL, tool.pid) == {}
    assert not [pid for pid in uploading if Path(f"/proc/{pid}").exists()]
    assert list(scratch.iterdir()) == []
    assert codeartifact.files_of("fault-lib") == []


# --- a build that fails ----------------------------------------------------------------


def test_a_uv_build_that_fails_ends_in_its_cause(codeartifact, bake_copy, tools, scratch):
    """The package's folder renamed and committed: uv build's cause, in the one line."""
    project = bake_copy(**ANSWERS)
    (project / "src" / "fault_lib").rename(project / "src" / "renamed")
    failed = release_tool(committed(project, tools), tool_env(tools, codeartifact, scratch), "publish")
    assert_one_fault(
        failed, 1, "error: `uv build --out-dir …` failed: cause: Expected a Python module at: src/fault_lib/__init__.py"
    )
    assert codeartifact.operations()[-1] == "get_repository_endpoint"  # no look at the files: nothing built
    assert list(scratch.iterdir()) == []
    assert codeartifact.files_of("fault-lib") == []


@pytest.fixture
def pip_build_without_backend(codeartifact, bake_copy, tools, scratch) -> subprocess.CompletedProcess[str]:
    """A pip project, and a repository that cannot serve hatchling (no upstream): python -m
    build, whose isolated environment installs the backend from the repository, fails."""
    project = committed(bake_copy(**ANSWERS, package_manager="pip"), tools)
    return release_tool(project, tool_env(tools, codeartifact, scratch), "publish")


def test_a_build_that_cannot_get_its_backend_fails_in_one_line_and_leaves_nothing(
    pip_build_without_backend, codeartifact, scratch
):
    """No log file any more: the one line, and TMPDIR left empty."""
    assert_one_fault(pip_build_without_backend, 1, re.compile(r"error: `\S+/python -m build …` failed: .+"))
    assert list(scratch.iterdir()) == []
    assert codeartifact.files_of("fault-lib") == []


def test_a_build_that_cannot_get_its_backend_names_the_backend(pip_build_without_backend):
    """pip's cause, not build's own last line, which only repeats that pip failed."""
    assert "No matching distribution found for hatchling>=" in pip_build_without_backend.stderr
