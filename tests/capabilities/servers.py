"""Real HTTPS and WSS servers on 127.0.0.1 with a throwaway CA, for the network tests."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from websockets.sync.server import serve


@dataclass
class Certs:
    ca_file: Path
    cert_file: Path
    key_file: Path

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_certs(folder: Path) -> Certs:
    """A CA and a server certificate for 127.0.0.1 and localhost."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "FinClip Test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .add_extension(x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    certs = Certs(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    certs.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    certs.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    certs.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certs


class Handler(BaseHTTPRequestHandler):
    """Routes: /json /text /echo /bytes?n= /redirect?to=&code= /setcookie /cookie /slow
    /status?code= /upload /drip?n=&every= (n bytes, one every `every` s, after the headers)
    /stream?n= (chunked, no Content-Length)"""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return None

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _body(self) -> bytes:
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def handle_any(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = self._body()
        route = url.path
        if route == "/json":
            self._reply(200, b'{"hello": "world", "n": 1}', {"Content-Type": "application/json"})
        elif route == "/text":
            self._reply(200, "plain 文本".encode(), {"Content-Type": "text/plain; charset=utf-8"})
        elif route == "/echo":
            echoed = {
                "method": self.command,
                "path": url.path,
                "query": url.query,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
            }
            self._reply(200, json.dumps(echoed).encode(), {"Content-Type": "application/json"})
        elif route == "/bytes":
            n = int(query.get("n", "16"))
            self._reply(200, bytes(i % 256 for i in range(n)))
        elif route == "/redirect":
            self._reply(int(query.get("code", "302")), b"", {"Location": query["to"]})
        elif route == "/setcookie":
            self._reply(200, b"ok", {"Set-Cookie": "sid=s3cr3t; Path=/; Max-Age=3600"})
        elif route == "/cookie":
            self._reply(200, (self.headers.get("cookie") or "").encode())
        elif route == "/slow":
            time.sleep(float(query.get("s", "3")))
            self._reply(200, b"late")
        elif route == "/drip":
            n, every = int(query.get("n", "20")), float(query.get("every", "0.2"))
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            try:
                for _ in range(n):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(every)
            except OSError:
                self.close_connection = True  # the client gave up
        elif route == "/stream":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            left = int(query.get("n", "100000"))
            try:
                while left > 0:
                    piece = min(left, 16384)
                    self.wfile.write(f"{piece:x}\r\n".encode() + b"s" * piece + b"\r\n")
                    left -= piece
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                self.close_connection = True
        elif route == "/status":
            self._reply(int(query["code"]), b"status")
        elif route == "/upload":
            summary = {
                "contentType": self.headers.get("content-type"),
                "length": len(body),
                "body": body.decode("latin-1"),
            }
            self._reply(200, json.dumps(summary).encode(), {"Content-Type": "application/json"})
        else:
            self._reply(404, b"not found")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = handle_any


class HttpsServer:
    """The routes of ``handler`` (:class:`Handler`'s by default) over TLS (or plain HTTP when
    ``certs`` is None)."""

    def __init__(
        self, certs: Certs | None, handler: type[BaseHTTPRequestHandler] = Handler
    ) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.scheme = "http" if certs is None else "https"
        if certs is not None:
            context = certs.server_context()
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _ws_handler(connection) -> None:  # noqa: ANN001
    path = connection.request.path
    if path == "/redirect":
        return
    if path == "/server-close":
        connection.close(4001, "bye from server")
        return
    for message in connection:
        connection.send(message)


class WssServer:
    """Echoes every message; /server-close closes with 4001; /redirect answers 302."""

    def __init__(self, certs: Certs, https_port: int) -> None:
        def process_request(connection, request):  # noqa: ANN001
            if request.path == "/redirect":
                response = connection.respond(302, "")
                response.headers["Location"] = f"wss://localhost:{https_port}/"
                return response
            return None

        self.server = serve(
            _ws_handler,
            "127.0.0.1",
            0,
            ssl=certs.server_context(),
            process_request=process_request,
            compression=None,
        )
        self.port = self.server.socket.getsockname()[1]
        self.host = f"127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/") -> str:
        return f"wss://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()


class RecordingProxy:
    """An HTTP proxy on 127.0.0.1 that opens CONNECT tunnels and records their targets;
    ``refuse`` makes it answer 407 instead."""

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.targets: list[str] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
            if method != "CONNECT" or self.refuse:
                client.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                               b"Content-Length: 0\r\n\r\n")  # fmt: skip
                return
            self.targets.append(target)
            host, port = target.rsplit(":", 1)
            with socket.create_connection((host, int(port))) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self._relay(client, upstream)

    @staticmethod
    def _relay(a: socket.socket, b: socket.socket) -> None:
        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for sock in (src, dst):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        other = threading.Thread(target=pump, args=(b, a), daemon=True)
        other.start()
        pump(a, b)
        other.join(10)

    def close(self) -> None:
        self.listener.close()


class Socks5Proxy(RecordingProxy):
    """A SOCKS5 proxy (RFC 1928, CONNECT; RFC 1929 when ``credentials`` are set) on
    127.0.0.1 that records each target as ``host:port``, the host as the client sent it."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.credentials = credentials
        super().__init__()
        self.url = f"socks5://127.0.0.1:{self.port}"

    def _serve(self, client: socket.socket) -> None:
        with client:
            try:
                self._handshake(client)
            except (ConnectionError, OSError):
                return

    def _handshake(self, client: socket.socket) -> None:
        stream = client.makefile("rb")

        def read(size: int) -> bytes:
            data = stream.read(size)
            if len(data) != size:
                raise ConnectionError("client went away")
            return data

        version, count = read(2)
        methods = read(count)
        wanted = 2 if self.credentials else 0
        if version != 5 or wanted not in methods:
            client.sendall(b"\x05\xff")
            return
        client.sendall(bytes([5, wanted]))
        if self.credentials:
            _v, size = read(2)
            user = read(size).decode()
            password = read(read(1)[0]).decode()
            ok = (user, password) == self.credentials
            client.sendall(bytes([1, 0 if ok else 1]))
            if not ok:
                return
        _version, command, _reserved, kind = read(4)
        if kind == 1:
            host = socket.inet_ntop(socket.AF_INET, read(4))
        elif kind == 4:
            host = socket.inet_ntop(socket.AF_INET6, read(16))
        else:
            host = read(read(1)[0]).decode("idna")
        port = int.from_bytes(read(2), "big")
        failure = bytes([5, 7 if command != 1 else 5, 0, 1]) + bytes(6)
        if command != 1:
            client.sendall(failure)
            return
        try:
            upstream = socket.create_connection((host, port), timeout=10)
        except OSError:
            client.sendall(failure)
            return
        upstream.settimeout(None)  # relayed streams may idle
        with upstream:
            self.targets.append(f"{host}:{port}")
            client.sendall(bytes([5, 0, 0, 1]) + bytes(6))
            self._relay(client, upstream)
