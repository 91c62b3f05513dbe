"""The fast TOML reader gives exactly tomllib's answer or steps aside.

Property: for any text, ``toml_subset.loads`` returns ``None`` or the very value
``tomllib.loads`` returns; it never accepts what tomllib refuses.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extdeps.model.toml_subset import loads
from tests.conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _agrees(text: str) -> object:
    """Assert the contract on ``text``; return the fast answer."""
    fast = loads(text)
    try:
        slow = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        assert fast is None, f"accepted what tomllib refuses: {text!r}"
        return None
    if fast is not None:
        assert fast == slow, text
        assert repr(fast) == repr(slow), text  # same types and key order too
    return fast


def _toml_files() -> list[Path]:
    skip = {".git", ".venv", "node_modules"}
    return sorted(
        p for p in REPO.rglob("*.toml") if not skip.intersection(p.relative_to(REPO).parts)
    )


@pytest.mark.parametrize("path", _toml_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_toml_file_of_the_repository(path: Path) -> None:
    _agrees(path.read_text(encoding="utf-8"))


def test_the_examples_take_the_fast_path() -> None:
    for project in sorted((REPO / "examples").iterdir()):
        text = (project / "pyproject.toml").read_text(encoding="utf-8")
        assert _agrees(text) is not None, project.name


@pytest.mark.parametrize(
    "text",
    [
        'a = 1\nb = "x"\n[t]\nc = [1, 2,]\n',
        "[a.b]\n[a]\nx = 1\n",
        "[[a]]\n[a.b]\n[[a]]\n[a.b]\n",
        "[[a.b]]\n[a]\nc = 1\n",
        'a.b.c = 1\na.b.d = "x"\n',
        "a = {b = 1, c.d = [true, false]}\n",
        '"quoted key" = \'lit\'\n"" = 1\n',
        'e = "\\u00e9\\t\\"\\\\\\U0001F600"\n',
        "a = [\n  1, # one\n  2,\n]\r\nb = -0\nc = +1_000\n",
        "# only a comment\n\n\n",
        "a = 1 # héllo\n",
        "",
    ],
)
def test_supported_documents(text: str) -> None:
    assert _agrees(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "a = 1\na = 2\n",  # duplicate
        "[a]\n[a]\n",  # table defined twice
        "a = {b = 1}\n[a.c]\n",  # inline tables are closed
        "a.b = 1\n[a]\n",  # a table of dotted keys cannot be a header
        "a = [1 2]\n",
        "a = {b = 1,}\n",
        "a = {\nb = 1}\n",
        "a = 01\n",
        "a = 1__0\n",
        "a = 1_\n",
        'a = "\\x41"\n',
        'a = "\\ud800"\n',
        'a = "tab\tok but \x01 not"\n',
        "a = 1\rb = 2\n",
        "a = truex\n",
        "[a] b = 1\n",
        "a = [[1],\n",
        "x = 1 2\n",
        "= 1\n",
        "[[a]]\n[a]\n",
        "a = []\n[[a]]\n",
        "# \x7f\n",
    ],
)
def test_invalid_documents_are_left_to_tomllib(text: str) -> None:
    assert loads(text) is None
    _agrees(text)


@pytest.mark.parametrize(
    "text",
    [
        "a = 1.5\n",
        "d = 1979-05-27\n",
        "d = 1979-05-27 07:32:00Z\n",
        'a = """\nmulti\n"""\n',
        "a = '''x'''\n",
        "a = 0x1F\n",
        "a = inf\n",
        "a.b = 1\n[a.c]\n",
    ],
)
def test_unsupported_documents_are_left_to_tomllib(text: str) -> None:
    assert loads(text) is None
    _agrees(text)


# -- generated documents ---------------------------------------------------------------

_KEYS = st.sampled_from(["a", "b", "c", "a.b", "b.c", '"q"', "'l'", "x-y", "1", '"a.b"', "a . c"])
_SCALARS = st.sampled_from(
    [
        "1", "-2", "+3_000", "0", "true", "false", '"s"', "'lit'", '"\\u00e9"', '"\\n"',
        "1.5", "01", "1979-05-27", '"""m"""', "[]", "{}", "[1, 'a', [true]]", "{x = 1}",
        "{x.y = 1, z = [2]}", "[\n 1,\n # c\n 2,\n]", "nan", "trueish",
    ]
)  # fmt: skip
_LINES = st.one_of(
    st.builds(lambda k, v: f"{k} = {v}", _KEYS, _SCALARS),
    st.builds(lambda k: f"[{k}]", _KEYS),
    st.builds(lambda k: f"[[{k}]]", _KEYS),
    st.sampled_from(["", "# comment", "  ", "\t# tab"]),
)
_NOISE = st.sampled_from([*"[]{}=,.\"'#\n\r\t \\ab1_-+", "\x00", "é", '"""', "\r\n"])


@settings(max_examples=600, deadline=None)
@given(st.lists(_LINES, max_size=12), st.sampled_from(["\n", "\r\n"]))
def test_generated_documents(lines: list[str], newline: str) -> None:
    _agrees(newline.join(lines) + newline)


@settings(max_examples=600, deadline=None)
@given(st.lists(_LINES, min_size=1, max_size=8), st.data())
def test_mutated_documents(lines: list[str], data: st.DataObject) -> None:
    text = "\n".join(lines) + "\n"
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        kind = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        noise = data.draw(_NOISE)
        if kind == "insert":
            text = text[:at] + noise + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + noise + text[at + 1 :]
    _agrees(text)
