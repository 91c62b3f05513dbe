"""The fast PEP 440 path agrees with packaging.version wherever it applies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from extdeps.model.versions import InvalidVersion, Release, parse_version

releases = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=5).map(
    lambda parts: ".".join(str(p) for p in parts)
)
padded = st.lists(st.from_regex(r"[0-9]{1,4}", fullmatch=True), min_size=1, max_size=5).map(
    ".".join
)
others = st.sampled_from(
    ["1.0rc1", "1.0.post1", "1.0.dev0", "1!2.0", "1.0+local.7", "v1.2", " 1.2 ", "1.0a1", "2.0b2"]
)


@given(padded)
def test_release_text_and_kind(text: str) -> None:
    ours = parse_version(text)
    assert isinstance(ours, Release)
    assert str(ours) == str(Version(text))
    assert ours.public == ours.base_version == str(ours)
    assert not ours.is_prerelease
    assert not ours.is_postrelease
    assert ours.local is None


@given(st.one_of(releases, padded), st.one_of(releases, padded, others))
def test_ordering_matches_packaging(a: str, b: str) -> None:
    x, y = parse_version(a), parse_version(b)
    p, q = Version(a), Version(b)
    assert (x == y) == (p == q)
    assert (x < y) == (p < q)
    assert (x <= y) == (p <= q)
    assert (x > y) == (p > q)
    assert (x >= y) == (p >= q)
    # mixed either way round
    assert (y < x) == (q < p)
    assert p == x
    assert x == p


@given(padded, padded)
def test_hash_agrees_with_equality(a: str, b: str) -> None:
    x, y = parse_version(a), parse_version(b)
    if x == y:
        assert hash(x) == hash(y) == hash(Version(a))


def test_other_forms_go_to_packaging() -> None:
    for text in ["1.0rc1", "1!2.0", "1.0+abc", "V1.2", "1.0.post1"]:
        assert not isinstance(parse_version(text), Release)
        assert str(parse_version(text)) == str(Version(text))


@pytest.mark.parametrize("text", ["", "1..2", ".1", "1.", "abc", "1.2-", "\u0661.\u0662", "1.0+"])
def test_invalid(text: str) -> None:
    with pytest.raises(InvalidVersion):
        parse_version(text)
