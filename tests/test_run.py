"""Running programs: the posix_spawn runner answers as ``subprocess.run`` does.

``System.run`` spawns programs itself where the platform allows it (importing
``subprocess`` costs a third of an interpreter start on every cold run); each
case here runs both ways and compares.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from extdeps.system import machine
from extdeps.system.machine import Run, System

pytestmark = pytest.mark.skipif(not machine._SPAWN, reason="no posix_spawn on this platform")


def _both(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], timeout: float = 10.0, **env: str
) -> tuple[Run, Run]:
    system = System(environ={"PATH": os.environ["PATH"], **env}, cache_dir=None)
    spawned = system.run(argv, timeout=timeout)
    with monkeypatch.context() as patched:
        patched.setattr(machine, "_SPAWN", False)
        classic = system.run(argv, timeout=timeout)
    return spawned, classic


def _script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "prog"
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(0o755)
    return str(path)


@pytest.mark.parametrize(
    "body",
    [
        "echo out; echo err >&2; exit 3\n",
        "printf 'a\\r\\nb\\rc\\n'\n",
        "printf '\\377\\376 not utf-8\\n'\n",
        "cat; echo after-stdin\n",  # stdin is /dev/null: cat ends at once
        'echo "$LC_ALL"\n',
        "yes | head -n 1\n",  # SIGPIPE is the default again: yes dies quietly
        "kill -9 $$\n",
        "head -c 300000 /dev/zero | tr '\\0' x; head -c 300000 /dev/zero | tr '\\0' y >&2\n",
        "(sleep 30 >/dev/null 2>&1 &) ; echo detached\n",  # a grandchild without our pipes
    ],
    ids=["codes", "newlines", "bad-utf8", "stdin", "locale", "sigpipe", "signal", "big", "bg"],
)
def test_same_answer_as_subprocess(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    spawned, classic = _both(monkeypatch, [_script(tmp_path, body)])
    assert spawned == classic


def test_missing_and_not_executable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spawned, classic = _both(monkeypatch, [str(tmp_path / "nothing")])
    assert spawned == classic
    assert spawned.error == f"{tmp_path / 'nothing'}: not found"
    plain = tmp_path / "plain"
    plain.write_text("data")
    spawned, classic = _both(monkeypatch, [str(plain)])
    assert spawned == classic
    assert spawned.error == f"{plain}: permission denied"


def test_name_found_on_the_programs_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "only-here").write_text("#!/bin/sh\necho found\n", encoding="utf-8")
    (bin_dir / "only-here").chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    spawned, classic = _both(monkeypatch, ["only-here"], PATH=path)
    assert spawned == classic
    assert spawned.stdout == "found\n"


def test_timeout_kills_the_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prog = _script(tmp_path, "echo started; sleep 30\n")
    spawned, classic = _both(monkeypatch, [prog], timeout=0.3)
    assert spawned.returncode is None
    assert classic.returncode is None
    assert spawned.error == classic.error == f"{prog}: timed out after 0.3s"


def test_a_program_that_closes_its_output_and_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prog = _script(tmp_path, "exec >&- 2>&-; sleep 30\n")
    spawned, classic = _both(monkeypatch, [prog], timeout=0.3)
    assert spawned.error == classic.error == f"{prog}: timed out after 0.3s"


def test_interpreter_child(monkeypatch: pytest.MonkeyPatch) -> None:
    need_python = shutil.which(sys.executable) or sys.executable
    spawned, classic = _both(
        monkeypatch, [need_python, "-I", "-c", "import sys; print(sys.argv[1:]); sys.exit(7)", "x"]
    )
    assert spawned == classic
    assert spawned.returncode == 7


def test_started_program_is_collected_by_run(tmp_path: Path) -> None:
    """A program begun by start() is the one run() of the same arguments returns,
    with the same answer a fresh run gives; it is not run twice."""
    counter = tmp_path / "runs"
    prog = _script(tmp_path, f"echo x >> {counter}; echo out; echo err >&2; exit 4\n")
    system = System(environ={"PATH": os.environ["PATH"]}, cache_dir=None)
    system.start([prog])
    system.start([prog])  # once only
    started = system.run([prog])
    assert counter.read_text().count("x") == 1
    fresh = system.run([prog])
    assert started == fresh
    assert counter.read_text().count("x") == 2
    system.settle()


def test_started_program_not_asked_for_is_stopped(tmp_path: Path) -> None:
    marker = tmp_path / "finished"
    prog = _script(tmp_path, f"sleep 30; touch {marker}\n")
    system = System(environ={"PATH": os.environ["PATH"]}, cache_dir=None)
    system.start([prog])
    (begun,) = system._started.values()
    system.settle()
    assert system._started == {}
    with pytest.raises(ChildProcessError):  # reaped
        os.waitpid(begun[0], os.WNOHANG)
    assert not marker.exists()


def test_start_is_a_no_op_for_a_replaced_run(tmp_path: Path) -> None:
    """A test's fake run() sees every call: start() begins nothing behind it."""
    system = System(environ={"PATH": os.environ["PATH"]}, cache_dir=None)
    system.run = lambda argv, **kw: Run(argv=argv, returncode=0, stdout="fake")  # type: ignore[method-assign]
    system.start(["/bin/true"])
    assert system._started == {}

    class Fake(System):
        def run(self, argv, **kw):  # type: ignore[no-untyped-def]
            return Run(argv=argv, returncode=0)

    fake = Fake(environ={}, cache_dir=None)
    fake.start(["/bin/true"])
    assert fake._started == {}


def test_start_of_a_missing_program_answers_like_run(tmp_path: Path) -> None:
    system = System(environ={"PATH": str(tmp_path)}, cache_dir=None)
    system.start([str(tmp_path / "absent")])
    started = system.run([str(tmp_path / "absent")])
    assert started == system.run([str(tmp_path / "absent")])
    assert started.returncode is None
