"""Hand-written checks used on every run agree with the patterns they replace.

The command line avoids compiling regular expressions and importing slow standard
modules on its common paths; each replacement is compared here with the
straightforward version it stands for.
"""

from __future__ import annotations

import re
import shlex

from hypothesis import example, given
from hypothesis import strategies as st

from extdeps.cli.main import shell_join
from extdeps.data.mapping import _valid_ecosystem, safe_spec
from extdeps.model.depurl import _KEY_CHARS, _TYPE_CHARS, _split_clause, _word
from extdeps.model.external import _valid_name, normalize_name
from extdeps.system.probes import version_in

# mostly the characters that matter, sometimes anything
_text = st.one_of(
    st.text(alphabet="aZ09._-+~:@=<>!* \t\n/,é", max_size=10),
    st.text(max_size=8),
)


@given(st.lists(st.text(max_size=12), max_size=6))
def test_shell_join_matches_shlex(argv: list[str]) -> None:
    assert shell_join(argv) == shlex.join(argv)


@given(_text)
@example("a\n")
def test_word_checks(text: str) -> None:
    assert _word(text, _TYPE_CHARS) == bool(re.match(r"[A-Za-z][A-Za-z0-9.+\-]*\Z", text))
    assert _word(text, _KEY_CHARS) == bool(re.match(r"[A-Za-z][A-Za-z0-9.\-_]*\Z", text))


@given(_text)
@example(" >= 1.0 ")
@example("===1")
@example("=>1")
def test_split_clause(text: str) -> None:
    match = re.match(r"\s*(===|==|>=|<=|~=|!=|>|<|=)?\s*(.*?)\s*\Z", text, re.DOTALL)
    assert match is not None
    assert _split_clause(text) == (match.group(1) or "", match.group(2))


@given(_text)
@example("\u212a")
@example("a\n")
def test_names(text: str) -> None:
    # ASCII only: a Unicode-aware IGNORECASE would also take the Kelvin sign for k
    assert _valid_name(text) == bool(
        re.fullmatch(r"([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])", text, re.IGNORECASE | re.ASCII)
    )
    assert normalize_name(text) == re.sub(r"[-_.]+", "-", text).lower()


@given(_text)
@example("debian+12")
@example("a+b+c")
def test_specs_and_ecosystems(text: str) -> None:
    assert safe_spec(text) == bool(re.match(r"[A-Za-z0-9_][A-Za-z0-9+._@:/=*~,-]*\Z", text))
    assert _valid_ecosystem(text) == bool(re.match(r"[a-z0-9\-_.]+(\+[a-z0-9\-_.]+)?\Z", text))


@given(_text)
def test_package_name_part(text: str) -> None:
    from extdeps.system.pkgdb import _before_any

    assert _before_any(text, "=<> ") == re.split(r"[=<> ]", text, maxsplit=1)[0]


_version_text = st.one_of(
    st.text(alphabet="v.0123456789abz_-+ ()Vé٣²", max_size=30),
    st.text(max_size=20),
)


@given(_version_text)
@example("cc (Debian 12.2.0-14+deb12u1) 12.2.0")
@example("vv1.2 v1.2rc1")
@example(".1.2 x3.4 5.6.")
def test_version_in_line(line: str) -> None:
    pattern = re.search(r"(?<![\w.])v?(\d+(?:\.\d+)+[a-z0-9]*)", line)
    assert version_in(line) == (pattern.group(1) if pattern else None)
