"""``setup.py`` (read with :mod:`ast`, never run) and ``setup.cfg``."""

from __future__ import annotations

import os
import re

from extdeps.authoring.buildfiles import SOURCE_LANGUAGES, Use

__all__ = ["parse_setup_cfg", "parse_setup_py"]


def parse_setup_py(text: str, file: str = "setup.py") -> list[Use]:
    """Extension modules and ``libraries=[...]`` of a ``setup.py``, read with :mod:`ast`."""
    import ast  # noqa: PLC0415 - setup.py only

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError) as exc:
        return [Use(kind="unresolved", names=[f"setup.py cannot be parsed: {exc}"], file=file)]
    uses: list[Use] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if called.endswith("Extension"):
            languages: set[str] = {"rust"} if called == "RustExtension" else set()
            if called.startswith("Pybind11"):
                languages.add("cpp")
            lang = keywords.get("language")
            if isinstance(lang, ast.Constant) and isinstance(lang.value, str):
                languages.add("cpp" if lang.value.lower() in ("c++", "cpp") else lang.value)
            for source in ast.walk(node):
                if isinstance(source, ast.Constant) and isinstance(source.value, str):
                    suffix = os.path.splitext(source.value)[1].lower()
                    languages.add(SOURCE_LANGUAGES.get(suffix, ""))
            languages.discard("")
            for language in sorted(languages or {"c"}):
                uses.append(Use(kind="language", names=[language], file=file, line=node.lineno))
        libraries = keywords.get("libraries")
        if isinstance(libraries, ast.List | ast.Tuple):
            for item in libraries.elts:
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    uses.append(
                        Use(kind="library", names=[item.value], file=file, line=item.lineno)
                    )
    return uses


def parse_setup_cfg(text: str, file: str = "setup.cfg") -> list[Use]:
    """``libraries`` of the ``[build_ext]`` section of a ``setup.cfg``."""
    uses: list[Use] = []
    section = ""
    collecting = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = (
            raw.split("#", 1)[0].split(";", 1)[0] if not raw.lstrip().startswith(("#", ";")) else ""
        )
        if line.strip().startswith("["):
            section, collecting = line.strip().strip("[]").strip(), False
            continue
        key, sep, value = line.partition("=") if "=" in line else line.partition(":")
        if sep and not raw[:1].isspace():
            collecting = section == "build_ext" and key.strip() == "libraries"
        elif collecting and raw[:1].isspace():
            value = line
        else:
            continue
        if collecting:
            for name in re.split(r"[\s,]+", value.strip()):
                if name:
                    uses.append(Use(kind="library", names=[name], file=file, line=number))
    return uses
