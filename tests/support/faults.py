"""A loopback HTTP server that answers every request with one chosen fault.

Put between the release tool and CodeArtifact (as the control plane, through
AWS_ENDPOINT_URL_CODEARTIFACT, or as the repository, through the endpoint the stand-in hands
out), it shows what a user sees when the network or the service misbehaves.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler

from tests.support.servers import LoopbackServer

# mode -> (status, headers, body); "hang" never answers and "drop" closes the connection.
ANSWERS = {
    "500": (500, {"x-amzn-ErrorType": "InternalServerException"}, json.dumps({"message": "internal"})),
    "429": (429, {"x-amzn-ErrorType": "ThrottlingException", "Retry-After": "0"}, json.dumps({"message": "slow"})),
    "502-html": (502, {"Content-Type": "text/html"}, "<html><body><h1>502 Bad Gateway</h1>proxy</body></html>"),
}
MODES = (*ANSWERS, "hang", "drop")


class FaultServer(LoopbackServer):
    def __init__(self, mode: str) -> None:
        assert mode in MODES, mode
        self.mode = mode
        self.requests = 0
        self.got_request = threading.Event()
        self.release = threading.Event()  # lets hanging handlers finish when the server stops
        super().__init__()

    @property
    def url(self) -> str:
        return super().url + "/"

    def stop(self) -> None:
        self.release.set()
        super().stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fault = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self) -> None:
                fault.requests += 1
                fault.got_request.set()
                if fault.mode == "hang":
                    fault.release.wait(120)
                    return
                if fault.mode == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, headers, body = ANSWERS[fault.mode]
                data = body.encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
