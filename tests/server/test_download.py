"""Package download: ETag/If-None-Match, Range resume, parts, file-level delta."""

from __future__ import annotations

import base64
import hashlib

import pytest

from finclip_desktop.package import TrustStore, read_package, verify_parts
from finclip_desktop.package.zipformat import read_archive
from tests.server.conftest import Api, app_files, make_package

APP = "com.example.demo"


def released(live, version: str = "1.0.0", **kw) -> tuple[Api, dict]:
    live.publish(version, **kw)
    device, _ = live.device()
    entry = next(iter(device.get("/api/v1/catalog")))
    assert entry["version"] == version
    from finclip_desktop.package.canonical import strict_loads

    targets = strict_loads(device.call("GET", "/api/v1/metadata/targets.json").content)
    return device, targets["signed"]["targets"][f"{APP}/{version}.fcpkg"]


def test_etag_and_range(live_db):
    live = live_db
    live.setup_app(APP)
    device, target = released(live)
    url = f"/api/v1/packages/{target['sha256']}.fcpkg"
    full = device.call("GET", url)
    assert hashlib.sha256(full.content).hexdigest() == target["sha256"]
    assert len(full.content) == target["length"]
    assert full.headers["etag"] == f'"{target["sha256"]}"'
    assert full.headers["accept-ranges"] == "bytes"
    read_package(full.content, TrustStore([live.key.public_key()]))
    # Unchanged: 304 and no body.
    again = device.call("GET", url, headers={"If-None-Match": full.headers["etag"]}, expect=304)
    assert again.content == b""
    device.call("GET", url, headers={"If-None-Match": '"other"'}, expect=200)
    # Resume: the rest after a cut.
    cut = len(full.content) // 3
    part = device.call("GET", url, headers={"Range": f"bytes={cut}-"}, expect=206)
    assert (
        part.headers["content-range"] == f"bytes {cut}-{len(full.content) - 1}/{len(full.content)}"
    )
    assert full.content[:cut] + part.content == full.content
    middle = device.call("GET", url, headers={"Range": "bytes=10-19"}, expect=206)
    assert middle.content == full.content[10:20]
    tail = device.call("GET", url, headers={"Range": "bytes=-5"}, expect=206)
    assert tail.content == full.content[-5:]
    bad = device.call("GET", url, headers={"Range": f"bytes={len(full.content)}-"}, expect=416)
    assert bad.headers["content-range"] == f"bytes */{len(full.content)}"
    # Several ranges are not supported: the whole package, as RFC 9110 allows.
    multi = device.call("GET", url, headers={"Range": "bytes=0-1,5-6"})
    assert multi.status_code == 200 and multi.content == full.content
    # If-Range with a stale validator sends the whole package.
    whole = device.call("GET", url, headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert whole.status_code == 200 and whole.content == full.content


def test_access_rules(live):
    live.setup_app(APP)
    live.upload("1.0.0")
    device, _ = live.device()
    sha = hashlib.sha256(make_package(live.key, APP, "1.0.0")).hexdigest()
    # Not released: not downloadable.
    device.call("GET", f"/api/v1/packages/{sha}.fcpkg", expect=404)
    Api(live.url).call("GET", f"/api/v1/packages/{sha}.fcpkg", expect=401)
    device.call("GET", "/api/v1/packages/nothex.fcpkg", expect=400)
    live.approve("1.0.0")
    live.admin.post(f"/api/v1/apps/{APP}/release", json={"version": "1.0.0"})
    device.call("GET", f"/api/v1/packages/{sha}.fcpkg")
    # A hash with a trailing newline is no hash (a "$"-anchored check would let it pass).
    for path in (f"{sha}%0A.fcpkg", f"{sha}%0A/parts"):
        err = device.call("GET", f"/api/v1/packages/{path}", expect=400).json()
        assert err == {"error": "package name must be the sha256 of the .fcpkg"}
    device.call("POST", f"/api/v1/packages/{sha}%0A/delta", json={"have": []}, expect=400)
    # A gray version reaches only its audience.
    live.upload("1.1.0")
    live.approve("1.1.0")
    lucky, lucky_id = live.device()
    live.admin.post(
        f"/api/v1/apps/{APP}/release", json={"version": "1.1.0", "gray": {"devices": [lucky_id]}}
    )
    gray_sha = hashlib.sha256(make_package(live.key, APP, "1.1.0")).hexdigest()
    lucky.call("GET", f"/api/v1/packages/{gray_sha}.fcpkg")
    device.call("GET", f"/api/v1/packages/{gray_sha}.fcpkg", expect=404)


def test_parts_and_file_level_delta(live_db):
    live = live_db
    live.setup_app(APP)
    big = {"lib/big.js": b"// big library\n" * 4000}
    live.publish("1.0.0", files=app_files("1.0.0", big))
    device, _ = live.device()
    old_sha = hashlib.sha256(make_package(live.key, APP, "1.0.0", files=app_files("1.0.0", big)))
    old = read_package(
        device.call("GET", f"/api/v1/packages/{old_sha.hexdigest()}.fcpkg").content,
        TrustStore([live.key.public_key()]),
    )
    # One file changes in 1.0.1.
    new_files = app_files("1.0.1", big)
    live.publish("1.0.1", files=new_files)
    new_sha = hashlib.sha256(make_package(live.key, APP, "1.0.1", files=new_files)).hexdigest()
    parts = device.get(f"/api/v1/packages/{new_sha}/parts")
    manifest, signature = base64.b64decode(parts["manifest"]), base64.b64decode(parts["signature"])
    have = sorted({hashlib.sha256(c).hexdigest() for c in old.files.values()})
    resp = device.call("POST", f"/api/v1/packages/{new_sha}/delta", json={"have": have})
    assert resp.headers["content-type"] == "application/zip"
    delta = read_archive(resp.content)
    changed = hashlib.sha256(new_files["pages/index/index.js"]).hexdigest()
    assert list(delta) == [changed]
    assert len(resp.content) < 0.1 * len(make_package(live.key, APP, "1.0.1", files=new_files))
    # Reassemble from the old files plus the delta and verify against the signed manifest.
    by_hash = {hashlib.sha256(c).hexdigest(): c for c in old.files.values()} | delta
    from finclip_desktop.package import Manifest

    files = {p: by_hash[e.sha256] for p, e in Manifest.from_bytes(manifest).files.items()}
    pkg = verify_parts(manifest, signature, files, TrustStore([live.key.public_key()]))
    assert pkg.manifest.version == "1.0.1"
    # Having nothing gets everything (deduplicated by hash); bad input is refused.
    everything = read_archive(
        device.call("POST", f"/api/v1/packages/{new_sha}/delta", json={"have": []}).content
    )
    assert set(everything) == {e.sha256 for e in pkg.manifest.files.values()}
    device.call("POST", f"/api/v1/packages/{new_sha}/delta", json={"have": "x"}, expect=422)


def test_blob_names_are_whole_hashes(tmp_path):
    """Blob paths are built from the hash: one with a trailing newline (which a
    "$"-anchored check passes) or any other character is refused before a path is made."""
    from finclip_desktop.server.blobs import LocalBlobStore

    blobs = LocalBlobStore(tmp_path)
    sha = blobs.put(b"package bytes")
    assert blobs.get(sha) == b"package bytes" and blobs.exists(sha)
    for bad in (sha + "\n", sha.upper(), sha[:63]):
        with pytest.raises(ValueError, match="is not a sha256 hex digest"):
            blobs.get(bad)
        with pytest.raises(ValueError, match="is not a sha256 hex digest"):
            blobs.exists(bad)
