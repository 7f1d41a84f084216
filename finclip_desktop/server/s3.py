"""A minimal S3 client (AWS Signature V4 over httpx) for the few calls the blob store needs.

httpx is already a core dependency; boto3/botocore would add a large dependency for
four operations (create bucket, put, get with Range, head). Path-style addressing, so it
works with AWS, MinIO, Ceph RGW, SeaweedFS and moto alike.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import httpx

_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class S3Error(Exception):
    """An S3 request failed; the message names the operation and the status."""


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


class S3Client:
    def __init__(
        self,
        endpoint: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        region: str = "us-east-1",
        timeout: float = 30.0,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.bucket = bucket
        self.region = region
        self._access_key = access_key
        self._secret_key = secret_key
        self._host = urlsplit(self.endpoint).netloc
        self._http = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def _sign(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        payload_hash: str,
        now: datetime | None = None,
    ) -> None:
        now = now or datetime.now(UTC)
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        day = now.strftime("%Y%m%d")
        headers.update(
            {"host": self._host, "x-amz-date": amz_date, "x-amz-content-sha256": payload_hash}
        )
        names = sorted(k.lower() for k in headers)
        lowered = {k.lower(): " ".join(str(v).split()) for k, v in headers.items()}
        canonical_headers = "".join(f"{n}:{lowered[n]}\n" for n in names)
        signed = ";".join(names)
        request = "\n".join([method, path, "", canonical_headers, signed, payload_hash])
        scope = f"{day}/{self.region}/s3/aws4_request"
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(request.encode()).hexdigest()]
        )
        key = _hmac(("AWS4" + self._secret_key).encode(), day)
        for part in (self.region, "s3", "aws4_request"):
            key = _hmac(key, part)
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self._access_key}/{scope}, "
            f"SignedHeaders={signed}, Signature={signature}"
        )

    def _request(
        self, method: str, key: str | None, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> httpx.Response:
        path = "/" + quote(self.bucket, safe="")
        if key is not None:
            path += "/" + quote(key, safe="/-_.~")
        headers = dict(headers or {})
        self._sign(
            method, path, headers, hashlib.sha256(body).hexdigest() if body else _EMPTY_SHA256
        )
        try:
            return self._http.request(method, self.endpoint + path, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise S3Error(f"S3 {method} {key or self.bucket}: {exc}") from None

    @staticmethod
    def _check(resp: httpx.Response, what: str, ok: tuple[int, ...] = (200,)) -> httpx.Response:
        if resp.status_code not in ok:
            raise S3Error(f"S3 {what} failed with HTTP {resp.status_code}: {resp.text[:200]}")
        return resp

    def create_bucket(self) -> None:
        """Create the bucket unless it exists already."""
        resp = self._request("PUT", None)
        if resp.status_code == 409 or resp.status_code == 200:
            return
        self._check(resp, f"create bucket {self.bucket}")

    def put(self, key: str, data: bytes) -> None:
        self._check(self._request("PUT", key, data), f"put {key}")

    def get(self, key: str, start: int | None = None, end: int | None = None) -> bytes:
        """Object bytes, or the inclusive byte range ``start..end``."""
        headers = {} if start is None else {"range": f"bytes={start}-{'' if end is None else end}"}
        return self._check(
            self._request("GET", key, headers=headers), f"get {key}", (200, 206)
        ).content

    def exists(self, key: str) -> bool:
        resp = self._request("HEAD", key)
        if resp.status_code == 404:
            return False
        self._check(resp, f"head {key}")
        return True
