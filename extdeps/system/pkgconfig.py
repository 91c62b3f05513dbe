"""pkg-config, asked only about the modules a check needs.

A module is looked for as ``<name>.pc`` (or ``<name>-uninstalled.pc``) in
pkg-config's search path: ``PKG_CONFIG_PATH``, then ``PKG_CONFIG_LIBDIR`` or
the tool's own default (``pkg-config --variable pc_path pkg-config``, asked once
and remembered per tool). A module with no file is missing without running
anything. The modules that have a file are asked for in one
``pkg-config --modversion A B ...``; pkg-config answers all or nothing. When
that fails because some of them require a module that is not there, its errors
name them (``required by 'A'``) and the rest are asked again in one more call;
when the errors name none of them (bad syntax, a version conflict), each is asked
alone, which names the broken one. Modules that only another
file's ``Provides:`` declares are not found (pkgconf's extension, unused by the
distributions extdeps maps).

Answers are cached per module, keyed on the tool, the variables pkg-config
reads, the search directories and every ``.pc`` file the answer depends on (the
module's own and, through ``Requires``, those it needs), each by path, size,
modification and change times and inode. When that set cannot be worked out
(an unreadable file, a ``Requires`` built from variables) the answer is not
cached.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from extdeps.system.machine import System

__all__ = ["PkgConfig"]

# what pkg-config reads from the environment that changes which file it finds
_VARIABLES = (
    "PKG_CONFIG_PATH",
    "PKG_CONFIG_LIBDIR",
    "PKG_CONFIG_SYSROOT_DIR",
    "PKG_CONFIG_TOP_BUILD_DIR",
    "PKG_CONFIG_DISABLE_UNINSTALLED",
)
_MAX_PC_BYTES = 1 << 20  # a .pc file larger than this is not a .pc file
_VERSION_OPS = ("<=", ">=", "!=", "=", "<", ">")

# (found, version, detail): found is None when pkg-config could not run
Answer = tuple[bool | None, str | None, str]


class PkgConfig:
    """pkg-config on one system; answers are remembered for the run and on disk."""

    def __init__(self, system: System, *, libdir: list[str] | None = None) -> None:
        """``libdir`` replaces pkg-config's default search path (``PKG_CONFIG_LIBDIR``),
        as in an environment whose own modules are the only ones a build uses."""
        self.system = system
        self.libdir = libdir
        self._tool: str | bool | None = False  # False: not looked up yet
        self._path: list[str] | str | None = None
        self._answers: dict[str, Answer] = {}
        self._pending: dict[str, None] = {}
        self.runs = 0  # processes started, for tests and benchmarks

    # -- the tool and its search path ------------------------------------------
    def tool(self) -> str | None:
        if self._tool is False:
            configured = self.system.environ.get("PKG_CONFIG")
            if configured:
                self._tool = self.system.which(configured)
            else:
                self._tool = self.system.which("pkg-config") or self.system.which("pkgconf")
        return self._tool if isinstance(self._tool, str) else None

    def search_path(self) -> list[str] | str:
        """The directories pkg-config searches, in order, or why they are unknown."""
        if self._path is not None:
            return self._path
        tool = self.tool()
        if tool is None:
            self._path = "pkg-config is not installed"
            return self._path
        env = self.system.environ
        dirs = [d for d in env.get("PKG_CONFIG_PATH", "").split(os.pathsep) if d]
        libdir = os.pathsep.join(self.libdir) if self.libdir else env.get("PKG_CONFIG_LIBDIR")
        if libdir is not None:
            dirs += [d for d in libdir.split(os.pathsep) if d]
        else:
            default = self._default_path(tool)
            if isinstance(default, str):
                self._path = default
                return default
            dirs += default
        self._path = list(dict.fromkeys(dirs))
        return self._path

    def start(self) -> None:
        """Begin the query of the default search path, when a later one will need
        it (see :meth:`System.start`)."""
        tool = self.tool()
        if self._path is not None or tool is None or self.libdir:
            return
        if self.system.environ.get("PKG_CONFIG_LIBDIR") is not None:
            return
        if self._cached_default(tool) is None:
            self.system.start([tool, "--variable", "pc_path", "pkg-config"])

    def _cached_default(self, tool: str) -> list[str] | None:
        cached = self.system.cache.get("pkg-config-path", self.system.fingerprint(tool))
        if type(cached) is list and all(type(d) is str for d in cached):
            return list(cached)
        return None

    def _default_path(self, tool: str) -> list[str] | str:
        cached = self._cached_default(tool)
        if cached is not None:
            return cached
        key = self.system.fingerprint(tool)
        done = self.system.run([tool, "--variable", "pc_path", "pkg-config"])
        self.runs += 1
        if not done.ok:
            return f"pkg-config --variable pc_path failed: {done.error or done.stderr[:200]}"
        dirs = [d for d in done.stdout.strip().split(os.pathsep) if d]
        self.system.cache.put("pkg-config-path", key, dirs, keep=8)
        return dirs

    def locate(self, module: str) -> str | None:
        """The ``.pc`` file pkg-config would read for ``module`` (a path here), or None."""
        path = self.search_path()
        if isinstance(path, str) or not module or "/" in module or "\0" in module:
            return None
        uninstalled = not self.system.environ.get("PKG_CONFIG_DISABLE_UNINSTALLED")
        for directory in path:
            base = os.path.join(self.system.path(directory), module)
            for candidate in (f"{base}-uninstalled.pc", f"{base}.pc")[0 if uninstalled else 1 :]:
                if os.path.isfile(candidate):
                    return candidate
        return None

    # -- cache keys ---------------------------------------------------------------
    def _key(self, module: str) -> str | None:
        """Everything the answer for ``module`` depends on, or None when unsure."""
        path = self.search_path()
        tool = self.tool()
        if isinstance(path, str) or tool is None:
            return None
        env = self.system.environ
        parts = [
            self.system.fingerprint(tool),
            repr([env.get(v) for v in _VARIABLES]),
            repr(self.libdir),
            self.system.fingerprint(*(self.system.path(d) for d in path)),
        ]
        seen: dict[str, None] = {}
        queue = [module]
        while queue:
            name = queue.pop()
            if name in seen:
                continue
            seen[name] = None
            if len(seen) > 200:
                return None
            found = self.locate(name)
            if found is None:
                parts.append(f"{name}:absent")
                continue
            requires = _requires(found)
            if requires is None:
                return None
            parts.append(f"{name}={self.system.fingerprint(found)}")
            queue.extend(requires)
        return "\0".join(parts)

    # -- asking -------------------------------------------------------------------
    def expect(self, modules: Iterable[str]) -> None:
        """Modules that will be asked for: the next query asks for them all at once."""
        for module in modules:
            if module not in self._answers:
                self._pending[module] = None

    def answer(self, module: str) -> Answer:
        """(found, version, detail) for one module."""
        if module not in self._answers:
            self.expect([module])
            self._resolve()
        return self._answers[module]

    def _resolve(self) -> None:
        pending = list(self._pending)
        self._pending.clear()
        tool = self.tool()
        path = self.search_path()
        if tool is None or isinstance(path, str):
            reason = "pkg-config is not installed" if tool is None else str(path)
            for module in pending:
                self._answers[module] = (None, None, reason)
            return
        to_ask: list[tuple[str, str | None]] = []
        for module in pending:
            if self.locate(module) is None:
                self._answers[module] = (False, None, f"no pkg-config module {module}")
                continue
            key = self._key(module)
            cached = self.system.cache.get("pkg-config", key) if key is not None else None
            if (
                type(cached) is list
                and len(cached) == 3
                and type(cached[0]) is bool
                and (cached[1] is None or type(cached[1]) is str)
                and type(cached[2]) is str
            ):
                self._answers[module] = (cached[0], cached[1], cached[2])
            else:
                to_ask.append((module, key))
        if not to_ask:
            return
        names = [m for m, _ in to_ask]
        answers: dict[str, Answer] = {}
        extra = {"PKG_CONFIG_LIBDIR": os.pathsep.join(self.libdir)} if self.libdir else None
        done = self.system.run([tool, "--modversion", *names], env=extra)
        self.runs += 1
        lines = done.stdout.splitlines()
        if done.ok and len(lines) == len(names):
            for name, line in zip(names, lines, strict=True):
                answers[name] = (True, line.strip() or None, _detail(name, line.strip()))
        elif done.returncode is None:
            for name in names:
                answers[name] = (None, None, f"pkg-config could not run: {done.error}")
        elif len(names) == 1:
            answers[names[0]] = _failed(names[0], done.stderr)
        else:
            named = _named_broken(names, done.stderr)
            rest = [n for n in names if n not in named]
            if named and rest:  # the rest asked again, once
                again = self.system.run([tool, "--modversion", *rest], env=extra)
                self.runs += 1
                found = again.stdout.splitlines()
                if again.ok and len(found) == len(rest):
                    for name, text in named.items():
                        answers[name] = _failed(name, text)
                    for name, line in zip(rest, found, strict=True):
                        answers[name] = (True, line.strip() or None, _detail(name, line.strip()))
            elif named:
                for name, text in named.items():
                    answers[name] = _failed(name, text)
        if len(answers) < len(names):
            for name in names:  # still unsure which is broken: ask each alone
                if name in answers:
                    continue
                one = self.system.run([tool, "--modversion", name], env=extra)
                self.runs += 1
                if one.ok:
                    version = one.stdout.strip()
                    answers[name] = (True, version or None, _detail(name, version))
                elif one.returncode is None:
                    answers[name] = (None, None, f"pkg-config could not run: {one.error}")
                else:
                    answers[name] = _failed(name, one.stderr)
        for name, key in to_ask:
            answer = answers[name]
            self._answers[name] = answer
            if key is not None and answer[0] is not None:
                self.system.cache.put("pkg-config", key, list(answer), keep=512)


def _named_broken(names: list[str], stderr: str) -> dict[str, str]:
    """The asked-for modules pkg-config's errors name as broken (``required by
    'X'``), each with its error lines; empty when the errors name none of them."""
    out: dict[str, str] = {}
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for name in names:
        mine = [line for line in lines if f"required by '{name}'" in line]
        if mine:
            out[name] = "\n".join(mine)
    return out


def _detail(module: str, version: str) -> str:
    return f"pkg-config module {module} {version}".rstrip()


def _failed(module: str, stderr: str) -> Answer:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    why = lines[-1][:160] if lines else "pkg-config refused it"
    return (False, None, f"pkg-config module {module} is not usable: {why}")


def _requires(path: str) -> list[str] | None:
    """The module names of a ``.pc`` file's ``Requires`` field, or None when unsure."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(_MAX_PC_BYTES + 1)
    except OSError:
        return None
    if len(raw) > _MAX_PC_BYTES:
        return None
    text = raw.decode("utf-8", "replace")
    value = ""
    lines = text.replace("\\\n", " ").splitlines()
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("Requires:"):
            value = stripped[len("Requires:") :]
            break
    if "$" in value:
        return None
    return _module_names(value.replace(",", " ").split())


def _module_names(words: Sequence[str]) -> list[str]:
    """Names from a ``Requires`` list: ``a >= 1.0 b`` -> ``[a, b]``."""
    out: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word in _VERSION_OPS:
            skip = True
            continue
        name = word
        for op in _VERSION_OPS:
            if op in word:  # "a>=1.0" or "a>=" before "1.0"
                name, _, tail = word.partition(op)
                skip = not tail
                break
        if name:
            out.append(name)
    return out
