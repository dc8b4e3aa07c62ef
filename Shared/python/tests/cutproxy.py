"""A TLS proxy in front of the gateway that forwards every HTTP/1.1 request
and answer unchanged, except that it can let chosen requests reach the
gateway and then cut the connection before the client reads the answer: the
one failure after which a client cannot know whether its call took effect.
It records every request it forwarded (method, path, Idempotency-Key)."""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass
from typing import Callable, Optional


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    idempotency_key: Optional[str]


class CutProxy:
    def __init__(self, upstream_port: int, certificate: str, key: str, ca: str) -> None:
        self.upstream_port = upstream_port
        self.server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server_context.minimum_version = ssl.TLSVersion.TLSv1_3
        self.server_context.load_cert_chain(certificate, key)
        self.client_context = ssl.create_default_context(cafile=ca)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.seen: list[Seen] = []
        self.cuts = 0
        self._cut: Callable[[Seen], bool] = lambda _: False
        self._remaining = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def cut(self, predicate: Callable[[Seen], bool], times: int = 1) -> None:
        """Cuts the connection after the gateway answered each of the next `times` requests matching `predicate`."""
        with self._lock:
            self._cut, self._remaining = predicate, times

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        try:
            client = self.server_context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        upstream = self.client_context.wrap_socket(
            socket.create_connection(("127.0.0.1", self.upstream_port)), server_hostname="127.0.0.1")
        client_reader, upstream_reader = client.makefile("rb"), upstream.makefile("rb")
        try:
            while True:
                request = _read_message(client_reader)
                if request is None:
                    return
                head = request.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
                method, path = head[0].split(" ")[:2]
                headers = {line.split(":", 1)[0].strip().lower(): line.split(":", 1)[1].strip()
                           for line in head[1:] if ":" in line}
                seen = Seen(method, path.split("?")[0], headers.get("idempotency-key"))
                with self._lock:
                    self.seen.append(seen)
                    cut = self._remaining > 0 and self._cut(seen)
                    if cut:
                        self._remaining -= 1
                        self.cuts += 1
                upstream.sendall(request)
                answer = _read_message(upstream_reader)
                if answer is None:
                    return
                if cut:
                    client.shutdown(socket.SHUT_RDWR)
                    return
                client.sendall(answer)
        except (OSError, ValueError):
            return
        finally:
            for closable in (client_reader, upstream_reader, client, upstream):
                try:
                    closable.close()
                except OSError:
                    pass


def _read_message(reader: "socket.SocketIO | object") -> Optional[bytes]:
    """One HTTP/1.1 message (head and Content-Length body) as bytes; None at the end of the stream."""
    lines = []
    while True:
        line = reader.readline()  # type: ignore[attr-defined]
        if not line:
            return None
        lines.append(line)
        if line in (b"\r\n", b"\n"):
            break
    head = b"".join(lines)
    length = 0
    for line in lines[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        if name.strip().lower() == "transfer-encoding":
            raise ValueError("chunked messages are not forwarded by this proxy")
    body = reader.read(length) if length else b""  # type: ignore[attr-defined]
    return head + body
