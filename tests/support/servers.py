"""Loopback stand-ins for CodeArtifact: its control-plane API, and a real pypiserver as the repository.

Both bind 127.0.0.1 on a free port and are stopped by the fixture that started them.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PypiServer:
    """A real PyPI-compatible index that needs user ``aws`` and one password (the token)."""

    root: Path
    token: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def packages(self) -> Path:
        return self.root / "packages"

    def uploaded(self) -> list[str]:
        return sorted(path.name for path in self.packages.iterdir())

    def accept_only(self, token: str) -> None:
        """From now on, only ``token`` is accepted: the server reads the token file at every
        request (a rotation, or an expiry, of the CodeArtifact token)."""
        self.token = token
        staged = self.root / "token.new"
        staged.write_text(token, encoding="utf-8")
        staged.replace(self.root / "token")  # whole, never half-written, for a request in between

    def start(self) -> None:
        self.packages.mkdir(parents=True, exist_ok=True)
        self.accept_only(self.token)
        server = Path(__file__).with_name("token_pypiserver.py")
        self.process = subprocess.Popen(
            [sys.executable, server, self.packages, str(self.port), self.root / "token"],
            stdout=subprocess.DEVNULL,
            stderr=(self.root / "server.log").open("wb"),
        )
        wait_until_answering(self.url + "simple/", self.process)

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)


def wait_until_answering(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server at {url} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers (401 without credentials)
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server at {url} did not answer within {seconds} s")


class _Server(ThreadingHTTPServer):
    """A threading HTTP server that, given a TLS context, speaks HTTPS: the handshake runs in the
    request's own thread, so a client that stalls in it holds up nobody else."""

    daemon_threads = True
    tls: ssl.SSLContext | None = None

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is not None:
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return  # a client that does not trust the test authority hangs up here
        super().finish_request(request, client_address)


class LoopbackServer:
    """An HTTP server on 127.0.0.1 and a free port, answering from a thread; ``with`` starts and
    stops it. A subclass gives its request handler in ``_handler``; with ``tls``, it speaks HTTPS."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.server.tls = tls
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def __enter__(self) -> LoopbackServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class CodeArtifactStandIn(LoopbackServer):
    """The CodeArtifact rest-json API for one domain and repository, backed by a PypiServer.

    It answers the operations that scripts/codeartifact.py and keyrings.codeartifact call, as
    CodeArtifact does (the shapes of botocore's model), refuses unsigned requests, and records
    every request in ``calls``, an operation it does not know by its method and path.
    ``token`` is what GetAuthorizationToken hands out: a test may set a wrong one. With
    ``rotate``, every GetAuthorizationToken issues a new token and the repository accepts only the
    newest, as if every token before had expired. ``after_answer`` maps an operation to what
    happens once, when the stand-in has made its answer to it (another job's upload landing
    just after the tool looked at the repository, say).
    """

    def __init__(
        self, repository: PypiServer, domain: str, owner: str, name: str, tls: ssl.SSLContext | None = None
    ) -> None:
        self.repository = repository
        self.domain, self.owner, self.name = domain, owner, name
        self.token = repository.token
        self.rotate = False
        self.issued: list[str] = []  # every token handed out while rotating
        self.endpoint = repository.url  # what GetRepositoryEndpoint answers: a test may put a fault there
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.after_answer: dict[str, Callable[[], None]] = {}
        super().__init__(tls)

    def operations(self) -> list[str]:
        return [operation for operation, _ in self.calls]

    # --- the API ---------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict[str, str]) -> tuple[int, dict, str | None]:
        """(status, body, error type) for one request."""
        routes = {
            ("POST", "/v1/authorization-token"): self.get_authorization_token,
            ("GET", "/v1/repository/endpoint"): self.get_repository_endpoint,
            ("POST", "/v1/package/version/assets"): self.list_package_version_assets,
        }
        operation = routes.get((method, path))
        if operation is None:
            self.calls.append((f"{method} {path}", query))
            return 404, {"message": f"no route {method} {path}"}, "ResourceNotFoundException"
        self.calls.append((operation.__name__, query))
        if query.get("domain") != self.domain or query.get("domain-owner", self.owner) != self.owner:
            return 404, {"message": "domain not found", "resourceType": "domain"}, "ResourceNotFoundException"
        if "repository" in query and query["repository"] != self.name:
            return 404, {"message": "repository not found", "resourceType": "repository"}, "ResourceNotFoundException"
        answered = operation(query)
        then = self.after_answer.pop(operation.__name__, None)
        if then is not None:
            then()
        return answered

    def get_authorization_token(self, query: dict[str, str]) -> tuple[int, dict, None]:
        if self.rotate:
            self.token = "ca-" + secrets.token_urlsafe(24)
            self.issued.append(self.token)
            self.repository.accept_only(self.token)
        return 200, {"authorizationToken": self.token, "expiration": int(time.time()) + 43200}, None

    def get_repository_endpoint(self, query: dict[str, str]) -> tuple[int, dict, None]:
        return 200, {"repositoryEndpoint": self.endpoint}, None

    def files_of(self, package: str, version: str | None = None) -> list[str]:
        """The uploaded files of a package (of one version of it), by their PEP 427 / 625 names."""
        found = []
        for name in self.repository.uploaded():
            try:
                if name.endswith(".whl"):
                    dist, dist_version, *_ = parse_wheel_filename(name)
                else:
                    dist, dist_version = parse_sdist_filename(name)
            except (InvalidWheelFilename, InvalidSdistFilename):
                continue
            if dist == canonicalize_name(package) and (version is None or dist_version == Version(version)):
                found.append(name)
        return found

    def list_package_version_assets(self, query: dict[str, str]) -> tuple[int, dict, str | None]:
        package, version = query["package"], query["version"]
        names = self.files_of(package, version)
        if not names:
            body = {"message": f"{package} {version} not found", "resourceType": "package-version"}
            return 404, body, "ResourceNotFoundException"
        assets = []
        for name in names:
            data = (self.repository.packages / name).read_bytes()
            assets.append({"name": name, "size": len(data), "hashes": {"SHA-256": hashlib.sha256(data).hexdigest()}})
        return 200, {"format": "pypi", "package": package, "version": version, "assets": assets}, None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def handle_one(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                parts = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                if not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256"):
                    status, body, error = 403, {"message": "request not signed"}, "AccessDeniedException"
                else:
                    status, body, error = stand_in.answer(self.command, parts.path, query)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if error:
                    self.send_header("x-amzn-ErrorType", error)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = handle_one

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output quiet

        return Handler
