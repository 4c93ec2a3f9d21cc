"""pypiserver with one account, as a CodeArtifact repository has: user ``aws`` and the current
token, read from a file at every request (a rotation or an expiry takes effect at once).

    python tests/support/token_pypiserver.py PACKAGES PORT TOKEN_FILE

pypiserver checks the credentials of uploads, listings and downloads with the ``auther`` its
app takes (https://github.com/pypiserver/pypiserver#using-the-api): none gives 401 and a Basic
challenge, wrong ones 403, as with its htpasswd file, without passlib (unmaintained, and it
imports ``crypt``, which Python 3.13 removed).
"""

from __future__ import annotations

import hmac
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIServer, make_server

import pypiserver


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main(packages: str, port: str, token_file: str) -> None:
    def auther(user: str, password: str) -> bool:
        token = Path(token_file).read_text(encoding="utf-8")
        return user == "aws" and hmac.compare_digest(password.encode(), token.encode())

    app = pypiserver.app(
        roots=[Path(packages)],
        authenticate=["update", "download", "list"],
        auther=auther,
        disable_fallback=True,
    )
    make_server("127.0.0.1", int(port), app, server_class=ThreadingWSGIServer).serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:])
