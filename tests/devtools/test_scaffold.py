"""`finclip new`: every template scaffolds, parses and packs without edits."""

from __future__ import annotations

import json
import os
import re

import pytest

from finclip_desktop.cli import main
from finclip_desktop.devtools.scaffold import (
    ScaffoldError,
    available_templates,
    create_app,
    default_app_id,
    templates_dir,
)
from finclip_desktop.package import TrustStore, collect_files, read_package, validate_app

from .conftest import TEMPLATES


def test_all_templates_present():
    assert set(TEMPLATES) <= set(available_templates())


@pytest.mark.parametrize("template", TEMPLATES)
def test_new_then_pack_verifies(tmp_path, template, signing_key, capsys):
    key_path, key = signing_key
    app = tmp_path / f"My {template} app"
    assert main(["new", str(app), "--template", template]) == 0
    assert "app id dev.my-" + template + "-app" in capsys.readouterr().out
    project = json.loads((app / "project.config.json").read_text())
    assert project == {**project, "appid": f"dev.my-{template}-app", "projectname": app.name}
    assert json.loads((app / "app.json").read_text())["window"]["navigationBarTitleText"] == (
        app.name
    )
    out = tmp_path / "app.fcpkg"
    assert main(["pack", str(app), "--key", str(key_path), "-o", str(out)]) == 0
    pkg = read_package(out, TrustStore([key.public_key()]))
    assert pkg.manifest.app_id == f"dev.my-{template}-app"
    assert pkg.manifest.version == "1.0.0"
    assert "app.json" in pkg.paths()


@pytest.mark.parametrize("template", TEMPLATES)
def test_template_structure(template):
    root = templates_dir() / template
    files = collect_files(root)
    assert validate_app(files) == "wechat"
    pages = json.loads(files["app.json"])["pages"]
    for page in pages:
        assert page.endswith("/index"), "templates use pages/<name>/index.*"
        for ext in ("wxml", "wxss", "js", "json"):
            assert f"{page}.{ext}" in files
    assert json.loads(files["project.config.json"])["appid"] == f"example.{template}"
    # every <wxs src> and require() target exists
    for path, data in files.items():
        if not path.endswith((".js", ".wxml", ".wxs")):
            continue
        text = data.decode("utf-8")
        base = path.rsplit("/", 1)[0] if "/" in path else ""
        for ref in re.findall(r"require\('([^']+)'\)", text) + re.findall(r'src="([^"]+)"', text):
            parts = (base + "/" + ref).split("/") if not ref.startswith("/") else ref.split("/")
            stack: list[str] = []
            for part in parts:
                if part == "..":
                    stack.pop()
                elif part not in ("", "."):
                    stack.append(part)
            assert "/".join(stack) in files, f"{path} refers to missing {ref}"


SYNTAX_CHECK = """
import json, os, sys
from PySide6.QtCore import QCoreApplication
from PySide6.QtQml import QJSEngine
app = QCoreApplication([])
engine = QJSEngine()
errors = []
for path in sys.argv[1:]:
    source = open(path, encoding="utf-8").read()
    wrapped = "(function (require, module, exports) {\\n" + source + "\\n})"
    result = engine.evaluate(wrapped, path, 0)
    if result.isError():
        errors.append(path + ": " + result.toString())
print(json.dumps(errors), flush=True)
os._exit(0)  # skip Qt teardown: only the verdict matters
"""


@pytest.mark.parametrize("template", TEMPLATES)
def test_template_scripts_parse(template):
    """Every .js and .wxs file is valid JavaScript (checked by Qt's JS engine, in a child
    process so that its engine's teardown stays out of the test process)."""
    import subprocess
    import sys

    paths = [str(p) for p in sorted((templates_dir() / template).rglob("*"))
             if p.suffix in (".js", ".wxs")]  # fmt: skip
    assert paths
    proc = subprocess.run(
        [sys.executable, "-c", SYNTAX_CHECK, *paths], capture_output=True, text=True,
        timeout=60, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [], proc.stderr[-500:]


def test_new_refuses_existing_folder(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file.txt").write_text("mine")
    with pytest.raises(ScaffoldError, match="already exists"):
        create_app(tmp_path / "taken")
    assert (tmp_path / "taken" / "file.txt").read_text() == "mine"


def test_new_into_empty_folder_and_custom_app_id(tmp_path):
    (tmp_path / "empty").mkdir()
    assert create_app(tmp_path / "empty", "blank", app_id="Com.Example.X") == (
        "com.example.x",
        "empty",
    )


def test_new_cli_errors_are_one_line(tmp_path, capsys):
    assert main(["new", str(tmp_path / "a"), "--template", "nope"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("finclip: unknown template 'nope' (choose from: blank")
    assert err.count("\n") == 1
    assert main(["new", str(tmp_path / "b"), "--app-id", "bad_id!"]) == 1
    assert "app id 'bad_id!' must be lowercase" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()
    assert main(["new"]) == 1
    assert "give the folder to create" in capsys.readouterr().err


def test_new_list(capsys):
    assert main(["new", "--list"]) == 0
    out = capsys.readouterr().out
    for template in TEMPLATES:
        assert template in out


def test_default_app_id():
    assert default_app_id("My Cool App!") == "dev.my-cool-app"
    assert default_app_id("***") == "dev.app"
