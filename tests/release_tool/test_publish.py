"""`publish`: build, check, compare with the repository and finish what is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore import exceptions as aws

from tests.conftest import MANAGERS
from tests.release_tool.helpers import (
    BUILD_CREDENTIALS,
    BUILD_WITHOUT_BACKEND,
    ENDPOINT,
    ORIGIN,
    PY2_WHEEL,
    SDIST,
    TOKEN,
    VERSION,
    WHEEL,
    WHEEL_BYTES,
    FakeSteps,
    client_error,
    expect_assets,
    expect_credentials,
    expect_package,
    fake_program,
    ini,
    mode,
    run,
    sha256,
    wheel_archive,
    with_package_manager,
)


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
    expect_assets(stubber, {WHEEL: WHEEL_BYTES, SDIST: b"sdist"})
    code, out, _ = run(ca, capsys, client, "publish")
    assert code == 0
    assert out == f"already published: acme-utils 0.1.0 in my-repo has {WHEEL}, {SDIST}, same SHA-256\n"
    assert steps.uploaded == []


def test_a_half_published_version_gets_only_its_missing_file(ca, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, {WHEEL: WHEEL_BYTES})
    code, out, _ = run(ca, capsys, client, "publish")
    assert code == 0
    assert steps.uploaded == [SDIST]
    assert f"published {SDIST} to {ENDPOINT}" in out
    assert "claimed" not in out


def test_a_stored_file_with_other_content_is_refused_before_any_upload(ca, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    steps.wheel_bytes = wheel_archive(payload=b"rebuilt differently")
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, {WHEEL: WHEEL_BYTES})
    code, _out, err = run(ca, capsys, client, "publish")
    assert code == 1
    assert err == (
        f"error: {WHEEL} is already in my-repo with other content (SHA-256 {sha256(WHEEL_BYTES)} there, "
        f"{sha256(steps.wheel_bytes)} here); versions cannot be replaced: set a new version in "
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
    monkeypatch.setattr(ca, "distributions_in", lambda folder, project: [Path(WHEEL), Path(SDIST)])
    monkeypatch.setattr(ca, "package_of", lambda wheel: ca.Package("acme-utils", "0.1.0"))
    monkeypatch.setattr(ca, "sha256_of", lambda path: "0")
    expect_assets(stubber, {})
    expect_package(stubber, exists=True)
    code, _, err = run(ca, capsys, client, "publish")
    assert code == 7
    assert "did not finish the upload: no answer within 7 s" in err


def test_publish_dist_uploads_prebuilt_files_without_building(ca, stub, capsys, monkeypatch, tmp_path):
    steps = FakeSteps(ca, monkeypatch)
    for name in (SDIST, "unrelated-9.9.tar.gz", "acme_utils-0.1.0rc1.tar.gz"):
        (tmp_path / name).write_text("x")
    (tmp_path / WHEEL).write_bytes(WHEEL_BYTES)
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


def test_the_uv_that_builds_is_the_one_named_or_found(ca, tmp_path, monkeypatch):
    assert ca.uv_binary({"UV": "/opt/uv"}) == "/opt/uv"
    fake_program(tmp_path / "bin" / "uv", "exit 0")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert ca.uv_binary({}) == str(tmp_path / "bin" / "uv")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ca.ToolError, match=r"^uv is not installed: see https://docs\.astral\.sh/uv/getting-started/"):
        ca.uv_binary({})


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
    expect_assets(stubber, {WHEEL: WHEEL_BYTES, SDIST: b"sdist"})
    assert run(ca, capsys, client, "publish")[0] == 0
    assert steps.commands[0][:3] == ["/opt/uv/bin/uv", "build", "--out-dir"]


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
    project = ca.Project("acme-utils", "0.1.0")
    with pytest.raises(ca.ToolError) as refused:
        ca.distributions_in(folder, project)
    assert str(refused.value) == f"{folder} must hold one wheel and one sdist of acme-utils 0.1.0; it holds: {holds}"
    (folder / "notes.whl").unlink(missing_ok=True)
    if files and "notes.whl" in files:
        (folder / WHEEL).write_text("x")
        (folder / "notes.whl").write_text("x")
        assert [p.name for p in ca.distributions_in(folder, project)] == [WHEEL, SDIST]


@pytest.mark.parametrize(
    "pyproject",
    [
        {},
        {"project": {"name": "acme-utils"}},
        {"project": {"name": "acme-utils", "dynamic": ["readme"]}},
        {"project": {"version": "1.0"}},
        {"project": {"dynamic": ["version"]}},
    ],
    ids=["none", "name", "other-dynamic", "version", "dynamic-version"],
)
def test_a_project_without_a_name_or_a_version_cannot_be_published(ca, pyproject):
    with pytest.raises(ca.ToolError) as refused:
        ca.load_project(pyproject)
    assert str(refused.value) == 'pyproject.toml needs [project] name, and version or dynamic = ["version"], to publish'


def test_a_page_without_assets_has_none(ca, stub):
    client, stubber = stub
    stubber.add_response("list_package_version_assets", {"nextToken": "2"}, VERSION)
    stubber.add_response("list_package_version_assets", {"assets": []}, {**VERSION, "nextToken": "2"})
    settings = ca.load_settings(ca.read_pyproject(), {})
    assert ca.stored_assets(client, settings, ca.Package("acme-utils", "0.1.0")) == {}
