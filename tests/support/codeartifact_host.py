"""A CodeArtifact that a client cannot tell from the real one, on loopback.

Clients reach it as they reach AWS: by host name, over HTTPS, through a proxy. A loopback
CONNECT proxy (``HTTPS_PROXY``) sends ``codeartifact.REGION.amazonaws.com`` to the API stand-in
and ``DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com`` to the repository; both present
certificates of a test authority (trustme) that the clients trust through the usual variables
(``SSL_CERT_FILE``, ``PIP_CERT``, ``REQUESTS_CA_BUNDLE``). Every other AWS host is refused and
recorded, so nothing reaches real AWS; any other host (the package index) is tunnelled as is.

The repository answers as CodeArtifact's PyPI endpoints do, as far as public evidence goes
(each behaviour below says where it comes from):

- HTTP Basic, user ``aws``, the token as password; none or a wrong one is answered 401 with a
  challenge, which is what makes pip and uv ask a keyring (pypiserver says 403 to a wrong one).
- No root ``/simple/`` listing; a package that is nowhere is 404.
- An upstream: a package that is not in the repository is served from the package index this
  machine reaches, as ``public:pypi`` serves it. Its files are linked under the repository's own
  host and answered with a redirect to where the index keeps them (CodeArtifact redirects
  downloads to S3; the redirected request needs no credentials). A package with a version in the
  repository is served from the repository only: ``publish`` blocks its upstream.
- An identical re-upload succeeds; the same file name with other content is 409, as is a
  version that the upstream already has.

The repository itself is a real pypiserver behind this front: uploads are forwarded to it.
"""

from __future__ import annotations

import email.message
import hashlib
import html
import json
import select
import shutil
import socket
import ssl
import urllib.error
import urllib.request
from base64 import b64decode
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import trustme
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from tests.support.servers import CodeArtifactStandIn, LoopbackServer, PypiServer
from tests.support.tools import PYPI

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
# The system's trust store: the tunnelled package index keeps its own certificate.
SYSTEM_CERTIFICATES = Path(ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt")


@dataclass(frozen=True)
class Account:
    """Where the loopback CodeArtifact lives: the answers a baked project needs to reach it."""

    domain: str = "my-domain"
    owner: str = "111122223333"
    repository: str = "my-repo"
    region: str = "us-east-1"

    @property
    def repository_host(self) -> str:
        return f"{self.domain}-{self.owner}.d.codeartifact.{self.region}.amazonaws.com"

    @property
    def api_host(self) -> str:
        return f"codeartifact.{self.region}.amazonaws.com"

    @property
    def endpoint(self) -> str:
        """What GetRepositoryEndpoint answers."""
        return f"https://{self.repository_host}/pypi/{self.repository}/"


class TestAuthority:
    """A certificate authority for the tests, and a bundle that trusts it and the system's."""

    def __init__(self, folder: Path) -> None:
        self.ca = trustme.CA(organization_name="cookiecutter-codeartifact-python tests")
        folder.mkdir(parents=True, exist_ok=True)
        self.bundle = folder / "ca-bundle.pem"
        self.bundle.write_bytes(SYSTEM_CERTIFICATES.read_bytes() + b"\n" + self.ca.cert_pem.bytes())

    def server_context(self, *hosts: str) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert(*hosts).configure_cert(context)
        return context


# --- the upstream: the package index this machine reaches -----------------------------------


@dataclass(frozen=True)
class File:
    filename: str
    version: str
    sha256: str
    requires_python: str | None = None
    yanked: bool | str = False
    upstream_url: str | None = None  # None: the file is in the repository


def version_of(filename: str) -> str | None:
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        if filename.endswith(".tar.gz"):
            return str(parse_sdist_filename(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename):
        pass
    return None  # eggs, zips and the like: CodeArtifact's pages leave them out too


class _Anchors(HTMLParser):
    """The links of a PEP 503 page, for an index that answers HTML only."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs))


class UpstreamIndex:
    """Pages of the package index (PyPI, or the mirror the tests are set to use), each fetched
    once (clients ask for the same page many times, from several threads)."""

    def __init__(self, url: str = PYPI) -> None:
        self.url = url.rstrip("/") + "/"
        self.pages: dict[str, list[File]] = {}

    def files(self, name: str) -> list[File]:
        if name not in self.pages:
            self.pages[name] = self._fetch(name)
        return self.pages[name]

    def _fetch(self, name: str) -> list[File]:
        page = urljoin(self.url, f"{name}/")
        request = urllib.request.Request(page, headers={"Accept": f"{SIMPLE_JSON}, text/html;q=0.1"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                kind, body = response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return []
            raise
        if SIMPLE_JSON in kind:
            entries = [
                (f["filename"], f["url"], f.get("hashes", {}).get("sha256", ""), f.get("requires-python"),
                 f.get("yanked", False))
                for f in json.loads(body)["files"]
            ]  # fmt: skip
        else:
            anchors = _Anchors()
            anchors.feed(body.decode("utf-8", "replace"))
            entries = []
            for link in anchors.links:
                href = link.get("href") or ""
                url, _, fragment = href.partition("#")
                filename = urlsplit(url).path.rsplit("/", 1)[-1]
                yanked = link.get("data-yanked")
                entries.append((filename, urljoin(page, url), fragment.removeprefix("sha256="),
                                link.get("data-requires-python"), yanked if yanked is not None else False))  # fmt: skip
        files = []
        for filename, url, sha256, requires_python, yanked in entries:
            version = version_of(filename)
            if version is not None:
                files.append(File(filename, version, sha256, requires_python, yanked, upstream_url=url))
        return files


def form_fields(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """The fields of a multipart/form-data body, byte for byte: name -> (file name, value)."""
    message = email.message.Message()
    message["Content-Type"] = content_type
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str):
        return {}
    fields = {}
    for chunk in body.split(b"--" + boundary.encode())[1:-1]:
        head, _, value = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        disposition = email.message.Message()
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, text = line.partition(":")
            disposition[name.strip()] = text.strip()
        field = disposition.get_param("name", header="content-disposition")
        if isinstance(field, str):
            filename = disposition.get_param("filename", header="content-disposition")
            fields[field] = (filename if isinstance(filename, str) else None, value.removesuffix(b"\r\n"))
    return fields


# --- the repository -------------------------------------------------------------------------


class RepositoryHost(LoopbackServer):
    """The repository's HTTPS front: CodeArtifact's answers before a pypiserver."""

    def __init__(
        self, account: Account, stand_in: CodeArtifactStandIn, upstream: UpstreamIndex, tls: ssl.SSLContext
    ) -> None:
        self.account = account
        self.stand_in = stand_in
        self.pypiserver: PypiServer = stand_in.repository
        self.upstream = upstream
        self.prefix = f"/pypi/{account.repository}/"
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status) of every request
        super().__init__(tls)

    def authorized(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = b64decode(value).decode().partition(":")
        except ValueError:
            return False
        return user == "aws" and password == self.pypiserver.token

    def local_files(self, name: str) -> list[File]:
        files = []
        for filename in self.stand_in.files_of(name):
            data = (self.pypiserver.packages / filename).read_bytes()
            files.append(File(filename, str(version_of(filename)), hashlib.sha256(data).hexdigest()))
        return files

    def files(self, name: str) -> list[File]:
        """The files a client sees for a package: the repository's, else the upstream's."""
        return self.local_files(name) or self.upstream.files(name)

    def file_url(self, name: str, file: File) -> str:
        return f"https://{self.account.repository_host}{self.prefix}simple/{name}/{file.version}/{file.filename}"

    def page(self, name: str, files: list[File], as_json: bool) -> tuple[str, bytes]:
        # PEP 691 JSON when the client asks for it (reported of CodeArtifact since July 2026),
        # else PEP 503 HTML. No upload-time and no PEP 658 metadata: neither is known to be
        # served. data-requires-python is: without it, a resolver would pick releases that
        # cannot install on the Python in use, which no report describes.
        if as_json:
            entries = [
                {"filename": f.filename, "url": self.file_url(name, f), "hashes": {"sha256": f.sha256},
                 "requires-python": f.requires_python, "yanked": f.yanked}
                for f in files
            ]  # fmt: skip
            body = {"meta": {"api-version": "1.0"}, "name": name, "files": entries}
            return SIMPLE_JSON, json.dumps(body).encode()
        links = []
        for f in files:
            attributes = f' data-requires-python="{html.escape(f.requires_python)}"' if f.requires_python else ""
            if f.yanked:
                reason = f.yanked if isinstance(f.yanked, str) else ""
                attributes += f' data-yanked="{html.escape(reason)}"'
            href = html.escape(f"{self.file_url(name, f)}#sha256={f.sha256}")
            links.append(f'<a href="{href}"{attributes}>{html.escape(f.filename)}</a><br/>')
        text = (
            f"<!DOCTYPE html>\n<html><head><title>Links for {name}</title></head><body>\n"
            f"<h1>Links for {name}</h1>\n" + "\n".join(links) + "\n</body></html>\n"
        )
        return "text/html", text.encode()

    def upload(self, content_type: str, body: bytes, authorization: str) -> tuple[int, bytes]:
        """The legacy upload API: CodeArtifact's rules, then pypiserver stores the file."""
        fields = form_fields(content_type, body)
        filename, data = fields.get("content", (None, b""))
        if not filename:
            return 400, b"no file in the upload"
        stored = self.pypiserver.packages / filename
        if stored.exists():
            if stored.read_bytes() == data:
                return 200, b""  # an identical re-upload is idempotent
            return 409, f"{filename} exists with other content".encode()
        version, name = version_of(filename), canonicalize_name(fields["name"][1].decode())
        if any(f.version == version for f in self.upstream.files(name)) and not self.local_files(name):
            return 409, f"{name} {version} exists in an upstream repository".encode()
        request = urllib.request.Request(
            self.pypiserver.url, data=body, method="POST",
            headers={"Content-Type": content_type, "Authorization": authorization},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
                host.requests.append((self.command, self.path, status))
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def handle_request(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = urlsplit(self.path).path
                if not path.startswith(host.prefix):
                    self.answer(404, b"not found")
                    return
                authorization = self.headers.get("Authorization", "")
                if not host.authorized(authorization):
                    # CodeArtifact answers missing and wrong credentials with 401 (pex-tool/pex#1803,
                    # astral-sh/uv#11899); the challenge is the one logged there.
                    challenge = f'Bearer realm="{host.account.repository_host}"'
                    self.answer(401, b"Unauthorized", {"WWW-Authenticate": challenge})
                    return
                rest = path.removeprefix(host.prefix)
                if self.command == "POST" and rest == "":
                    status, text = host.upload(self.headers.get("Content-Type", ""), body, authorization)
                    self.answer(status, text)
                    return
                parts = [part for part in rest.split("/") if part]
                if self.command not in ("GET", "HEAD") or not parts or parts[0] != "simple" or len(parts) == 1:
                    self.answer(404, b"not found")  # no root /simple/ listing: CodeArtifact has none
                    return
                name = canonicalize_name(parts[1])
                files = host.files(name)
                if len(parts) == 2:
                    if not files:
                        self.answer(404, b"not found")
                        return
                    as_json = SIMPLE_JSON in self.headers.get("Accept", "")
                    kind, page = host.page(name, files, as_json)
                    self.answer(200, page, {"Content-Type": kind})
                    return
                wanted = next((f for f in files if len(parts) == 4 and f.filename == parts[3]), None)
                if wanted is None:
                    self.answer(404, b"not found")
                elif wanted.upstream_url:
                    self.answer(307, b"", {"Location": wanted.upstream_url})
                else:
                    data = (host.pypiserver.packages / wanted.filename).read_bytes()
                    self.answer(200, data, {"Content-Type": "application/octet-stream"})

            do_GET = do_HEAD = do_POST = handle_request

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


# --- the proxy ------------------------------------------------------------------------------


def pipe(one: socket.socket, other: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    sockets = [one, other]
    while True:
        readable, _, broken = select.select(sockets, [], sockets, 300)
        if broken or not readable:
            return
        for source in readable:
            try:
                data = source.recv(65536)
                if not data:
                    return
                (other if source is one else one).sendall(data)
            except OSError:  # either side hung up
                return


class ConnectProxy(LoopbackServer):
    """An HTTPS proxy (CONNECT) that routes AWS host names to loopback servers, refuses every
    other AWS host, and tunnels the rest to where the machine's network takes them."""

    def __init__(self, routes: dict[str, int]) -> None:
        self.routes = routes  # host name -> loopback port
        self.tunnels: list[str] = []  # every host asked for
        self.refused: list[str] = []  # AWS hosts that are not the stand-ins'
        super().__init__()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_CONNECT(self) -> None:
                host, _, port = self.path.rpartition(":")
                proxy.tunnels.append(host)
                if host in proxy.routes:
                    target = ("127.0.0.1", proxy.routes[host])
                elif host.endswith((".amazonaws.com", ".aws", ".amazonaws.com.cn")):
                    proxy.refused.append(host)
                    self.send_error(403, "the tests reach no real AWS host")
                    return
                else:
                    target = (host, int(port or 443))
                try:
                    upstream = socket.create_connection(target, timeout=30)
                except OSError:
                    self.send_error(502, f"cannot reach {self.path}")
                    return
                with upstream:
                    self.send_response(200, "Connection established")
                    self.end_headers()
                    pipe(self.connection, upstream)
                self.close_connection = True

            def do_GET(self) -> None:
                self.send_error(405, "this proxy tunnels HTTPS only")

            do_POST = do_HEAD = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


# --- all of it ------------------------------------------------------------------------------


@dataclass
class LoopbackCodeArtifact:
    account: Account
    api: CodeArtifactStandIn
    repository: RepositoryHost
    proxy: ConnectProxy
    authority: TestAuthority

    @property
    def client_environment(self) -> dict[str, str]:
        """What a client needs to reach it: the proxy, and trust in the test authority."""
        bundle = str(self.authority.bundle)
        proxy = self.proxy.url
        return {
            "HTTPS_PROXY": proxy, "https_proxy": proxy,
            "SSL_CERT_FILE": bundle, "PIP_CERT": bundle, "REQUESTS_CA_BUNDLE": bundle,
        }  # fmt: skip

    def uploaded(self) -> list[str]:
        return self.api.repository.uploaded()


@contextmanager
def loopback_codeartifact_host(root: Path, token: str, account: Account = Account()) -> Iterator[LoopbackCodeArtifact]:
    """Start the pypiserver, the API and repository stand-ins and the proxy; stop them all after."""
    authority = TestAuthority(root)
    pypiserver = PypiServer(root=root / "pypiserver", token=token)
    with ExitStack() as stack:
        pypiserver.start()
        stack.callback(pypiserver.stop)
        api = CodeArtifactStandIn(pypiserver, account.domain, account.owner, account.repository,
                                  tls=authority.server_context(account.api_host))  # fmt: skip
        api.endpoint = account.endpoint
        stack.enter_context(api)
        repository = RepositoryHost(account, api, UpstreamIndex(),
                                    authority.server_context(account.repository_host))  # fmt: skip
        stack.enter_context(repository)
        proxy = ConnectProxy({account.api_host: api.port, account.repository_host: repository.port})
        stack.enter_context(proxy)
        yield LoopbackCodeArtifact(account, api, repository, proxy, authority)
    shutil.rmtree(root / "pypiserver", ignore_errors=True)
