"""One upload: uv publish's command and environment (the token there, never in the command),
and each way it fails as one line and its exit code, from the HTTP status in uv's output."""

from __future__ import annotations

import os

import pytest

from tests.release_tool.helpers import ENDPOINT, TOKEN, WHEEL, http_error, uv_failed


def test_an_upload_is_uv_publish_of_one_file_with_the_token_in_its_environment(ca, children, tmp_path):
    ca.upload(ENDPOINT, tmp_path / WHEEL, TOKEN)
    ((command, env),) = children.calls
    assert command == [
        ca.uv(), "publish", "--no-config", "--no-progress", "--trusted-publishing", "never",
        "--publish-url", ENDPOINT, str(tmp_path / WHEEL),
    ]  # fmt: skip
    assert env == dict(os.environ, UV_PUBLISH_USERNAME="aws", UV_PUBLISH_PASSWORD=TOKEN, UV_UPLOAD_HTTP_TIMEOUT="300")
    assert children.uploaded == [WHEEL]


def test_the_uv_is_the_one_the_tool_depends_on(ca):
    from uv import find_uv_bin

    assert ca.uv() == str(find_uv_bin()) and isinstance(ca.uv(), str)


def test_a_time_limit_of_the_users_wins(ca, children, tmp_path, monkeypatch):
    monkeypatch.setenv("UV_UPLOAD_HTTP_TIMEOUT", "30")
    ca.upload(ENDPOINT, tmp_path / WHEEL, TOKEN)
    assert children.environment("publish")["UV_UPLOAD_HTTP_TIMEOUT"] == "30"


@pytest.mark.parametrize(
    ("causes", "why", "code"),
    [
        ([http_error("401 Unauthorized")], "the repository answered HTTP 401 Unauthorized", 5),
        ([http_error("403 Forbidden")], "the repository answered HTTP 403 Forbidden", 5),
        ([http_error("409 Conflict")], "the repository answered HTTP 409 Conflict", 1),
        ([http_error("502 Bad Gateway")], "the repository answered HTTP 502 Bad Gateway", 7),
        ([http_error("504 Gateway Timeout")], "the repository answered HTTP 504 Gateway Timeout", 7),
        ([http_error("500 Internal Server Error")], "the repository answered HTTP 500 Internal Server Error", 6),
        ([http_error("503 Service Unavailable")], "the repository answered HTTP 503 Service Unavailable", 6),
        ([http_error("429 Too Many Requests")], "the repository answered HTTP 429 Too Many Requests", 6),
        ([http_error("404 Not Found")], "the repository answered HTTP 404 Not Found", 6),
        (["Request failed after 3 retries", f"error sending request for url ({ENDPOINT})", "client error (Connect)",
          "tcp connect error", "Connection refused (os error 111)"], "Connection refused (os error 111)", 7),
        (["Request failed after 3 retries", "operation timed out"], "operation timed out", 7),
        (["dns error", "failed to lookup address information: Name or service not known"],
         "Name or service not known", 7),
        (["received corrupt message of type InvalidContentType"],
         "received corrupt message of type InvalidContentType", 7),
        (["connection closed before message completed"], "connection closed before message completed", 7),
        ([f"error sending request for url (https://aws:{TOKEN}@host/)"],
         "error sending request for url (https://aws:****@host/)", 7),
    ],
    ids=["401", "403", "409", "502", "504", "500", "503", "429", "404", "refused", "timeout", "dns", "tls", "closed",
         "masked"],
)  # fmt: skip
def test_a_failed_upload_is_one_line_with_the_code_of_its_cause(ca, children, tmp_path, causes, why, code):
    children.uploads = [uv_failed(WHEEL, *causes)]
    with pytest.raises(ca.Fault) as failed:
        ca.upload(ENDPOINT, tmp_path / WHEEL, TOKEN)
    assert (str(failed.value), failed.value.code) == (f"uploading {WHEEL} failed: {why}", code)
    assert children.uploaded == []


@pytest.mark.parametrize("code", [130, 143])
def test_a_signal_during_the_upload_goes_on_as_it_is(ca, children, tmp_path, code):
    """A signal stops the tool, not the upload alone: its own exit code, and no upload cause."""
    stopped = ca.Fault("stopped by SIGINT", code)

    def interrupted(command):
        raise stopped

    children.uploads = [interrupted]
    with pytest.raises(ca.Fault) as failed:
        ca.upload(ENDPOINT, tmp_path / WHEEL, TOKEN)
    assert failed.value is stopped
