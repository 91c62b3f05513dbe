"""DepURL parsing, canonical form, PURL conversion: tables of inputs and exact results."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from extdeps import DepURL, ExternalRequirement, InvalidDepURL
from extdeps.model.text import is_printable

CANONICAL = [
    # spaces between a version's clauses and operators, as PEP 440 allows
    ("dep:generic/zlib@>=1.2, <2", "dep:generic/zlib@>=1.2,<2"),
    ("dep:generic/zlib@ >= 1.2 , < 2?x=1", "dep:generic/zlib@>=1.2,<2?x=1"),
    ("dep:generic/zlib", "dep:generic/zlib"),
    ("dep:generic/openblas", "dep:generic/openblas"),
    ("DEP:Generic/zlib", "dep:generic/zlib"),
    ("dep://generic/zlib", "dep:generic/zlib"),
    ("dep:generic/zlib/", "dep:generic/zlib"),
    ("dep:generic/XCB", "dep:generic/XCB"),
    ("dep:virtual/compiler/c", "dep:virtual/compiler/c"),
    ("dep:virtual/Compiler/CXX", "dep:virtual/compiler/cxx"),
    ("dep:virtual/interface/lapack@>=3.7.1", "dep:virtual/interface/lapack@>=3.7.1"),
    ("dep:generic/gdal@>=3.6", "dep:generic/gdal@>=3.6"),
    ("dep:generic/zlib@%3E%3D2.0", "dep:generic/zlib@>=2.0"),
    ("dep:generic/zlib@>=2.0", "dep:generic/zlib@>=2.0"),
    ("dep:generic/zlib@<3,>=2.00", "dep:generic/zlib@>=2.0,<3"),
    ("dep:generic/zlib@==1.2", "dep:generic/zlib@1.2"),
    ("dep:generic/zlib@1.2", "dep:generic/zlib@1.2"),
    ("dep:generic/zlib@v1.2", "dep:generic/zlib@1.2"),
    ("dep:generic/x@<4,>1,<=3.9,==2", "dep:generic/x@==2,>1,<=3.9,<4"),
    ("dep:generic/x@>1,>=1", "dep:generic/x@>=1,>1"),
    ("dep:pypi/numpy@2.0", "dep:pypi/numpy@2.0"),
    ("dep:pypi/Foo_Bar", "dep:pypi/foo-bar"),
    ("dep:pypi/zope.interface", "dep:pypi/zope.interface"),
    ("dep:github/AbiWord/enchant", "dep:github/abiword/enchant"),
    ("dep:github/apache/arrow", "dep:github/apache/arrow"),
    ("dep:golang/github.com/junegunn/fzf", "dep:golang/github.com/junegunn/fzf"),
    ("dep:cargo/ripgrep", "dep:cargo/ripgrep"),
    ("dep:cargo/tree-sitter-cli", "dep:cargo/tree-sitter-cli"),
    ("dep:cran/nat.nblast", "dep:cran/nat.nblast"),
    ("dep:npm/@angular/core", "dep:npm/%40angular/core"),
    ("dep:npm/%40angular/core@1.0", "dep:npm/%40angular/core@1.0"),
    ("dep:generic/g++", "dep:generic/g%2B%2B"),
    ("dep:generic/g%2b%2b", "dep:generic/g%2B%2B"),
    ("dep:generic/x?b=2&A=1", "dep:generic/x?a=1&b=2"),
    ("dep:generic/x?a=&b=2", "dep:generic/x?b=2"),
    ("dep:generic/x?a=hello%20world", "dep:generic/x?a=hello%20world"),
    ("dep:generic/x?&a=1&", "dep:generic/x?a=1"),
    ("dep:generic/x#/src//lib/", "dep:generic/x#src/lib"),
    ("dep:generic/x#", "dep:generic/x"),
    ("dep:deb/debian/libsymspg2-dev", "dep:deb/debian/libsymspg2-dev"),
    ("dep:conda/numpy@1.26", "dep:conda/numpy@1.26"),
    ("dep:virtual/driver/cuda@>=12.4", "dep:virtual/driver/cuda@>=12.4"),
    ("dep:virtual/compiler/c@>=2011", "dep:virtual/compiler/c@>=2011"),
    ("dep:generic/x@1.0+local", "dep:generic/x@1.0+local"),
    ("dep:generic/x@1!2.0", "dep:generic/x@1!2.0"),
    ("dep:generic/x@>=1.0rc1", "dep:generic/x@>=1.0rc1"),
    ("  dep:generic/zlib  ", "dep:generic/zlib"),
    ("dep:generic/caf%C3%A9", "dep:generic/caf%C3%A9"),
]


@pytest.mark.parametrize(("text", "expected"), CANONICAL, ids=[c[0] for c in CANONICAL])
def test_canonical_form(text: str, expected: str) -> None:
    url = DepURL.parse(text)
    assert str(url) == expected
    assert DepURL.parse(str(url)) == url  # the canonical form is a fixed point
    assert str(DepURL.parse(expected)) == expected


def test_components() -> None:
    url = DepURL.parse("dep:github/Apache/Arrow@>=14,<16?repository_url=x#cpp/src")
    assert url.type == "github"
    assert url.namespace == "apache"
    assert url.name == "arrow"
    assert url.version == ">=14,<16"
    assert url.qualifier_dict == {"repository_url": "x"}
    assert url.subpath == "cpp/src"
    assert url.id == "dep:github/apache/arrow"
    assert not url.is_virtual
    assert DepURL.parse("dep:virtual/interface/blas").is_virtual


def test_same_depurl_encoded_and_plain() -> None:
    assert DepURL.parse("dep:generic/zlib@%3E%3D2.0") == DepURL.parse("dep:generic/zlib@>=2.0")
    assert DepURL.parse("dep:generic/zlib@==2.0") == DepURL.parse("dep:generic/zlib@2.0")
    assert hash(DepURL.parse("dep:generic/zlib@==2.0")) == hash(
        DepURL.parse("dep:generic/zlib@2.0")
    )


@pytest.mark.parametrize(
    ("text", "version", "inside", "outside"),
    [
        ("dep:generic/x@2.0", "2.0", ["2.0", "2.0.0"], ["2.0.1", "1.9"]),
        ("dep:generic/x@>=2.0,<3", ">=2.0,<3", ["2.0", "2.9.9"], ["3.0", "1.0"]),
        ("dep:generic/x@>1", ">1", ["1.1", "2"], ["1.0", "0.9"]),
        ("dep:virtual/compiler/c@>=2011", ">=2011", ["2011", "2017"], ["1999"]),
    ],
)
def test_version_semantics(text: str, version: str, inside: list[str], outside: list[str]) -> None:
    url = DepURL.parse(text)
    assert url.version == version
    spec = url.specifier
    assert spec is not None
    for v in inside:
        assert spec.contains(v, prereleases=True)
    for v in outside:
        assert not spec.contains(v, prereleases=True)


@pytest.mark.parametrize(
    ("text", "purl"),
    [
        ("dep:generic/zlib", "pkg:generic/zlib"),
        ("dep:pypi/numpy@2.0", "pkg:pypi/numpy@2.0"),
        ("dep:pypi/numpy@>=2.0", "pkg:pypi/numpy?vers=vers:pypi%2F%3E%3D2.0"),
        (
            "dep:generic/gdal@<4,>=3.6",
            "pkg:generic/gdal?vers=vers:generic%2F%3E%3D3.6%7C%3C4",
        ),
        ("dep:github/apache/arrow#cpp", "pkg:github/apache/arrow#cpp"),
        ("dep:conda/numpy?channel=conda-forge", "pkg:conda/numpy?channel=conda-forge"),
    ],
)
def test_to_purl(text: str, purl: str) -> None:
    assert DepURL.parse(text).to_purl() == purl


def test_virtual_has_no_purl() -> None:
    with pytest.raises(InvalidDepURL, match="has no PURL equivalent"):
        DepURL.parse("dep:virtual/interface/blas").to_purl()


def test_with_version() -> None:
    url = DepURL.parse("dep:generic/zlib@1.2")
    assert str(url.with_version(">=1.3")) == "dep:generic/zlib@>=1.3"
    assert str(url.with_version(None)) == "dep:generic/zlib"
    with pytest.raises(InvalidDepURL, match="operator '~='"):
        url.with_version("~=1.3")


INVALID = [
    ("", "empty DepURL; expected 'dep:<type>/<name>'", (0, 1)),
    ("zlib", "a DepURL starts with 'dep:'; expected 'dep:<type>/<name>'", (0, 1)),
    ("pkg:generic/zlib", "a DepURL starts with 'dep:', not 'pkg:'", (0, 4)),
    ("virtual:compiler/cpp", "a DepURL starts with 'dep:', not 'virtual:'", (0, 8)),
    ("dep:", "missing type and name; expected 'dep:<type>/<name>'", (4, 5)),
    ("dep:this-is-missing-the-type", "missing name; expected 'dep:<type>/<name>'", (4, 28)),
    ("dep:/zlib", "missing name; expected 'dep:<type>/<name>'", (5, 9)),
    ("dep:generic/", "missing name after the type", (12, 13)),
    ("dep:generic/@1.0", "missing name after the type", (12, 13)),
    (
        "dep:1generic/x",
        "invalid type '1generic': it must start with a letter and contain only "
        "letters, digits, '.', '+' and '-'",
        (4, 12),
    ),
    (
        "dep:gen_eric/x",
        "invalid type 'gen_eric': it must start with a letter and contain only "
        "letters, digits, '.', '+' and '-'",
        (4, 12),
    ),
    ("dep:githb/a/b", "unknown type 'githb': not a PURL type and not 'virtual'", (4, 9)),
    (
        "dep:virtual/blas",
        "a 'virtual' DepURL needs a namespace; expected e.g. "
        "'dep:virtual/<compiler|driver|interface>/blas'",
        (12, 16),
    ),
    (
        "dep:virtual/language/c",
        "unknown virtual namespace 'language'; expected one of compiler, driver, interface",
        (12, 20),
    ),
    (
        "dep:github/zlib",
        "a 'github' DepURL needs a namespace; expected e.g. 'dep:github/<namespace>/zlib'",
        (11, 15),
    ),
    ("dep:pypi/org/numpy", "a 'pypi' DepURL has no namespace; expected 'dep:pypi/numpy'", (9, 12)),
    ("dep:generic/zlib@", "empty version after '@'", (16, 17)),
    (
        "dep:generic/zlib@~=1.2",
        "operator '~=' is not allowed in a DepURL version; allowed: >=, >, <=, <, ==",
        (17, 22),
    ),
    (
        "dep:generic/zlib@!=1.2",
        "operator '!=' is not allowed in a DepURL version; allowed: >=, >, <=, <, ==",
        (17, 22),
    ),
    (
        "dep:generic/zlib@===1.2",
        "operator '===' is not allowed in a DepURL version; allowed: >=, >, <=, <, ==",
        (17, 23),
    ),
    (
        "dep:generic/zlib@=1.2",
        "operator '=' is not allowed in a DepURL version; allowed: >=, >, <=, <, ==",
        (17, 21),
    ),
    (
        "dep:generic/zlib@1.2.*",
        "wildcard versions are not allowed in a DepURL version; use a range with >=, >, <=, <, ==",
        (17, 22),
    ),
    ("dep:generic/zlib@>=1.2,", "empty version clause; expected e.g. '>=1.2'", (23, 24)),
    ("dep:generic/zlib@>=", "'>=' needs a version after it; expected e.g. '>=1.2'", (17, 19)),
    (
        "dep:generic/zlib@1.2,<2",
        "a bare version is an exact pin and cannot be combined; write '==1.2'",
        (17, 20),
    ),
    ("dep:generic/zlib@1.2.13.dfsg", "'1.2.13.dfsg' is not a valid PEP 440 version", (17, 28)),
    (
        "dep:generic/zlib@>=1.0+local",
        "a local version label ('+local') is only allowed with '=='",
        (17, 28),
    ),
    ("dep:generic/z lib", "whitespace is not allowed inside a DepURL", (13, 14)),
    ("dep:generic/zlib @>=1", "whitespace is not allowed inside a DepURL", (16, 17)),
    ("dep:generic/zlib@>=1.2,\n<2", "whitespace is not allowed inside a DepURL", (23, 24)),
    ("dep:generic/zlib@>=1.2 <2", "'1.2 <2' is not a valid PEP 440 version", (17, 25)),
    (
        "dep:generic/a%zz",
        "invalid percent-encoding in name: '%' must be followed by two hex digits",
        (13, 16),
    ),
    ("dep:generic/a%ff", "percent-encoded name is not valid UTF-8", (12, 16)),
    ("dep:generic/a%2Fb", "a name must not contain an encoded '/'", (12, 17)),
    ("dep:generic/x?a", "qualifier 'a' has no '='; expected 'key=value'", (14, 15)),
    (
        "dep:generic/x?1a=b",
        "invalid qualifier key '1a': it must start with a letter and contain "
        "only letters, digits, '.', '-' and '_'",
        (14, 16),
    ),
    ("dep:generic/x?a=1&A=2", "duplicate qualifier key 'a'", (18, 19)),
    ("dep:generic/x#a/../b", "subpath segment '..' is not allowed", (16, 18)),
    ("dep:generic/x#./b", "subpath segment '.' is not allowed", (14, 15)),
]


@pytest.mark.parametrize(
    ("text", "message", "span"), INVALID, ids=[i[0] or "empty" for i in INVALID]
)
def test_invalid(text: str, message: str, span: tuple[int, int]) -> None:
    with pytest.raises(InvalidDepURL) as info:
        DepURL.parse(text)
    assert info.value.message == message
    assert info.value.span == span
    assert info.value.text == text


def test_hints_for_the_2023_syntax() -> None:
    with pytest.raises(InvalidDepURL) as info:
        DepURL.parse("virtual:compiler/cpp")
    assert info.value.hint == "the 2023 draft syntax is replaced by 'dep:virtual/compiler/cxx'"
    with pytest.raises(InvalidDepURL) as info:
        DepURL.parse("pkg:generic/openblas")
    assert info.value.hint == "the 2023 draft used PURLs; write 'dep:generic/openblas'"


def test_caret_points_at_span() -> None:
    with pytest.raises(InvalidDepURL) as info:
        DepURL.parse("dep:generic/zlib@~=1.2")
    assert info.value.render() == [
        "operator '~=' is not allowed in a DepURL version; allowed: >=, >, <=, <, ==",
        "    dep:generic/zlib@~=1.2",
        "                     ^^^^^",
    ]


def test_not_a_string() -> None:
    with pytest.raises(InvalidDepURL, match="expected a string, got int"):
        DepURL.parse(3)  # type: ignore[arg-type]


# -- property-based --------------------------------------------------------

# printable segments: control and invisible characters are refused (tested apart)
_seg = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12).filter(
    lambda s: "/" not in s and s not in (".", "..") and is_printable(s.replace(" ", ""))
)
_version = st.from_regex(r"(>=|<=|>|<|==)?[0-9]{1,3}(\.[0-9]{1,3}){0,2}", fullmatch=True)


@st.composite
def _built(draw: st.DrawFn) -> str:
    import urllib.parse

    type_ = draw(st.sampled_from(["generic", "github", "pypi", "conda", "npm", "deb", "virtual"]))

    def q(s: str) -> str:
        return urllib.parse.quote(s, safe="")

    if type_ == "virtual":
        ns = draw(st.sampled_from(["compiler", "interface", "driver"]))
        text = f"dep:virtual/{ns}/{q(draw(_seg))}"
    elif type_ in ("github", "deb"):
        text = f"dep:{type_}/{q(draw(_seg))}/{q(draw(_seg))}"
    else:
        text = f"dep:{type_}/{q(draw(_seg))}"
    if draw(st.booleans()):
        text += "@" + draw(_version)
    if draw(st.booleans()):
        text += "?" + "&".join(
            f"{k}={q(v)}"
            for k, v in draw(
                st.dictionaries(
                    st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True), _seg, max_size=3
                )
            ).items()
        )
    if draw(st.booleans()):
        text += "#" + "/".join(q(s) for s in draw(st.lists(_seg, min_size=1, max_size=3)))
    return text


@settings(max_examples=400, deadline=None)
@given(_built())
def test_canonical_form_is_a_fixed_point(text: str) -> None:
    try:
        url = DepURL.parse(text)
    except InvalidDepURL as exc:
        # a virtual's version has its own meaning (C standard years, ...): the
        # built name may be one whose scheme refuses the built version
        assume(not (text.startswith("dep:virtual/") and exc.message.startswith("versions of")))
        raise
    canonical = str(url)
    again = DepURL.parse(canonical)
    assert again == url
    assert str(again) == canonical


@settings(max_examples=1000, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.text(max_size=30).map(lambda s: "dep:" + s),
        st.text(alphabet="dep:/@?#&=%<>,.-_aZ09~ ", max_size=40),
    )
)
def test_any_string_parses_or_raises_our_error(text: str) -> None:
    try:
        url = DepURL.parse(text)
    except InvalidDepURL as exc:
        assert exc.span is not None
        assert exc.message
        return
    assert DepURL.parse(str(url)) == url


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_any_string_as_requirement_parses_or_raises_our_error(text: str) -> None:
    try:
        ExternalRequirement.parse("dep:generic/x; " + text)
    except InvalidDepURL as exc:
        assert exc.message


_versions = st.from_regex(
    r"[0-9]{1,2}(\.[0-9]{1,2}){0,2}((a|b|rc)[0-9])?(\.post[0-9])?(\.dev[0-9])?(\+local[0-9])?",
    fullmatch=True,
)
_public = st.from_regex(
    r"[0-9]{1,2}(\.[0-9]{1,2}){0,2}((a|b|rc)[0-9])?(\.post[0-9])?(\.dev[0-9])?", fullmatch=True
)


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["==", ">=", ">", "<=", "<"]), _public), min_size=1, max_size=3
    ),
    _versions,
)
def test_contains_agrees_with_packaging(clauses: list[tuple[str, str]], candidate: str) -> None:
    from packaging.specifiers import SpecifierSet

    text = ",".join(f"{op}{v}" for op, v in clauses)
    try:
        url = DepURL.parse(f"dep:generic/x@{text}")
    except InvalidDepURL as exc:
        assert "admits no version" in exc.message
        assert not SpecifierSet(text).contains(candidate, prereleases=True)
        return
    assert url.contains(candidate) == SpecifierSet(text).contains(candidate, prereleases=True)
