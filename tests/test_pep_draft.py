"""The specification in pep-draft/: every example in it is checked against the implementation.

What is checked:

- each reStructuredText file renders with docutils without a warning;
- every TOML block parses; blocks with an ``[external]`` (or ``[tool.extdeps]``)
  table validate, unless a comment ``invalid: <reason>`` precedes the block, in
  which case validation fails with ``<reason>`` in the error;
- every JSON block parses; registry, known-ecosystems, mapping, probes,
  virtual-namespaces and check-report documents validate against their schema
  (and mappings, registries and probes load); every ``dep:`` string in them
  parses;
- every embedded JSON Schema is the shipped file, and every shipped schema is
  embedded;
- the tables of DepURLs and specifiers: valid rows parse to the canonical form
  given, invalid rows fail with the message given;
- tables that restate code (PURL types, namespaces, forbidden programs, safe
  spec pattern, version priority, compilers, statuses, exit codes, options)
  match the code;
- the worked examples (core metadata, rendering install commands, the check
  report) match what the implementation produces;
- relative links point at files that exist.

Markdown files in pep-draft/ (written by others) get the same TOML and JSON
checks for their fenced blocks, with ``<!-- invalid: reason -->`` as the marker.
"""

from __future__ import annotations

import functools
import io
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docutils.core  # type: ignore[import-untyped, unused-ignore]
import pytest
from docutils import nodes  # type: ignore[import-untyped, unused-ignore]
from jsonschema import Draft202012Validator

from extdeps import (
    DepURL,
    ExtdepsError,
    External,
    ExternalRequirement,
    InvalidDepURL,
)
from tests.conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

DRAFT = REPO / "pep-draft"
MAIN = DRAFT / "pep-extdeps.rst"
SCHEMA_DIRS = (REPO / "mappings" / "schemas", DRAFT)
RST_FILES = sorted(DRAFT.glob("*.rst"))
MD_FILES = sorted(DRAFT.glob("*.md"))
# other engineers' documents that may not exist yet: a link to them is skipped, not failed
PENDING_FILES = {"metadata-decisions.md"}
_SCHEMA_BY_KIND = {
    "registry": "central-registry.schema.json",
    "known-ecosystems": "known-ecosystems.schema.json",
    "mapping": "external-mapping.schema.json",
    "probes": "probes.schema.json",
    "virtual-namespaces": "virtual-namespaces.schema.json",
    "check-report": "check-report.schema.json",
}


# -- reading the documents -------------------------------------------------------


class Block:
    """One code block: where it is, its language, its text, its name and invalid marker."""

    def __init__(
        self,
        *,
        path: Path,
        line: int,
        language: str,
        text: str,
        name: str | None,
        invalid: str | None,
    ) -> None:
        self.path = path
        self.line = line
        self.language = language
        self.text = text
        self.name = name
        self.invalid = invalid

    @property
    def label(self) -> str:
        return f"{self.path.name}:{self.line}:{self.language}" + (
            f":{self.name}" if self.name else ""
        )


def _publish(path: Path, overrides: dict[str, Any] | None = None) -> Any:
    settings: dict[str, Any] = {"report_level": 5, "warning_stream": io.StringIO()}
    settings.update(overrides or {})
    return docutils.core.publish_doctree(
        path.read_text(encoding="utf-8"), source_path=str(path), settings_overrides=settings
    )


@functools.cache
def _doctree(path: Path) -> Any:
    return _publish(path)


def _text(node: Any) -> str:
    return str(node.astext())


def _rst_blocks(path: Path) -> list[Block]:
    out = []
    for node in _doctree(path).findall(nodes.literal_block):
        classes = list(node.get("classes", []))
        if "code" not in classes:
            continue
        language = classes[1] if len(classes) > 1 else ""
        invalid = None
        parent = node.parent
        index = parent.index(node)
        if index > 0 and isinstance(parent[index - 1], nodes.comment):
            comment = _text(parent[index - 1]).strip()
            if comment.startswith("invalid:"):
                invalid = comment.removeprefix("invalid:").strip()
        names = node.get("names", [])
        out.append(
            Block(
                path=path,
                line=int(node.line or 0),
                language=language,
                text=_text(node),
                name=str(names[0]) if names else None,
                invalid=invalid,
            )
        )
    return out


_FENCE_RE = re.compile(
    r"(?:<!--\s*invalid:\s*(?P<reason>.*?)\s*-->\s*\n)?^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```",
    re.MULTILINE | re.DOTALL,
)


def _md_blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    return [
        Block(
            path=path,
            line=text.count("\n", 0, m.start("body")),
            language=m.group("lang"),
            text=m.group("body"),
            name=None,
            invalid=m.group("reason"),
        )
        for m in _FENCE_RE.finditer(text)
    ]


@functools.cache
def _blocks() -> tuple[Block, ...]:
    out: list[Block] = []
    for path in RST_FILES:
        out.extend(_rst_blocks(path))
    for path in MD_FILES:
        out.extend(_md_blocks(path))
    return tuple(out)


def _blocks_of(language: str) -> list[Block]:
    return [b for b in _blocks() if b.language == language]


def _named(name: str) -> Block:
    found = [b for b in _blocks() if b.name == name]
    assert len(found) == 1, f"expected one block named {name!r}, found {len(found)}"
    return found[0]


def _table(name: str) -> list[list[str]]:
    """The body rows of the table with ``:name: name`` in the main document, as cell texts."""
    for table in _doctree(MAIN).findall(nodes.table):
        if name in table.get("names", []):
            body = next(iter(table.findall(nodes.tbody)))
            return [[_text(entry).strip() for entry in row.findall(nodes.entry)] for row in body]
    raise AssertionError(f"no table named {name!r} in {MAIN.name}")


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _schema(name: str) -> Any:
    for directory in SCHEMA_DIRS:
        if (directory / name).exists():
            return _load_json(directory / name)
    raise AssertionError(f"schema {name} is not shipped")


def _schema_errors(name: str, document: Any) -> list[str]:
    validator = Draft202012Validator(_schema(name))
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ][:10]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _json_kind(document: Any) -> str:
    if not isinstance(document, dict):
        return "plain"
    if str(document.get("$schema", "")).startswith("https://json-schema.org/"):
        return "schema"
    if document.get("command") == "check":
        return "check-report"
    for key, kind in (
        ("definitions", "registry"),
        ("ecosystems", "known-ecosystems"),
        ("mappings", "mapping"),
        ("probes", "probes"),
        ("namespaces", "virtual-namespaces"),
    ):
        if key in document:
            return kind
    return "plain"


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ExtdepsError):
        return "\n".join(exc.render())
    return str(exc)


def _ids(blocks: list[Block]) -> list[str]:
    return [b.label for b in blocks]


# -- rendering ---------------------------------------------------------------------


def test_the_specification_exists() -> None:
    assert MAIN.exists()
    assert len(_blocks_of("toml")) >= 10
    assert len(_blocks_of("json")) >= 10


@pytest.mark.parametrize("path", RST_FILES, ids=[p.name for p in RST_FILES])
def test_renders_without_warnings(path: Path) -> None:
    import importlib.util

    stream = io.StringIO()
    settings: dict[str, Any] = {"halt_level": 2, "report_level": 2, "warning_stream": stream}
    if importlib.util.find_spec("pygments") is None:  # code blocks are highlighted when it is there
        settings["syntax_highlight"] = "none"
    _publish(path, settings)
    assert stream.getvalue() == ""


def test_local_links_exist() -> None:
    checked = 0
    for path in RST_FILES:
        for ref in _doctree(path).findall(nodes.reference):
            uri = str(ref.get("refuri", ""))
            if not uri or re.match(r"[a-z][a-z0-9+.-]*:", uri) or uri.startswith("#"):
                continue
            target = (path.parent / uri.split("#", 1)[0]).resolve()
            if target.name in PENDING_FILES and not target.exists():
                continue
            assert target.exists(), f"{path.name}: link to {uri} points at nothing"
            checked += 1
    assert checked >= 10


# -- TOML examples -----------------------------------------------------------------


def _validate_toml(text: str) -> None:
    from extdeps.choices import tool_config

    data = tomllib.loads(text)
    External.from_pyproject(data, source="example")
    tool = data.get("tool", {}).get("extdeps")
    if tool is not None:
        tool_config(tool, "example")


@pytest.mark.parametrize("block", _blocks_of("toml"), ids=_ids(_blocks_of("toml")))
def test_toml_example(block: Block) -> None:
    if block.invalid is None:
        _validate_toml(block.text)
        return
    with pytest.raises((tomllib.TOMLDecodeError, ExtdepsError)) as info:
        _validate_toml(block.text)
    assert block.invalid in _error_text(info.value)


# -- JSON examples -----------------------------------------------------------------


def _validate_json(text: str) -> None:
    from extdeps.data.mapping import EcosystemMapping
    from extdeps.data.probes import Probes
    from extdeps.data.registry import Registry

    document = json.loads(text)
    kind = _json_kind(document)
    if kind == "schema":
        return  # compared with the shipped file below
    if kind in _SCHEMA_BY_KIND:
        errors = _schema_errors(_SCHEMA_BY_KIND[kind], document)
        if errors:
            raise ValueError("; ".join(errors))
    if kind == "registry":
        Registry.from_document(document, source="example")
    elif kind == "mapping":
        mapping = EcosystemMapping.from_document(document, source="example")
        for entry in mapping.entries:
            mapping.resolve(entry)  # every specs_from target exists, no cycles
    elif kind == "probes":
        Probes.from_document(document, source="example")
    for value in _strings(document):
        if value.startswith("dep:"):
            ExternalRequirement.parse(value)


@pytest.mark.parametrize("block", _blocks_of("json"), ids=_ids(_blocks_of("json")))
def test_json_example(block: Block) -> None:
    if block.invalid is None:
        _validate_json(block.text)
        return
    with pytest.raises((ValueError, ExtdepsError)) as info:
        _validate_json(block.text)
    assert block.invalid in _error_text(info.value)


def _embedded_schemas() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for block in _blocks_of("json"):
        document = json.loads(block.text)
        if _json_kind(document) == "schema":
            name = document["$id"].rsplit("/", 1)[-1]
            assert name not in out, f"{name} is embedded twice"
            out[name] = document
    return out


def test_embedded_schemas_are_the_shipped_files() -> None:
    embedded = _embedded_schemas()
    shipped = {p.name for p in (REPO / "mappings" / "schemas").glob("*.schema.json")}
    shipped |= {p.name for p in DRAFT.glob("*.schema.json")}
    assert set(embedded) == shipped
    for name, document in embedded.items():
        assert document == _schema(name), f"the embedded {name} differs from the shipped file"
        Draft202012Validator.check_schema(document)


# -- DepURL and specifier tables ---------------------------------------------------

_DEPURL_ROWS = _table("depurl-examples") if MAIN.exists() else []
_SPEC_ROWS = _table("specifier-examples") if MAIN.exists() else []


def _check_row(row: list[str], parse: Callable[[str], object]) -> None:
    text, result, expected = row[0], row[1], row[2]
    if result == "valid":
        parsed = parse(text)
        assert str(parsed) == expected
        assert str(parse(expected)) == expected  # the canonical form is a fixed point
    else:
        assert result == "invalid"
        with pytest.raises(InvalidDepURL) as info:
            parse(text)
        assert expected in info.value.message


@pytest.mark.parametrize("row", _DEPURL_ROWS, ids=[r[0] for r in _DEPURL_ROWS])
def test_depurl_table(row: list[str]) -> None:
    _check_row(row, DepURL.parse)


@pytest.mark.parametrize("row", _SPEC_ROWS, ids=[r[0] for r in _SPEC_ROWS])
def test_specifier_table(row: list[str]) -> None:
    _check_row(row, ExternalRequirement.parse)


def test_tables_have_both_kinds_of_rows() -> None:
    for rows in (_DEPURL_ROWS, _SPEC_ROWS):
        assert {r[1] for r in rows} == {"valid", "invalid"}


def test_every_depurl_in_the_prose_parses() -> None:
    invalid = {r[0] for r in (*_DEPURL_ROWS, *_SPEC_ROWS) if r[1] == "invalid"}
    checked = 0
    for path in RST_FILES:
        for literal in _doctree(path).findall(nodes.literal):
            text = _text(literal)
            if not text.startswith("dep:") or text in invalid:
                continue
            if "<" in text.split("@", 1)[0] or "..." in text:
                continue  # a pattern such as dep:generic/<name>, not an example
            ExternalRequirement.parse(text)
            checked += 1
    assert checked >= 50


def test_legacy_syntax_table() -> None:
    rows = _table("legacy-syntax")
    assert len(rows) >= 5
    for draft, current, *_ in rows:
        if ":" in draft:
            with pytest.raises(InvalidDepURL) as info:
                DepURL.parse(draft)
            assert info.value.hint is not None
            assert current in info.value.hint
        else:
            with pytest.raises(ExtdepsError) as error:
                External.from_table({draft: []})
            assert current in _error_text(error.value)


# -- tables that restate the code --------------------------------------------------


def test_purl_types_table() -> None:
    from extdeps.model.depurl import PURL_TYPES

    yes_no = {"yes": True, "no": False}
    documented = {
        name: (requirement, yes_no[ns_fold], yes_no[name_fold])
        for name, requirement, ns_fold, name_fold in _table("depurl-types")
    }
    assert documented == PURL_TYPES


def test_virtual_namespaces_table() -> None:
    from extdeps.model.depurl import VIRTUAL_NAMESPACES

    shipped = _load_json(REPO / "mappings" / "virtual-namespaces.json")["namespaces"]
    # the parser's set and the documented one are the same
    assert set(shipped) == VIRTUAL_NAMESPACES
    minidata = _load_json(REPO / "tests" / "data" / "minidata" / "virtual-namespaces.json")
    assert set(minidata["namespaces"]) == VIRTUAL_NAMESPACES
    assert [row[0] for row in _table("virtual-namespaces")] == sorted(shipped)


def test_forbidden_programs_and_spec_syntax() -> None:
    from extdeps.data.mapping import _ALNUM, _ELEVATORS, _SHELLS, _SPEC_FAMILIES, spec_problem

    rows = {row[0]: {p.strip() for p in row[1].split(",")} for row in _table("forbidden-programs")}
    assert rows == {"elevators and wrappers": _ELEVATORS, "shells": _SHELLS}
    families = {}
    for family, chars, first in _table("safe-spec"):
        name = family.split()[0].lower()
        documented = set(re.findall(r"(?<=\s)(\S)(?=\s|$)", " " + chars.replace(",", " , ")))
        if "space" in chars:
            documented.add(" ")
        starts = set(first.split("(")[0].split())
        families[name] = (documented, starts)
    renamed = {"portage": "gentoo"}
    assert {renamed.get(n, n) for n in families} == set(_SPEC_FAMILIES)
    plain_chars, _ = families["plain"]
    for name, (documented, starts) in families.items():
        chars, first = _SPEC_FAMILIES[renamed.get(name, name)]
        extra = documented if name == "plain" else documented | plain_chars
        assert extra == set(chars) - set(_ALNUM), name
        assert starts == set(first), name
    samples = ["zlib1g-dev", "libstdc++6", "conda-forge::zlib", "pkg=1.0", "a b", "a;b", "-rf"]
    for sample in samples:
        plain = re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9+._@:/=*~,-]*", sample) is not None
        assert plain == (spec_problem(sample, "plain") is None), sample
    assert _ALNUM.isalnum()


def test_probe_keys_table() -> None:
    schema = _schema("probes.schema.json")
    keys = schema["properties"]["probes"]["additionalProperties"]["properties"]
    assert [row[0] for row in _table("probe-keys")] == list(keys)


def test_version_priority_table() -> None:
    from extdeps.checking import _VERSION_PRIORITY

    rows = _table("version-priority")
    assert [row[0] for row in rows] == [str(i) for i in range(1, len(rows) + 1)]
    named = [row[1].split()[0] for row in rows[:-1]]
    assert tuple(named) == _VERSION_PRIORITY


def test_compiler_table() -> None:
    from extdeps.system.compilers import _LANGUAGES, _STANDARDS

    documented = {}
    for name, variable, programs, standards in _table("compiler-standards"):
        years = {
            int(m.group(1)): m.group(2) for m in re.finditer(r"(\d{4}) \(([^)]+)\)", standards)
        }
        documented[name] = (variable, tuple(p.strip() for p in programs.split(",")), years)
    actual = {
        name: (var, names, _STANDARDS.get(name, {}))
        for name, (var, names, _, _) in _LANGUAGES.items()
    }
    assert documented == actual
    # the compile test has a flag for every standard year the parser accepts
    from extdeps.model.virtuals import STANDARD_YEARS

    assert {k: tuple(sorted(v)) for k, v in _STANDARDS.items()} == STANDARD_YEARS


def test_status_tables() -> None:
    from extdeps import checking as _check
    from extdeps import resolution as _resolve

    assert [r[0] for r in _table("resolution-statuses")] == list(_resolve.STATUSES)
    assert [r[0] for r in _table("verdicts")] == list(_check.STATUSES)


def test_exit_codes_table() -> None:
    from extdeps.cli import main as _cli
    from extdeps.model.errors import ExtdepsError as Base
    from extdeps.model.errors import UndecidedError

    codes = [int(r[0]) for r in _table("exit-codes")]
    assert codes == [_cli.EXIT_OK, _cli.EXIT_UNMET, _cli.EXIT_INVALID, _cli.EXIT_UNDECIDED]
    assert Base.exit_code == _cli.EXIT_INVALID
    assert UndecidedError.exit_code == _cli.EXIT_UNDECIDED


def test_options_table() -> None:
    import inspect

    from extdeps import choices as _config
    from extdeps.cli.main import build_parser

    parser = build_parser("check")
    check = parser.subcommand("check")
    assert check is not None
    source = inspect.getsource(_config) + inspect.getsource(sys.modules["extdeps.system.detect"])
    rows = _table("options")
    assert len(rows) == 8
    for option, variable, _ in rows:
        assert option.split()[0] in check.option_strings(), option
        if variable != "(none)":
            assert f'"{variable}"' in source, variable


def test_detection_order_names_real_variables() -> None:
    import inspect

    from extdeps.system import detect as _detect

    source = inspect.getsource(_detect)
    for row in _table("detection-order"):
        for variable in re.findall(r"\b[A-Z][A-Z_]{3,}\b", row[1] + " " + row[2]):
            if variable.startswith("EXTDEPS_") or variable in {"ID_LIKE", "VERSION_ID"}:
                continue
            assert variable in source, variable


# -- worked examples ---------------------------------------------------------------


def test_metadata_example() -> None:
    from extdeps.model.metadata import external_from_metadata, metadata_fields

    external = External.from_pyproject(tomllib.loads(_named("metadata-example-pyproject").text))
    fields = metadata_fields(external)
    assert [f"{k}: {v}" for k, v in fields] == _named("metadata-example-fields").text.splitlines()
    back = external_from_metadata(
        [v for k, v in fields if k == "Requires-External-Dep"],
        [v for k, v in fields if k == "Provides-External-Extra"],
        source="METADATA",
    )
    assert [str(r) for r in back.dependencies] == [str(r) for r in external.dependencies]
    assert sorted(back.optional_dependencies) == sorted(external.optional_dependencies)


def test_render_example() -> None:
    from extdeps.data.mapping import EcosystemMapping
    from extdeps.data.registry import Registry
    from extdeps.resolution import plan_install, resolve, select

    mapping = EcosystemMapping.from_document(json.loads(_named("render-example-mapping").text))
    external = External.from_pyproject(tomllib.loads(_named("render-example-pyproject").text))
    selected = select(external, categories=("build", "host"))
    resolved = resolve(selected, registry=Registry([]), mapping=mapping)
    assert {r.status for r in resolved} == {"mapped"}
    plan = plan_install(resolved, mapping.package_manager(), is_root=False)
    expected = json.loads(_named("render-example-commands").text)
    assert [list(c) for c in plan.commands] == expected
    assert len(plan.notes) == 2  # the virtual version and the inexpressible '>'


def _keys(document: dict[str, Any]) -> dict[str, set[str]]:
    results = document["results"]
    return {
        "top": set(document),
        "result": set().union(*(set(r) for r in results)),
        "evidence": set().union(*(set(e) for r in results for e in r["evidence"])),
        "install": set(document["install"] or {}),
    }


@pytest.mark.usefixtures("minidata")
def test_check_report_example_matches_a_real_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from extdeps.cli.main import main

    example = json.loads(_named("check-report-example").text)
    assert _schema_errors("check-report.schema.json", example) == []
    assert example["summary"] == {
        status: sum(1 for r in example["results"] if r["status"] == status)
        for status in example["summary"]
    }

    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "1.0"\n\n[external]\n'
        'dependencies = ["dep:virtual/driver/cuda@>=12.4", "dep:generic/zlib@>=1.2.11",'
        ' "dep:generic/notpackaged", "dep:generic/tk; sys_platform == \'nowhere\'"]\n',
        encoding="utf-8",
    )
    root = tmp_path / "root"
    root.mkdir()
    monkeypatch.setenv("EXTDEPS_OVERRIDE_CUDA", "12.4")
    code = main(["check", str(project), "--ecosystem", "debian+12", "--root", str(root), "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == document["exit_code"] == 1
    assert _schema_errors("check-report.schema.json", document) == []
    statuses = {r["id"]: r["status"] for r in document["results"]}
    assert statuses["dep:virtual/driver/cuda"] == "satisfied"
    assert statuses["dep:generic/zlib"] == "missing"
    assert statuses["dep:generic/tk"] == "skipped"
    # the documented example shows every key a real report has, and no other
    assert _keys(example) == _keys(document)


def test_check_report_schema_rejects_what_it_should() -> None:
    example = json.loads(_named("check-report-example").text)
    bad = json.loads(json.dumps(example))
    bad["results"][0]["status"] = "ok"
    assert _schema_errors("check-report.schema.json", bad)
    bad = json.loads(json.dumps(example))
    bad["exit_code"] = 2
    assert _schema_errors("check-report.schema.json", bad)


def test_conformance_table() -> None:
    """Every row names tests that exist and errata entries that exist."""
    import ast

    errata = MAIN.read_text(encoding="utf-8").split("\nErrata\n======\n", 1)[1]
    labels = set(re.findall(r"^([EF]\d+)\. ", errata, re.MULTILINE))
    rows = _table("conformance")
    assert len(rows) >= 25
    for pep, statement, status, reason, tests in rows:
        assert pep in ("725", "804"), statement
        assert status in ("conforms", "differs", "not applicable"), statement
        if status != "conforms":
            assert reason, f"{statement}: a difference needs its reason"
        for label in re.findall(r"\b([EF]\d+)\b", reason):
            assert label in labels, f"{statement}: no errata entry {label}"
        named = tests.split()
        assert named, f"{statement}: no test exercises it"
        for node in named:
            path, name = node.split("::")
            tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
            functions = {f.name for f in tree.body if isinstance(f, ast.FunctionDef)}
            assert name in functions, f"{statement}: {node} does not exist"
