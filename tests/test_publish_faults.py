"""Slow, end to end: faults injected between the release tool and a loopback CodeArtifact.

The tool runs as a user runs it (a child process, ``python scripts/codeartifact.py``), against
the CodeArtifact stand-in and a real pypiserver; a FaultServer stands in for the control plane
or the repository where a test needs one. Every fault must end in at most three lines, no
traceback, and its documented exit code; a half-published version must always be finishable.
"""

from __future__ import annotations

import hashlib
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
        "CODEARTIFACT_CONNECT_TIMEOUT": "2",
        "CODEARTIFACT_READ_TIMEOUT": "1",
        "CODEARTIFACT_UPLOAD_TIMEOUT": "2",
        "CODEARTIFACT_RETRY_DELAY": "0.05",
    }
    return tools.env(**{**settings, **extra})


def release_tool(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(sys.executable, "scripts/codeartifact.py", *args, cwd=project, env=env, check=False)


def assert_one_fault(proc: subprocess.CompletedProcess[str], exit_code: int, words: str) -> None:
    output = proc.stdout + proc.stderr
    assert proc.returncode == exit_code, output
    assert words in proc.stderr, output
    assert "Traceback" not in output and len(output.strip().splitlines()) <= 3, output
    assert TOKEN not in output


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- a half-published version is finished, a finished one is left alone ----------------


@pytest.mark.parametrize("stored", [WHEEL, SDIST])
def test_a_half_published_version_is_finished_then_found_complete(codeartifact, project, dist, tools, scratch, stored):
    (codeartifact.repository.packages / stored).write_bytes((dist / stored).read_bytes())
    missing = SDIST if stored == WHEEL else WHEEL
    env = tool_env(tools, codeartifact, scratch)

    finished = release_tool(project, env, "publish", "--dist", "dist")
    assert finished.returncode == 0, finished.stderr
    assert f"uploaded {missing}" in finished.stdout.splitlines()
    assert f"uploaded {stored}" not in finished.stdout
    assert sorted(codeartifact.files_of("fault-lib")) == [WHEEL, SDIST]
    assert sha256(codeartifact.repository.packages / missing) == sha256(dist / missing)

    mtimes = {p.name: p.stat().st_mtime_ns for p in codeartifact.repository.packages.iterdir()}
    again = release_tool(project, env, "publish", "--dist", "dist")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [
        f"already published: fault-lib 1.0.0 in python has {WHEEL}, {SDIST}, same SHA-256"
    ]
    assert {p.name: p.stat().st_mtime_ns for p in codeartifact.repository.packages.iterdir()} == mtimes
    assert list(scratch.iterdir()) == []


def test_a_stored_file_with_other_bytes_is_refused_and_nothing_is_uploaded(codeartifact, project, dist, tools, scratch):
    stored = codeartifact.repository.packages / WHEEL
    stored.write_bytes(b"not the wheel that this commit builds")
    proc = release_tool(project, tool_env(tools, codeartifact, scratch), "publish", "--dist", "dist")
    assert_one_fault(proc, 1, f"{WHEEL} is already in python with other content")
    assert sha256(stored) in proc.stderr and sha256(dist / WHEEL) in proc.stderr
    assert codeartifact.files_of("fault-lib") == [WHEEL]


# --- faults of the repository (uploads) ------------------------------------------------


REPOSITORY_FAULTS = {
    "refused": (7, "cannot reach the repository: the connection was refused"),
    "unresolvable": (7, "cannot reach the repository: its host name does not resolve"),
    "tls": (7, "cannot reach the repository: the TLS handshake failed"),
    "hang": (7, "the repository did not finish the upload: no answer within 2 s"),
    "drop": (7, "cannot reach the repository: the connection was dropped"),
    # twine sends an upload answered with 5xx again by itself, 5 times in all (not one
    # answered 429): the count is what the server saw.
    "500": (6, "the repository answered HTTP 500 to 15 uploads"),
    "429": (6, "the repository answered HTTP 429 to 3 uploads"),
    "502-html": (7, "a gateway or proxy answered HTTP 502 to 15 uploads"),
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
    exit_code, words = REPOSITORY_FAULTS[fault]
    with FaultServer(fault if fault in ("hang", "drop", "500", "429", "502-html") else "500") as server:
        codeartifact.endpoint = fault_url(fault, server)
        start = time.monotonic()
        proc = release_tool(project, tool_env(tools, codeartifact, scratch), "publish", "--dist", "dist")
    assert_one_fault(proc, exit_code, words)
    if " uploads" in words:  # the number said is the number of uploads the server answered
        assert f" to {server.requests} uploads" in words
    assert f"in the repository: none; not yet: {WHEEL}, {SDIST}; finish with: uv run" in proc.stderr
    assert time.monotonic() - start < 30
    assert list(scratch.iterdir()) == []
    assert codeartifact.files_of("fault-lib") == []


# --- Ctrl-C and a cancelled CI job -------------------------------------------------------


def processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            found += [cmdline.parent.name] if text.encode() in cmdline.read_bytes() else []
        except OSError:
            continue
    return found


@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_during_the_upload_stops_it_cleanly_and_says_how_to_finish(
    codeartifact, project, dist, tools, scratch, signum, exit_code
):
    with FaultServer("hang") as server:
        codeartifact.endpoint = server.url + "pypi/python/"
        env = tool_env(tools, codeartifact, scratch, CODEARTIFACT_UPLOAD_TIMEOUT="60")
        tool = subprocess.Popen(
            [sys.executable, "scripts/codeartifact.py", "publish", "--dist", "dist"],
            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert server.got_request.wait(30), "the upload never started"
        uploading = processes_mentioning(WHEEL)
        assert uploading, "no upload child found"
        tool.send_signal(signum)
        out, err = tool.communicate(timeout=30)
    name = signal.Signals(signum).name
    assert tool.returncode == exit_code, out + err
    assert err == (
        f"error: stopped by {name}; in the repository: none; not yet: {WHEEL}, {SDIST}; "
        "finish with: uv run scripts/codeartifact.py publish --dist dist\n"
    )
    assert processes_mentioning(WHEEL) == []
    assert list(scratch.iterdir()) == []
    assert not [pid for pid in uploading if Path(f"/proc/{pid}").exists()]


def test_a_build_that_cannot_get_its_backend_ends_in_the_cause_and_the_log(codeartifact, bake_copy, tools, scratch):
    """A pip project, and a repository that cannot serve hatchling yet (no upstream): build's
    thirty lines of traceback become the one line that matters and where the rest is."""
    project = committed(bake_copy(**ANSWERS, package_manager="pip"), tools)
    failed = release_tool(project, tool_env(tools, codeartifact, scratch), "publish")
    assert_one_fault(failed, 1, "error: the build failed: No matching distribution found for hatchling>=")
    _, second = failed.stderr.splitlines()
    log = Path(second.removeprefix("  the whole output: "))
    assert log.parent == scratch and "Traceback" in log.read_text(encoding="utf-8")
    assert TOKEN not in log.read_text(encoding="utf-8")
    assert codeartifact.files_of("fault-lib") == []
