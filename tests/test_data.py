"""The shipped data: schemas, lints, coverage. A guessed package name is a bug; a
malformed file must never reach a user."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from extdeps import DepURL
from extdeps.data.mapping import EcosystemMapping, known_ecosystems
from extdeps.data.registry import Registry
from extdeps.model.errors import MappingError
from tests.conftest import REPO

DATA = REPO / "mappings"
SCHEMAS = DATA / "schemas"
MAPPINGS = sorted(DATA.glob("*.mapping.json"))
pytestmark = pytest.mark.skipif(
    not (DATA / "registry.json").exists(), reason="the shipped registry is not written yet"
)


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _validator(name: str) -> Draft202012Validator:
    schema = _load(SCHEMAS / name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(validator: Draft202012Validator, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ][:20]


def test_registry_schema() -> None:
    assert _errors(_validator("central-registry.schema.json"), _load(DATA / "registry.json")) == []


def test_known_ecosystems_schema_and_files() -> None:
    document = _load(DATA / "known-ecosystems.json")
    assert _errors(_validator("known-ecosystems.schema.json"), document) == []
    listed = set(document["ecosystems"])
    shipped = {p.name.removesuffix(".mapping.json") for p in MAPPINGS}
    assert listed == shipped
    assert list(document["ecosystems"]) == sorted(document["ecosystems"])


@pytest.mark.parametrize("path", MAPPINGS, ids=[p.name for p in MAPPINGS])
def test_mapping_schema_and_loader(path: Path) -> None:
    document = _load(path)
    assert _errors(_validator("external-mapping.schema.json"), document) == []
    # safe specs and command templates, every entry checked
    EcosystemMapping.from_document(document, source=str(path)).validate()


def test_other_documents_schema() -> None:
    assert (
        _errors(
            _validator("virtual-namespaces.schema.json"), _load(DATA / "virtual-namespaces.json")
        )
        == []
    )
    assert _errors(_validator("probes.schema.json"), _load(DATA / "probes.json")) == []
    from extdeps.data.probes import Probes

    Probes.from_document(_load(DATA / "probes.json")).validate()


def test_python_packages_document() -> None:
    """Every name verified: each entry has its evidence record, each ecosystem key
    is a shipped mapping (a release or a family)."""
    from extdeps.data.files import load_python_packages

    document = _load(DATA / "python-packages.json")
    assert _errors(_validator("python-packages.schema.json"), document) == []
    evidence = _load(DATA / "verification" / "python-packages-evidence.json")["status"]
    ecosystems = {p.name.removesuffix(".mapping.json") for p in MAPPINGS}
    for name, names in load_python_packages().items():
        for ecosystem, package in names.items():
            assert ecosystem in ecosystems, (name, ecosystem)
            status = evidence.get(name, {}).get(ecosystem)
            assert status is not None, f"{name}/{ecosystem}: no evidence record"
            assert (package is None) == (status != "confirmed"), (name, ecosystem, status)


def _registry() -> Registry:
    return Registry.from_document(_load(DATA / "registry.json"))


def test_registry_lints() -> None:
    document = _load(DATA / "registry.json")
    ids = [d["id"] for d in document["definitions"]]
    assert ids == sorted(ids), "definitions must be sorted by id"
    assert len(ids) == len(set(ids)), "duplicate ids"
    registry = _registry()
    namespaces = set(_load(DATA / "virtual-namespaces.json")["namespaces"])
    for definition in registry:
        url = DepURL.parse(definition.id)
        assert str(url) == definition.id, f"{definition.id} is not in canonical form"
        assert url.version is None, definition.id
        assert not url.qualifiers, definition.id
        assert url.subpath is None, definition.id
        if definition.is_virtual:
            # a virtual provides nothing, or is another name of one virtual (obj-c)
            assert len(definition.provides) <= 1, definition.id
            assert url.namespace in namespaces
        for target in definition.provides:
            assert target in registry, f"{definition.id} provides unknown {target}"
            target_definition = registry.get(target)
            if (
                definition.is_alias
                and target_definition is not None
                and not target_definition.is_virtual
            ):
                assert target_definition.is_canonical, f"{definition.id} aliases an alias"
        if definition.is_canonical:
            assert definition.description, f"{definition.id} has no description"
            assert definition.urls, f"{definition.id} has no URL"


def test_registry_size_and_coverage() -> None:
    registry = _registry()
    canonical = registry.canonical_ids()
    assert len(canonical) >= 250
    required = [
        "dep:virtual/compiler/c",
        "dep:virtual/compiler/cxx",
        "dep:virtual/compiler/fortran",
        "dep:virtual/compiler/rust",
        "dep:virtual/compiler/go",
        "dep:virtual/compiler/cuda",
        "dep:virtual/interface/blas",
        "dep:virtual/interface/lapack",
        "dep:virtual/interface/mpi",
        "dep:virtual/interface/openmp",
        "dep:virtual/driver/cuda",
        "dep:generic/openblas",
        "dep:generic/gdal",
        "dep:generic/hdf5",
        "dep:generic/fftw",
        "dep:generic/boost",
        "dep:generic/curl",
        "dep:generic/libpng",
        "dep:generic/zlib",
        "dep:generic/python",
        "dep:generic/cmake",
        "dep:generic/ninja",
        "dep:generic/pkg-config",
    ]
    missing = [i for i in required if i not in registry]
    assert missing == []
    for virtual in (
        "dep:virtual/interface/blas",
        "dep:virtual/interface/lapack",
        "dep:virtual/compiler/c",
    ):
        assert registry.providers(virtual), f"{virtual} has no provider"


@pytest.mark.parametrize("path", MAPPINGS, ids=[p.name for p in MAPPINGS])
def test_mapping_lints(path: Path) -> None:
    document = _load(path)
    registry = _registry()
    entries = document["mappings"]
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids), "mappings must be sorted by id (alternatives keep their order)"
    mapping = EcosystemMapping.from_document(document, source=str(path))
    for entry in entries:
        assert entry["id"] in registry, f"{entry['id']} is not in the registry"
        if "specs_from" in entry:
            assert entry["specs_from"] in mapping, (
                f"{entry['id']}: specs_from {entry['specs_from']} is missing"
            )
            mapping.resolve(mapping.alternatives(entry["id"])[0])  # no cycles
    missing = [i for i in registry.canonical_ids() if i not in mapping]
    assert missing == [], f"canonical ids absent from {path.name} (use [] for 'no package')"
    seen: dict[str, set[str]] = {}
    for entry in entries:
        key = json.dumps(entry.get("specs", entry.get("specs_from")), sort_keys=True)
        assert key not in seen.setdefault(entry["id"], set()), (
            f"duplicate alternative for {entry['id']}"
        )
        seen[entry["id"]].add(key)
    assert document["package_managers"], "a mapping needs a package manager"


def test_known_ecosystems_loader() -> None:
    assert "debian+12" in known_ecosystems() or not (DATA / "debian+12.mapping.json").exists()


def test_registry_from_its_cache_form_is_the_same_registry() -> None:
    import os

    from extdeps.data.files import data_dir, load_json
    from extdeps.data.registry import Registry

    path = os.path.join(data_dir(), "registry.json")
    full = Registry.from_document(load_json(path), source=path)
    compact = Registry.from_compact(full.compact(), source=path)
    assert len(compact) == len(full)
    assert [d.id for d in compact] == [d.id for d in full]
    assert list(compact) == list(full)
    assert compact.canonical_ids() == full.canonical_ids()
    for definition in full:
        assert definition.id in compact
        assert compact.get(definition.id) == definition
        assert compact.canonical(definition.id) == full.canonical(definition.id)
        for virtual in definition.implements:
            assert compact.providers(virtual) == full.providers(virtual)
    assert compact.suggest("dep:generic/zlb") == full.suggest("dep:generic/zlb")
    assert "dep:generic/no-such-thing" not in compact


def test_parsed_json_is_cached_until_the_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from extdeps.data import files as _data

    monkeypatch.setenv("EXTDEPS_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "doc.json"
    path.write_text('{"a": 1}')
    assert _data.load_json(path) == {"a": 1}
    assert list((tmp_path / "cache" / "data").iterdir())
    calls: list[str] = []
    real = _data._parse_json

    def counting(p: str) -> Any:
        calls.append(p)
        return real(p)

    monkeypatch.setattr(_data, "_parse_json", counting)
    assert _data.load_json(path) == {"a": 1}
    assert calls == []  # served from the cache
    path.write_text('{"a": 2}')  # same size; the times and the stamp change
    os.utime(path, ns=(1, 1))
    assert _data.load_json(path) == {"a": 2}
    assert calls == [str(path)]
    # a corrupt cache entry only costs a parse
    for entry in (tmp_path / "cache" / "data").iterdir():
        entry.write_bytes(b"\x00garbage")
    assert _data.load_json(path) == {"a": 2}
    # broken JSON is reported and never cached
    path.write_text("{")
    with pytest.raises(MappingError, match="invalid JSON"):
        _data.load_json(path)
    with pytest.raises(MappingError, match="invalid JSON"):
        _data.load_json(path)
    monkeypatch.setenv("EXTDEPS_CACHE_DIR", "none")
    path.write_text("[]")
    assert _data.load_json(path) == []


def test_no_cache_without_a_home(monkeypatch: pytest.MonkeyPatch) -> None:
    from extdeps.data.cache import cache_dir

    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr("os.path.expanduser", lambda path: path)  # no passwd entry either
    assert cache_dir({}) is None
    assert cache_dir({"XDG_CACHE_HOME": "/c"}) == "/c/extdeps"
    assert cache_dir({"EXTDEPS_CACHE_DIR": "NONE"}) is None
    assert cache_dir({"EXTDEPS_CACHE_DIR": "/x"}) == "/x"


def _json_files() -> list[Path]:
    return sorted(
        [*(REPO / "mappings").rglob("*.json"), *(REPO / "tests" / "data").rglob("*.json")]
    )


@pytest.mark.parametrize("path", _json_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_json_read_without_the_json_module_is_what_json_reads(path: Path) -> None:
    from extdeps.data.files import _scan_json

    text = path.read_text(encoding="utf-8")
    assert repr(_scan_json(text)) == repr(json.loads(text))


@pytest.mark.parametrize(
    "text",
    [
        ' {"a": [1, 2.5, -3e2, true, null, "\\u00e9"]} \n',
        "[NaN, Infinity, -Infinity]",
        "12345678901234567890123",
        '"x"',
        "\t[]\r\n",
    ],
)
def test_json_scanner_on_valid_documents(text: str) -> None:
    from extdeps.data.files import _scan_json

    assert repr(_scan_json(text)) == repr(json.loads(text))


@pytest.mark.parametrize(
    "text",
    [
        "",
        '{"a": 1} x',
        '{"a": 1,}',
        "\ufeff{}",
        '{"a": "\x01"}',
        "[1, 2",
        "{'a': 1}",
        "[" * 100_000,
    ],
    ids=["empty", "extra", "comma", "bom", "control", "open", "quotes", "deep"],
)
def test_json_errors_are_json_s_own(text: str) -> None:
    """A document the fast path cannot read is read by json, which words the error."""
    from extdeps.data.files import parse_json_bytes

    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        expected = f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    except RecursionError:
        expected = "invalid JSON: nested too deeply"
    with pytest.raises(MappingError) as caught:
        parse_json_bytes(text.encode("utf-8"), "x.json")
    assert caught.value.message == expected


SCHEMA_BASE = "https://raw.githubusercontent.com/extdeps/extdeps/main/"


def test_schemas_are_named_by_absolute_urls() -> None:
    """As PEP 804's data does: each schema's $id and each document's $schema is an
    absolute URL (so other validators can load it), the URL of the file in this
    repository; validation here stays offline, against the files themselves."""
    schemas = {}
    for path in sorted(
        [*(DATA / "schemas").glob("*.json"), REPO / "pep-draft" / "check-report.schema.json"]
    ):
        document = _load(path)
        assert document["$id"] == SCHEMA_BASE + str(path.relative_to(REPO)), path.name
        schemas[document["$id"]] = path
    for path in sorted(
        [*DATA.glob("*.json"), *(REPO / "tests" / "data" / "minidata").glob("*.json")]
    ):
        assert _load(path)["$schema"] in schemas, path.name


def test_project_tables_document() -> None:
    """extdeps' [external] tables for projects without one: valid against the
    schema, loadable, registry ids only, and each recorded as built."""
    from extdeps.data.project_tables import load_project_tables

    document = _load(DATA / "project-tables.json")
    assert _errors(_validator("project-tables.schema.json"), document) == []
    tables = load_project_tables()
    registry = _registry()
    projects = document["projects"]
    assert list(projects) == sorted(projects), "projects must be sorted by name"
    for name, entries in tables.tables.items():
        for table in entries:
            for _, req in table.external.iter_requirements():
                assert req.url.id in registry, f"{name}: {req.url.id} is not a registry id"
                assert registry.canonical(req.url.id) == req.url.id, f"{name}: alias {req.url.id}"
    record_path = DATA / "verification" / "project-tables.json"
    if projects:
        record = _load(record_path)
        built = {row["project"] for row in record["results"] if row.get("result") == "built"}
        assert set(projects) <= built, "every shipped table was verified by a build"
