"""A loopback HTTP proxy that serves a real-looking CodeArtifact host name from a pypiserver.

keyrings.codeartifact gives tokens only for host names of CodeArtifact's form
(DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com). pip, uv, Poetry and twine send every
``http://`` request to the proxy named by HTTP_PROXY, with the absolute URL, so this proxy
can answer for such a host with no DNS and nothing leaving 127.0.0.1: it strips the
``/pypi/REPOSITORY`` prefix, forwards to the pypiserver, and rewrites the index pages' links so
that they stay under the prefix, as CodeArtifact's do. It answers a refused password with 401
and a Basic challenge, as CodeArtifact does (pypiserver says 403), which is when pip asks a
keyring. Any other host is refused.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from tests.support.servers import LoopbackServer

CODEARTIFACT_HOST = re.compile(r"^[a-z0-9-]+-\d{12}\.d\.codeartifact\.[a-z0-9-]+\.amazonaws\.com$")
FORWARDED_HEADERS = ("Authorization", "Content-Type", "Content-Length", "Accept", "User-Agent")


class CodeArtifactProxy(LoopbackServer):
    def __init__(self, upstream: str, repository: str) -> None:
        self.upstream = upstream.rstrip("/")  # the pypiserver, http://127.0.0.1:PORT
        self.prefix = f"/pypi/{repository}"
        self.hosts: list[str] = []  # the host of every request, to show the proxy was used
        super().__init__()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def forward(self) -> None:
                target = urlsplit(self.path)
                proxy.hosts.append(target.hostname or "")
                if not CODEARTIFACT_HOST.match(target.hostname or "") or not target.path.startswith(proxy.prefix):
                    self.send_error(403, "this proxy serves the loopback CodeArtifact only")
                    return
                path = target.path.removeprefix(proxy.prefix) or "/"
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {name: self.headers[name] for name in FORWARDED_HEADERS if self.headers.get(name)}
                query = f"?{target.query}" if target.query else ""
                request = urllib.request.Request(
                    proxy.upstream + path + query, data=body or None, headers=headers, method=self.command
                )
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        status, answer_headers, data = response.status, response.headers, response.read()
                except urllib.error.HTTPError as error:
                    status, answer_headers, data = error.code, error.headers, error.read()
                if "text/html" in answer_headers.get("Content-Type", ""):
                    data = data.replace(b'href="/packages/', f'href="{proxy.prefix}/packages/'.encode())
                if status == 403:  # pypiserver's answer to a refused password; CodeArtifact's is 401
                    status, answer_headers = 401, {"WWW-Authenticate": 'Basic realm="codeartifact"'}
                self.send_response(status)
                for name in ("Content-Type", "WWW-Authenticate"):
                    if answer_headers.get(name):
                        self.send_header(name, answer_headers[name])
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_HEAD = forward

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
