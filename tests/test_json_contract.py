"""Every --json run prints exactly one parseable document, whatever its exit code.

``check``'s documents (reports and failures) also validate against
pep-draft/check-report.schema.json.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from extdeps.cli.main import main
from tests.conftest import REPO

SCHEMA = json.loads((REPO / "pep-draft" / "check-report.schema.json").read_text("utf-8"))
VALID = '[project]\nname = "p"\nversion = "1"\n\n[external]\nhost-requires = ["dep:generic/zlib"]\n'
INVALID = '[external]\nhost-requires = ["dep:generic/zlib@~=1"]\n'
UNMAPPED = '[external]\nhost-requires = ["dep:generic/no-such-thing-anywhere"]\n'

# command line (PATH stands for the project) -> the exit codes it may give
CASES: dict[str, tuple[list[str], str, set[int]]] = {
    "show-valid": (["show", "PATH"], VALID, {0}),
    "show-invalid": (["show", "PATH"], INVALID, {2}),
    "validate-invalid": (["validate", "PATH"], INVALID, {2}),
    "detect": (["detect", "--ecosystem", "debian+12"], VALID, {0}),
    "detect-unknown-ecosystem": (["detect", "--ecosystem", "nowhere"], VALID, {3}),
    "map-valid": (["map", "PATH", "--ecosystem", "debian+12"], VALID, {0}),
    "map-invalid": (["map", "PATH", "--ecosystem", "debian+12"], INVALID, {2}),
    "map-unmapped": (["map", "PATH", "--ecosystem", "debian+12"], UNMAPPED, {3}),
    "map-bad-category": (["map", "PATH", "--category", "nope"], VALID, {2}),
    "install-all": (["install", "PATH", "--ecosystem", "debian+12", "--all"], VALID, {0}),
    "install-unmapped": (["install", "PATH", "--ecosystem", "debian+12", "--all"], UNMAPPED, {3}),
    "install-invalid": (["install", "PATH", "--ecosystem", "debian+12"], INVALID, {2}),
    "check-invalid": (["check", "PATH", "--ecosystem", "debian+12"], INVALID, {2}),
    "check-unknown-ecosystem": (["check", "PATH", "--ecosystem", "nowhere"], VALID, {3}),
    "check-missing-file": (["check", "PATH/nope"], VALID, {2}),
    "check-unmapped-strict": (
        ["check", "PATH", "--ecosystem", "debian+12", "--strict"],
        UNMAPPED,
        {3},
    ),
    "check-unmapped-allowed": (
        ["check", "PATH", "--ecosystem", "debian+12", "--strict", "--allow-unmapped"],
        UNMAPPED,
        {0},
    ),
    "check-usage": (["check", "PATH", "--no-such-option"], VALID, {2}),
    "check-bad-extra": (["check", "PATH", "--ecosystem", "debian+12", "--extra", "x"], VALID, {2}),
    "metadata-invalid": (["metadata", "PATH"], INVALID, {2}),
    "lint-invalid": (["lint", "PATH"], INVALID, {2}),
    "registry-coverage-bad": (["registry", "coverage", "--ecosystem", "nowhere"], VALID, {3}),
}


def _run(
    case: str, write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> tuple[int, Any]:
    argv, text, _ = CASES[case]
    project = write_project(text)
    words = [w.replace("PATH", str(project)) for w in argv] + ["--json"]
    code = main(words)
    out = capsys.readouterr().out
    return code, json.loads(out)  # exactly one document: json.loads refuses two


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_document_on_every_exit_path(
    case: str, write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, document = _run(case, write_project, capsys)
    assert code in CASES[case][2]
    assert document["schema_version"] == 1
    if code in (2, 3) and "errors" in document:
        assert document["exit_code"] == code
        for error in document["errors"]:
            assert set(error) >= {"file", "key_path", "message", "hint"}
    elif code in (2, 3):
        assert document["exit_code"] == code or document.get("valid") is False
    if case.startswith("check"):
        errors = [e.message for e in jsonschema.Draft202012Validator(SCHEMA).iter_errors(document)]
        assert errors == []


def test_check_failure_names_the_file_and_key_path(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, document = _run("check-invalid", write_project, capsys)
    assert code == 2
    [error] = document["errors"]
    assert error["file"].endswith("pyproject.toml")
    assert error["key_path"] == "external.host-requires[0]"
    assert error["message"].startswith("operator '~=' is not allowed")


def test_left_out_is_named(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, document = _run("check-unmapped-allowed", write_project, capsys)
    assert code == 0
    assert document["left_out"] == ["dep:generic/no-such-thing-anywhere"]
    code, document = _run("install-unmapped", write_project, capsys)
    assert code == 3
    assert [d["id"] for d in document["left_out"]] == ["dep:generic/no-such-thing-anywhere"]
