"""extdeps.cli.args parses as argparse does for everything the CLI declares."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from extdeps.cli import args as _args
from extdeps.cli.main import build_parser, main


def _declare(parser: Any, sub_class: Any = None) -> Any:
    parser.add_argument("--version", action="version", version="x 1")
    kwargs = {"dest": "command", "metavar": "COMMAND"}
    if sub_class is not None:
        kwargs["parser_class"] = sub_class
    sub = parser.add_subparsers(**kwargs)
    sub.required = True
    run = sub.add_parser("run", help="run it")
    run.add_argument("path", nargs="?", default=".", metavar="PATH")
    run.add_argument("--json", action="store_true")
    run.add_argument("-v", "--verbose", action="store_true")
    run.add_argument("-y", "--yes", action="store_true")
    group = run.add_argument_group("choice")
    group.add_argument("--ecosystem", metavar="ID")
    group.add_argument("--extra", action="append", default=[], metavar="NAME")
    group.add_argument("--category", default="build,host,run")
    run.add_argument("--format", choices=["a", "b"])
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--write", action="store_true")
    run.set_defaults(func="run")
    need = sub.add_parser("need")
    need.add_argument("--format", required=True, choices=["a", "b"])
    return parser


def _theirs() -> argparse.ArgumentParser:
    return _declare(argparse.ArgumentParser(prog="x"))  # type: ignore[no-any-return]


def _ours() -> _args.ArgumentParser:
    return _declare(_args.ArgumentParser(prog="x"))  # type: ignore[no-any-return]


GOOD = [
    ["run"],
    ["run", "dir"],
    ["run", "--json", "dir"],
    ["run", "dir", "--json"],
    ["run", "--ecosystem", "debian", "--extra", "a", "--extra=b"],
    ["run", "--eco", "fedora"],
    ["run", "--ecosystem=x=y"],
    ["run", "-vy"],
    ["run", "--format", "b", "--category", "host"],
    ["run", "--", "-weird-path"],
    ["run", "--check"],
    ["run", "--check", "--check"],
    ["need", "--format", "a"],
    ["run", "--extra", "-1"],
]


@pytest.mark.parametrize("words", GOOD, ids=" ".join)
def test_same_namespace(words: list[str]) -> None:
    assert vars(_ours().parse_args(words)) == vars(_theirs().parse_args(words))


def test_defaults_are_not_shared() -> None:
    parser = _ours()
    first = parser.parse_args(["run", "--extra", "a"])
    second = parser.parse_args(["run"])
    assert first.extra == ["a"]
    assert second.extra == []


BAD = [
    (["frob"], "argument COMMAND: invalid choice: 'frob' (choose from 'run', 'need')"),
    ([], "the following arguments are required: COMMAND"),
    (["run", "--bogus"], "unrecognized arguments: --bogus"),
    (["run", "a", "b"], "unrecognized arguments: b"),
    (["run", "--extra"], "argument --extra: expected one argument"),
    (["run", "--extra", "--json"], "argument --extra: expected one argument"),
    (["run", "--e", "x"], "ambiguous option: --e could match --ecosystem, --extra"),
    (
        ["run", "--format", "c"],
        "argument --format: invalid choice: 'c' (choose from 'a', 'b')",
    ),
    (["run", "--check", "--write"], "argument --write: not allowed with argument --check"),
    (["run", "--json=1"], "argument --json: ignored explicit argument '1'"),
    (["need"], "the following arguments are required: --format"),
]


@pytest.mark.parametrize(("words", "message"), BAD, ids=[" ".join(w) for w, _ in BAD])
def test_errors_exit_2_with_one_line(
    words: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        _ours().parse_args(words)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: x")
    assert err.endswith(f"error: {message}\n")
    with pytest.raises(SystemExit) as theirs:
        _theirs().parse_args(words)
    assert theirs.value.code == 2  # argparse refuses the same words


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        _ours().parse_args(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == "x 1\n"
    with pytest.raises(SystemExit) as info:
        _ours().parse_args(["run", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: x run [-h]")
    assert "choice:\n  --ecosystem ID" in out
    assert "  -v, --verbose" in out


@pytest.mark.parametrize("command", [None, "show", "check", "install", "recipe", "registry"])
def test_every_help_page_renders(command: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    words = [command, "--help"] if command else ["--help"]
    with pytest.raises(SystemExit) as info:
        main(words)
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: extdeps")
    assert "-h, --help" in out


def test_every_command_is_listed_at_the_top() -> None:
    parser = build_parser(None)
    for name in ("show", "validate", "detect", "map", "install", "check", "recipe", "lint"):
        assert parser.subcommand(name) is not None, name
