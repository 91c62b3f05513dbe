"""Helpers the CLI uses instead of slow-to-import standard modules agree with them."""

from __future__ import annotations

import shlex

from hypothesis import given
from hypothesis import strategies as st

from extdeps._cli import shell_join


@given(st.lists(st.text(max_size=12), max_size=6))
def test_shell_join_matches_shlex(argv: list[str]) -> None:
    assert shell_join(argv) == shlex.join(argv)
