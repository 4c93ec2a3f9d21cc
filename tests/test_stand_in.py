"""The repository stand-in (tests/support/servers.py) checks credentials as the suite expects:
401 and a Basic challenge without them, 403 for a wrong or superseded token."""

from __future__ import annotations

import base64
import urllib.error
import urllib.request

import pytest

from tests.support.servers import PypiServer


def status(url: str, password: str | None) -> tuple[int, str | None]:
    request = urllib.request.Request(url)
    if password is not None:
        request.add_header("Authorization", "Basic " + base64.b64encode(f"aws:{password}".encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("WWW-Authenticate")


@pytest.fixture
def repository(tmp_path):
    server = PypiServer(root=tmp_path, token="ca-first")
    server.start()
    yield server
    server.stop()


def test_the_repository_accepts_only_user_aws_with_the_newest_token(repository):
    listing = repository.url + "simple/"
    assert status(listing, None) == (401, 'Basic realm="pypi"')
    assert status(listing, "ca-first") == (200, None)
    assert status(listing, "ca-wrong")[0] == 403
    repository.accept_only("ca-second")
    assert status(listing, "ca-first")[0] == 403
    assert status(listing, "ca-second") == (200, None)
