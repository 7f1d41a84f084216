"""The S3 blob store against a real S3-compatible server (moto in server mode)."""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from finclip_desktop.server.blobs import S3BlobStore
from finclip_desktop.server.config import S3Settings, Settings
from finclip_desktop.server.s3 import S3Client, S3Error
from tests.server.conftest import make_live

MOTO = shutil.which("moto_server", path=str(Path(sys.executable).parent))

pytestmark = pytest.mark.skipif(MOTO is None, reason="moto[server] is not installed (dev extra)")


@pytest.fixture(scope="module")
def s3_endpoint():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [MOTO, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url, timeout=1)
            break
        except httpx.HTTPError:
            assert time.monotonic() < deadline, "moto server did not start"
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(10)


def test_sigv4_client(s3_endpoint):
    client = S3Client(s3_endpoint, "unit-bucket", "AKIDEXAMPLE", "secret")
    client.create_bucket()
    client.create_bucket()  # idempotent
    store = S3BlobStore(client, "p/")
    data = bytes(range(256)) * 40
    sha = store.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.exists(sha) and not store.exists("0" * 64)
    assert store.get(sha) == data
    assert store.get(sha, 100, 199) == data[100:200]
    assert store.get(sha, 10_000) == data[10_000:]
    with pytest.raises(S3Error):
        store.get("1" * 64)
    with pytest.raises(ValueError):
        store.get("../etc/passwd")
    store.close()


def test_server_on_s3(s3_endpoint, tmp_path):
    s3 = S3Settings(
        endpoint=s3_endpoint, bucket="finclip-blobs", access_key="AKIDEXAMPLE", secret_key="secret"
    )
    for live in make_live(Settings(data_dir=tmp_path / "s", s3=s3)):
        live.setup_app("com.example.demo")
        live.publish("1.0.0")
        device, _ = live.device()
        assert not (tmp_path / "s" / "blobs").exists()
        from finclip_desktop.package.canonical import strict_loads

        targets = strict_loads(device.call("GET", "/api/v1/metadata/targets.json").content)
        entry = targets["signed"]["targets"]["com.example.demo/1.0.0.fcpkg"]
        url = f"/api/v1/packages/{entry['sha256']}.fcpkg"
        full = device.call("GET", url).content
        assert hashlib.sha256(full).hexdigest() == entry["sha256"]
        assert (
            device.call("GET", url, headers={"Range": "bytes=5-"}, expect=206).content == full[5:]
        )
        client = S3Client(s3_endpoint, "finclip-blobs", "AKIDEXAMPLE", "secret")
        assert client.exists(f"packages/{entry['sha256']}")
        client.close()


def test_signature_matches_botocore():
    """Our SigV4 equals botocore's for the same request and time (an independent check:
    moto accepts any signature)."""
    pytest.importorskip("botocore")
    from datetime import UTC, datetime

    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = b"hello"
    payload = hashlib.sha256(body).hexdigest()
    url = "http://127.0.0.1:9000/bucket/packages/a%20b"
    request = AWSRequest(
        "PUT", url, data=body, headers={"range": "bytes=0-9", "x-amz-content-sha256": payload}
    )
    S3SigV4Auth(Credentials("AKIDEXAMPLE", "s3cr3t"), "s3", "eu-west-1").add_auth(request)
    when = datetime.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)

    client = S3Client("http://127.0.0.1:9000", "bucket", "AKIDEXAMPLE", "s3cr3t", "eu-west-1")
    headers = {"range": "bytes=0-9"}
    client._sign("PUT", "/bucket/packages/a%20b", headers, payload, when)
    assert headers["authorization"] == request.headers["Authorization"]
