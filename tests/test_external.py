"""The [external] table: PEP 725's examples, normalization, dependency groups."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from extdeps import External, ExternalRequirement, InvalidExternal, InvalidRequirement

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

# The example tables of PEP 725 ("Examples" and "Reference Implementation").
PEP725_EXAMPLES = {
    "cryptography": """
[external]
build-requires = [
  "dep:virtual/compiler/c",
  "dep:virtual/compiler/rust",
  "dep:generic/pkg-config",
]
host-requires = [
  "dep:generic/openssl",
  "dep:generic/libffi",
]
""",
    "scipy": """
[external]
build-requires = [
  "dep:virtual/compiler/c",
  "dep:virtual/compiler/cpp",
  "dep:virtual/compiler/fortran",
  "dep:generic/ninja",
  "dep:generic/pkg-config",
]
host-requires = [
  "dep:virtual/interface/blas",
  "dep:virtual/interface/lapack@>=3.7.1",
]
""",
    "pillow": """
[external]
build-requires = [
  "dep:virtual/compiler/c",
]
host-requires = [
  "dep:generic/libjpeg",
  "dep:generic/zlib",
]

[external.optional-host-requires]
extra = [
  "dep:generic/lcms2",
  "dep:generic/freetype",
  "dep:generic/libimagequant",
  "dep:generic/libraqm",
  "dep:generic/libtiff",
  "dep:generic/libxcb",
  "dep:generic/libwebp",
  "dep:generic/openjpeg@>=2.0",
  "dep:generic/tk",
]
""",
    "navis": """
[project.optional-dependencies]
r = ["rpy2"]

[external]
build-requires = [
  "dep:generic/XCB; platform_system=='Linux'",
]

[external.optional-dependencies]
nat = [
  "dep:cran/nat",
  "dep:cran/nat.nblast",
]
""",
    "spyder": """
[external]
dependencies = [
  "dep:cargo/ripgrep",
  "dep:cargo/tree-sitter-cli",
  "dep:golang/github.com/junegunn/fzf",
]
""",
    "jupyterlab-git": """
[external]
dependencies = [
  "dep:generic/git",
]

[external.optional-build-requires]
dev = [
  "dep:generic/nodejs",
]
""",
    "pyenchant": """
[external]
dependencies = [
  # libenchant is needed on all platforms but vendored into wheels
  # distributed on PyPI for Windows.
  "dep:github/AbiWord/enchant; platform_system!='Windows'",
]
""",
    "groups": """
[external.dependency-groups]
dev = [
  "dep:generic/catch2",
  "dep:generic/valgrind",
]
""",
}


def _load(text: str) -> External:
    return External.from_pyproject(tomllib.loads(text), source="pyproject.toml")


@pytest.mark.parametrize("name", sorted(PEP725_EXAMPLES))
def test_pep725_examples_round_trip(name: str) -> None:
    external = _load(PEP725_EXAMPLES[name])
    again = External.from_table(external.to_dict())
    assert again == external
    assert again.to_dict() == external.to_dict()
    for _, req in external.iter_requirements():
        assert ExternalRequirement.parse(str(req)) == req


def test_pep725_example_values() -> None:
    pyenchant = _load(PEP725_EXAMPLES["pyenchant"])
    assert [str(r) for r in pyenchant.dependencies] == [
        'dep:github/abiword/enchant; platform_system != "Windows"'
    ]
    navis = _load(PEP725_EXAMPLES["navis"])
    assert navis.extras == ("nat",)
    assert [str(r) for r in navis.optional_dependencies["nat"]] == [
        "dep:cran/nat",
        "dep:cran/nat.nblast",
    ]
    scipy = _load(PEP725_EXAMPLES["scipy"])
    # 'cpp' is not a syntax error: the registry flags it later
    assert str(scipy.build_requires[1]) == "dep:virtual/compiler/cpp"


def test_no_external_table_is_valid_and_empty() -> None:
    external = _load('[project]\nname = "x"\n')
    assert external.is_empty
    assert external.to_dict() == {}
    assert External.from_table({}).is_empty


def test_names_are_normalized() -> None:
    external = External.from_table(
        {
            "optional-dependencies": {"Foo.Bar_baz": ["dep:generic/x"]},
            "dependency-groups": {
                "Dev_Tools": ["dep:generic/y"],
                "all": [{"include-group": "dev-tools"}],
            },
        }
    )
    assert list(external.optional_dependencies) == ["foo-bar-baz"]
    assert external.extras == ("foo-bar-baz",)
    assert [str(r) for r in external.group("ALL")] == ["dep:generic/y"]
    assert [str(r) for r in external.group("dev.tools")] == ["dep:generic/y"]


def test_group_expansion_order_and_duplicates() -> None:
    external = External.from_table(
        {
            "dependency-groups": {
                "test": ["dep:generic/catch2", "dep:generic/valgrind"],
                "docs": ["dep:generic/doxygen", "dep:generic/catch2"],
                "dev": [{"include-group": "test"}, {"include-group": "docs"}, "dep:generic/gdb"],
            }
        }
    )
    assert [str(r) for r in external.group("dev")] == [
        "dep:generic/catch2",
        "dep:generic/valgrind",
        "dep:generic/doxygen",
        "dep:generic/gdb",
    ]
    with pytest.raises(KeyError):
        external.group("nope")


def test_every_error_reported_at_once() -> None:
    with pytest.raises(InvalidExternal) as info:
        External.from_table(
            {
                "build-requires": ["pkg:generic/x", "dep:generic/ok", 5],
                "host-requires": "dep:generic/zlib",
                "dependncies": [],
            },
            source="p.toml",
        )
    keys = [e.key for e in info.value.errors]
    assert keys == [
        "external.build-requires[0]",
        "external.build-requires[2]",
        "external.host-requires",
        "external.dependncies",
    ]
    assert all(e.source == "p.toml" for e in info.value.errors)
    assert str(info.value).endswith("(and 3 more)")


@pytest.mark.parametrize(
    ("marker_text", "env", "extras", "expected"),
    [
        ("platform_system == 'Linux'", {"platform_system": "Linux"}, (), True),
        ("platform_system == 'Linux'", {"platform_system": "Windows"}, (), False),
        ("extra == 'gpu'", {}, ("gpu",), True),
        ("extra == 'gpu'", {}, ("cpu",), False),
        ("extra == 'gpu'", {}, (), False),
    ],
)
def test_marker_evaluation(
    marker_text: str, env: dict[str, str], extras: tuple[str, ...], expected: bool
) -> None:
    req = ExternalRequirement.parse(f"dep:generic/x; {marker_text}")
    assert req.evaluate(env, extras=extras) is expected


def test_marker_defaults_to_this_interpreter() -> None:
    req = ExternalRequirement.parse(f"dep:generic/x; sys_platform == '{sys.platform}'")
    assert req.evaluate() is True


def test_requirement_errors_keep_span() -> None:
    with pytest.raises(InvalidRequirement) as info:
        ExternalRequirement.parse("dep:generic/x; os_name = 'nt'")
    assert info.value.span == (15, 29)
    with pytest.raises(InvalidRequirement, match="expected an environment marker after ';'"):
        ExternalRequirement.parse("dep:generic/x;  ")


def test_to_dict_shape() -> None:
    table: dict[str, Any] = {
        "build-requires": ["dep:virtual/compiler/c"],
        "optional-host-requires": {"gui": ["dep:generic/tk"]},
        "dependency-groups": {"a": ["dep:generic/x"], "b": [{"include-group": "a"}]},
    }
    assert External.from_table(table).to_dict() == table
