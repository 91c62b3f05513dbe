"""Running package managers: refreshing a stale index, running install commands.

The only code in extdeps that changes the machine. Commands are argument lists,
never shell strings; the package manager's own output goes to stderr, so that
stdout carries only extdeps' answer (one JSON document under ``--json``).
"""

from __future__ import annotations

import os
import sys
import time

from extdeps.model.errors import ExtdepsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from extdeps.system.machine import System

__all__ = ["index_refresh", "run_commands"]

# An index older than this is refreshed before installing (apt's lists are
# replaced daily by the archives; a week-old index names removed versions).
STALE_AFTER = 7 * 24 * 3600
_APT = ("apt", "apt-get", "aptitude")


def index_refresh(manager: str, system: System, *, is_root: bool) -> tuple[list[str], str] | None:
    """(command, why) that refreshes the package index before installing, when the
    manager needs one and its index is empty or stale; else None.

    Only apt needs it: a fresh ``debian:12`` container has no lists, so
    ``apt-get install`` finds nothing. dnf, zypper and apk fetch their metadata
    themselves; pacman's ``-Sy`` before an install is a partial upgrade, which
    Arch does not support, so extdeps never runs it.
    """
    if manager not in _APT:
        return None
    lists = system.path("/var/lib/apt/lists")
    newest = 0.0
    try:
        for entry in os.scandir(lists):
            if "_Packages" in entry.name and entry.is_file():
                newest = max(newest, entry.stat().st_mtime)
    except OSError:
        pass
    if newest == 0.0:
        why = "apt has no package lists (/var/lib/apt/lists)"
    elif time.time() - newest > STALE_AFTER:
        days = int((time.time() - newest) // 86400)
        why = f"apt's package lists are {days} days old"
    else:
        return None
    command = ["apt-get", "update"]
    return (command if is_root else ["sudo", *command]), why


def run_commands(commands: Sequence[Sequence[str]], *, assume_yes: bool) -> int:
    """Run commands in order, asking first on a terminal unless ``assume_yes``.

    Their output goes to stderr. Returns 0 when all succeeded, 1 when one failed
    (the rest are not run).
    """
    import shlex  # noqa: PLC0415 - display only
    import subprocess  # noqa: PLC0415

    if not assume_yes:
        if not sys.stdin.isatty():
            raise ExtdepsError(
                "refusing to run install commands without confirmation",
                hint="stdin is not a terminal: pass --yes to run them",
            )
        for command in commands:
            print(f"  {shlex.join(command)}", file=sys.stderr)
        print("Run these commands? [y/N] ", end="", file=sys.stderr, flush=True)
        answer = sys.stdin.readline().strip().lower()
        if answer not in ("y", "yes"):
            print("aborted; nothing was run", file=sys.stderr)
            return 1
    for command in commands:
        print(f"+ {shlex.join(command)}", file=sys.stderr, flush=True)
        sys.stdout.flush()
        try:
            done = subprocess.run(list(command), check=False, stdout=sys.stderr.fileno())
        except OSError as exc:
            print(f"error: cannot run {command[0]}: {exc.strerror}", file=sys.stderr)
            return 1
        if done.returncode != 0:
            print(
                f"error: {shlex.join(command)} failed with exit code {done.returncode}",
                file=sys.stderr,
            )
            return 1
    return 0
