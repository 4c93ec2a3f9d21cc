"""One upload: twine's command, its retries, and every failure as one line."""

from __future__ import annotations

import io
import signal
import subprocess
import sys

import pytest

from tests.release_tool.helpers import (
    ENDPOINT,
    GATEWAY,
    REFUSED,
    SDIST,
    TOKEN,
    WHEEL,
    WHEEL_BYTES,
    FakeSteps,
    expect_assets,
    expect_credentials,
    expect_package,
    run,
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
    (dist / WHEEL).write_bytes(WHEEL_BYTES)
    (dist / SDIST).write_text("x")
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


@pytest.mark.parametrize(("variable", "timeout"), [(None, 300), ("7.5", 7.5)])
def test_each_upload_has_five_minutes_unless_told_otherwise(ca, stub, capsys, monkeypatch, variable, timeout):
    steps = FakeSteps(ca, monkeypatch)
    if variable:
        monkeypatch.setenv("CODEARTIFACT_UPLOAD_TIMEOUT", variable)
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, {WHEEL: WHEEL_BYTES})
    assert run(ca, capsys, client, "publish")[0] == 0
    assert steps.timeouts[-1] == timeout


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


def test_a_failed_upload_shows_twines_last_line_without_the_token(ca, twine_answers, tmp_path):
    answers, _, _ = twine_answers
    answers.append((1, f"ERROR unexpected answer for https://aws:{TOKEN}@host/"))
    with pytest.raises(ca.ToolError) as failed:
        ca.upload_one(ENDPOINT, tmp_path / WHEEL, TOKEN, 42)
    assert str(failed.value) == "twine upload failed: ERROR unexpected answer for https://aws:****@host/"
