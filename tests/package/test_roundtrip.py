"""keygen -> pack -> verify -> extract gives identical bytes."""

from __future__ import annotations

import hashlib
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from finclip_desktop.package import (
    DestinationExistsError,
    TrustStore,
    UnknownSignerError,
    build_archive,
    collect_files,
    extract_package,
    generate_key,
    inspect_package,
    load_private_key,
    load_public_key,
    read_package,
    save_private_key,
    verify_parts,
)

from .conftest import APP_FILES, SETTINGS

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def test_extract_gives_identical_bytes(tmp_path, key, trust, package_bytes):
    dest = tmp_path / "out"
    pkg = extract_package(package_bytes, dest, trust)
    extracted = {
        p.relative_to(dest).as_posix(): p.read_bytes() for p in dest.rglob("*") if p.is_file()
    }
    assert extracted == APP_FILES
    assert pkg.manifest.app_id == "demo.test"
    assert pkg.signer == trust.key_ids()[0]


def test_key_files_round_trip(tmp_path):
    key = generate_key()
    pub_path = save_private_key(key, tmp_path / "k")
    assert (tmp_path / "k").stat().st_mode & 0o777 == 0o600
    loaded = load_private_key(tmp_path / "k")
    assert loaded.sign(b"x") == key.sign(b"x")  # Ed25519 is deterministic
    store = TrustStore([load_public_key(pub_path)])
    data = build_archive(APP_FILES, SETTINGS, loaded)[1]
    assert read_package(data, store).manifest.version == "1.0.0"


def test_keygen_refuses_to_overwrite(tmp_path):
    save_private_key(generate_key(), tmp_path / "k")
    with pytest.raises(Exception, match="already exists"):
        save_private_key(generate_key(), tmp_path / "k")


def test_packing_is_deterministic(key):
    assert build_archive(APP_FILES, SETTINGS, key)[1] == build_archive(APP_FILES, SETTINGS, key)[1]


def test_standard_zip_tools_read_packages(package_bytes):
    with zipfile.ZipFile(BytesIO(package_bytes)) as zf:
        assert zf.testzip() is None
        assert zf.read("app.js") == APP_FILES["app.js"]


def test_untrusted_signer_rejected(package_bytes):
    other = TrustStore([generate_key().public_key()])
    with pytest.raises(UnknownSignerError, match="unknown key"):
        read_package(package_bytes, other)


def test_inspect_reports_signer_without_trusting_it(package_bytes):
    pkg = inspect_package(package_bytes)
    assert pkg.signer is None
    assert pkg.manifest.name == "Test App"


def test_verify_parts_matches_archive(package_bytes, trust):
    pkg = read_package(package_bytes, trust)
    again = verify_parts(pkg.manifest_bytes, pkg.signature, dict(pkg.files), trust)
    assert again.manifest == pkg.manifest
    assert again.manifest_sha256 == hashlib.sha256(pkg.manifest_bytes).hexdigest()


def test_extract_refuses_existing_destination(tmp_path, package_bytes, trust):
    (tmp_path / "out").mkdir()
    with pytest.raises(DestinationExistsError):
        extract_package(package_bytes, tmp_path / "out", trust)


RESOURCES = EXAMPLES.parent
APPS = sorted(p.relative_to(RESOURCES).as_posix() for p in RESOURCES.glob("*/*/app.json"))


@pytest.mark.parametrize("example", [p.removesuffix("/app.json") for p in APPS])
def test_examples_and_templates_pack_and_verify(example, key, trust):
    """Every shipped app packs and is accepted for use by this runtime (min_runtime)."""
    from finclip_desktop.package import app_settings, validate_app

    files = collect_files(RESOURCES / example)
    assert validate_app(files) == "wechat"
    manifest, data = build_archive(files, app_settings(RESOURCES / example), key)
    pkg = read_package(data, trust)
    assert dict(pkg.files) == files
    assert "project.config.json" in pkg.files and "finclip.config.json" not in pkg.files
