"""DepURLs: parse, validate, canonicalize, format, convert to PURL.

Grammar (PEP 725, on top of the PURL specification)::

    depurl     = scheme ":" ["//"] type "/" [namespace "/"] name
                 ["@" version] ["?" qualifiers] ["#" subpath]
    scheme     = "dep"                              ; case-insensitive
    type       = ALPHA *(ALPHA / DIGIT / "." / "+" / "-")  ; case-insensitive
    namespace  = segment *("/" segment)             ; percent-encoded
    name       = segment                            ; percent-encoded
    version    = clause *("," clause)               ; may be percent-encoded
    clause     = [op] pep440-version
    op         = ">=" / ">" / "<=" / "<" / "=="
    qualifiers = qualifier *("&" qualifier)
    qualifier  = key "=" value                      ; value percent-encoded
    key        = ALPHA *(ALPHA / DIGIT / "." / "-" / "_")  ; case-insensitive
    subpath    = segment *("/" segment)             ; percent-encoded

The string is split from the right, as PURL parsers do: ``#`` starts the
subpath, ``?`` the qualifiers, the last ``@`` in the final path segment the
version. A bare version is an exact pin (``@2.0`` means ``==2.0``); more than
one clause needs an operator on each. Versions compare with PEP 440 semantics.

Canonical form: lowercase scheme and type; namespace and name case-folded where
the type says they are case-insensitive (``github``, ``pypi``, ``virtual``…);
``pypi`` names with ``_`` replaced by ``-``; percent-encoding of everything but
``A-Z a-z 0-9 . - _ ~ :``; version clauses in PEP 440 normal form, ordered
``==``, lower bounds, upper bounds, with the operators left unencoded so that the
canonical DepURL stays readable (``@>=2.0,<3``); qualifiers sorted by key with
empty values dropped; empty subpath segments dropped.
"""

from __future__ import annotations

from extdeps.model.errors import InvalidDepURL
from extdeps.model.record import LazyPattern, Record
from extdeps.model.text import is_printable
from extdeps.model.versions import InvalidVersion, Release, parse_version

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    _Requirement = Literal["required", "optional", "prohibited"]

__all__ = ["PURL_TYPES", "VIRTUAL_NAMESPACES", "DepURL", "canonical_id"]

# The namespaces of ``dep:virtual/...`` (PEP 725's ``compiler`` and ``interface``,
# and this specification's ``driver``). ``mappings/virtual-namespaces.json``
# documents each with its version semantics; a test keeps the two equal.
VIRTUAL_NAMESPACES = frozenset({"compiler", "driver", "interface"})


# PURL type rules that matter for validation and canonical form:
# (namespace requirement, namespace case-insensitive, name case-insensitive).
# From the registered PURL type definitions; ``virtual`` is PEP 725's addition.
PURL_TYPES: dict[str, tuple[_Requirement, bool, bool]] = {
    "alpm": ("required", True, True),
    "apk": ("required", True, True),
    "bazel": ("prohibited", False, False),
    "bitbucket": ("required", True, True),
    "bitnami": ("prohibited", False, True),
    "brew": ("optional", True, True),
    "cargo": ("prohibited", False, False),
    "chrome-extension": ("prohibited", False, True),
    "cocoapods": ("prohibited", False, False),
    "composer": ("required", True, True),
    "conan": ("optional", False, False),
    "conda": ("prohibited", False, False),
    "cpan": ("optional", False, False),
    "cran": ("prohibited", False, False),
    "deb": ("required", True, True),
    "docker": ("optional", False, False),
    "gem": ("prohibited", False, False),
    "generic": ("optional", False, False),
    "git": ("required", False, False),
    "github": ("required", True, True),
    "golang": ("required", False, False),
    "hackage": ("prohibited", False, False),
    "hex": ("optional", True, True),
    "huggingface": ("required", False, False),
    "julia": ("prohibited", False, False),
    "luarocks": ("optional", True, True),
    "maven": ("required", False, False),
    "mlflow": ("prohibited", False, False),
    "npm": ("optional", False, False),
    "nuget": ("prohibited", False, False),
    "oci": ("prohibited", False, True),
    "opam": ("prohibited", False, False),
    "otp": ("prohibited", False, True),
    "pub": ("prohibited", False, True),
    "pypi": ("prohibited", False, True),
    "qpkg": ("required", True, False),
    "rpm": ("required", True, False),
    "swid": ("optional", False, False),
    "swift": ("required", False, False),
    "vcpkg": ("prohibited", False, False),
    "virtual": ("required", True, True),
    "vscode-extension": ("required", True, True),
    "yocto": ("optional", True, False),
}

ALLOWED_OPERATORS = (">=", ">", "<=", "<", "==")
_ALLOWED_TEXT = ", ".join(ALLOWED_OPERATORS)
_BAD_PERCENT_RE = LazyPattern(r"%(?![0-9A-Fa-f]{2})")
# Character sets checked with str.strip (no pattern to compile on every run):
# ``not text.strip(chars)`` holds when ``text`` has no other character.
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ALNUM = _LETTERS + "0123456789"
_TYPE_CHARS = _ALNUM + ".+-"
_KEY_CHARS = _ALNUM + ".-_"
_SAFE = "-._~:"
_SAFE_CHARS = _ALNUM + _SAFE
# longest first where one operator begins another, as a regex alternation tries them
_OPERATORS = ("===", "==", ">=", "<=", "~=", "!=", ">", "<", "=")
_OP_RANK = {"==": 0, ">=": 1, ">": 1, "<=": 2, "<": 2}
_LEGACY_VIRTUAL_NAMES = {"cpp": "cxx", "c++": "cxx"}


def _word(text: str, chars: str) -> bool:
    """A letter, then only ``chars``."""
    return text[:1] in _LETTERS and text[:1] != "" and not text.strip(chars)


def _split_clause(piece: str) -> tuple[str, str]:
    """``(operator, version)`` of one version clause, whitespace around either dropped."""
    rest = piece.lstrip()
    for op in _OPERATORS:
        if rest.startswith(op):
            return op, rest[len(op) :].strip()
    return "", rest.strip()


def _fail(message: str, text: str, start: int, end: int, hint: str | None = None) -> InvalidDepURL:
    return InvalidDepURL(message, text=text, span=(start, end), hint=hint)


def _decode(text: str, part: str, start: int, what: str) -> str:
    """Percent-decode ``part`` (found at ``start`` in ``text``) as UTF-8."""
    if "%" not in part:
        return part
    import urllib.parse  # noqa: PLC0415 - only for encoded input; keeps startup cheap

    bad = _BAD_PERCENT_RE.search(part)
    if bad:
        pos = start + bad.start()
        raise _fail(
            f"invalid percent-encoding in {what}: '%' must be followed by two hex digits",
            text,
            pos,
            min(pos + 3, start + len(part)),
        )
    try:
        decoded = urllib.parse.unquote(part, errors="strict")
    except UnicodeDecodeError:
        raise _fail(
            f"percent-encoded {what} is not valid UTF-8", text, start, start + len(part)
        ) from None
    if not is_printable(decoded.replace(" ", "")):
        raise _fail(
            f"percent-encoded {what} decodes to a control or invisible character",
            text,
            start,
            start + len(part),
        )
    return decoded


def _encode(value: str) -> str:
    if not value.strip(_SAFE_CHARS):
        return value
    import urllib.parse  # noqa: PLC0415 - rare; keeps startup cheap

    return urllib.parse.quote(value, safe=_SAFE)


def _hint_for_other_scheme(text: str, scheme: str, rest: str) -> str | None:
    if scheme == "pkg":
        return f"the 2023 draft used PURLs; write 'dep:{rest}'"
    if scheme == "virtual":
        parts = rest.split("/")
        if len(parts) >= 2:
            parts[1] = _LEGACY_VIRTUAL_NAMES.get(parts[1].lower(), parts[1])
        return f"the 2023 draft syntax is replaced by 'dep:virtual/{'/'.join(parts)}'"
    return None


class DepURL(Record):
    """A parsed, canonical DepURL. Build one with :meth:`parse`; ``str()`` formats it."""

    __slots__ = ("type", "namespace", "name", "version", "qualifiers", "subpath")
    type: str
    namespace: str | None
    name: str
    version: str | None
    qualifiers: tuple[tuple[str, str], ...]
    subpath: str | None

    def __init__(
        self,
        *,
        type: str,
        name: str,
        namespace: str | None = None,
        version: str | None = None,
        qualifiers: tuple[tuple[str, str], ...] = (),
        subpath: str | None = None,
    ) -> None:
        # the hot path of parsing: set slots directly
        set_ = object.__setattr__
        set_(self, "type", type)
        set_(self, "namespace", namespace)
        set_(self, "name", name)
        set_(self, "version", version)
        set_(self, "qualifiers", qualifiers)
        set_(self, "subpath", subpath)

    # -- construction -------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> DepURL:
        """Parse and canonicalize a DepURL, or raise :class:`InvalidDepURL`."""
        if not isinstance(text, str):
            raise InvalidDepURL(f"expected a string, got {type(text).__name__}")
        return _parse(text)

    # -- views --------------------------------------------------------------
    @property
    def id(self) -> str:
        """The identity without version, qualifiers or subpath: the registry key."""
        parts = ["dep:", self.type, "/"]
        if self.namespace:
            parts.append("/".join(_encode(s) for s in self.namespace.split("/")))
            parts.append("/")
        parts.append(_encode(self.name))
        return "".join(parts)

    @property
    def is_virtual(self) -> bool:
        return self.type == "virtual"

    @property
    def specifier(self) -> SpecifierSet | None:
        """The version constraint as a PEP 440 specifier set (a bare pin becomes ``==``)."""
        from packaging.specifiers import SpecifierSet  # noqa: PLC0415 - cheap startup

        if self.version is None:
            return None
        if self.version[0] in "<>=":
            return SpecifierSet(self.version)
        return SpecifierSet(f"=={self.version}")

    @property
    def clauses(self) -> tuple[tuple[str, str], ...]:
        """The version constraint as (operator, version) pairs; a bare pin is ``==``."""
        if self.version is None:
            return ()
        out = []
        for clause in self.version.split(","):
            op = clause[:2] if clause[:2] in ("==", ">=", "<=") else clause[:1]
            if op not in _OP_RANK:
                op = ""
            out.append((op or "==", clause[len(op) :]))
        return tuple(out)

    def contains(self, version: str | Version | Release) -> bool:
        """Whether ``version`` satisfies the constraint (PEP 440 rules; pre-releases
        and local versions are accepted; an unparsable version never matches).

        This is :class:`packaging.specifiers.SpecifierSet` semantics for the five
        allowed operators, without importing it (it is slow to import)."""
        if self.version is None:
            return True
        if isinstance(version, str):
            try:
                version = parse_version(version)
            except InvalidVersion:
                return False
        return all(_matches(op, parse_version(v), version) for op, v in self.clauses)

    @property
    def qualifier_dict(self) -> dict[str, str]:
        return dict(self.qualifiers)

    def with_version(self, version: str | None) -> DepURL:
        """A copy with another version constraint (``None`` removes it), validated."""
        if version is None:
            return self.replace(version=None)
        text = f"{self.id}@{version}"
        return self.replace(version=_parse_version(text, len(self.id) + 1, version))

    # -- formatting ---------------------------------------------------------
    def __str__(self) -> str:
        out = self.id
        if self.version is not None:
            out += "@" + self.version
        if self.qualifiers:
            out += "?" + "&".join(f"{k}={_encode(v)}" for k, v in self.qualifiers)
        if self.subpath:
            out += "#" + "/".join(_encode(s) for s in self.subpath.split("/"))
        return out

    def to_purl(self) -> str:
        """The equivalent plain PURL: ``pkg:``, exact pins as ``@version``, ranges as
        a ``vers`` qualifier. Virtual DepURLs have no PURL equivalent."""
        if self.is_virtual:
            raise InvalidDepURL(
                f"{self} has no PURL equivalent: PURL has no virtual packages",
                hint="map it to a concrete provider first",
            )
        out = "pkg:" + self.id[len("dep:") :]
        qualifiers = dict(self.qualifiers)
        if self.version is not None:
            clauses = _reduced(self.clauses)
            if len(clauses) == 1 and clauses[0][0] == "==":
                out += "@" + _encode(clauses[0][1])
            else:
                vers = "|".join(f"{op}{v}" for op, v in clauses)
                qualifiers["vers"] = f"vers:{self.type}/{vers}"
        if qualifiers:
            out += "?" + "&".join(f"{k}={_encode(qualifiers[k])}" for k in sorted(qualifiers))
        if self.subpath:
            out += "#" + "/".join(_encode(s) for s in self.subpath.split("/"))
        return out

    def __repr__(self) -> str:
        return f"<DepURL({str(self)!r})>"


def canonical_id(text: str) -> str:
    """An id as written in a data file, in canonical form (``dep:github/Kitware/CMake``
    is ``dep:github/kitware/cmake``), so that it matches the ids of parsed DepURLs.
    Lowercase ids without a qualifier, version, subpath or escape are canonical
    already and are not parsed (data files hold hundreds). Raises :class:`InvalidDepURL`."""
    if (
        text.isascii()
        and text.islower()
        and _NOT_PLAIN.isdisjoint(text)
        and not ("_" in text and text.startswith("dep:pypi/"))
    ):
        return text
    return str(DepURL.parse(text))


_NOT_PLAIN = frozenset("?@#% ")


def _reduced(clauses: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """The same (non-empty) range as one pin, or at most one lower and one upper bound,
    ascending, as a ``vers`` range wants it."""
    pins = [v for op, v in clauses if op == "=="]
    if pins:
        return [("==", pins[0])]  # a non-empty range with a pin is that pin
    lower: tuple[str, str] | None = None
    upper: tuple[str, str] | None = None
    for op, v in clauses:
        version = parse_version(v)
        if op in (">=", ">"):
            if (
                lower is None
                or version > parse_version(lower[1])
                or (version == parse_version(lower[1]) and op == ">")
            ):
                lower = (op, v)
        elif (
            upper is None
            or version < parse_version(upper[1])
            or (version == parse_version(upper[1]) and op == "<")
        ):
            upper = (op, v)
    return [c for c in (lower, upper) if c is not None]


def _matches(op: str, spec: Version | Release, candidate: Version | Release) -> bool:
    public = parse_version(candidate.public) if candidate.local is not None else candidate
    if op == "==":
        return (candidate if spec.local is not None else public) == spec
    if op == ">=":
        return public >= spec
    if op == "<=":
        return public <= spec
    if op == ">":
        if not public > spec:
            return False
        if _family(public) != _family(spec) or spec.dev is not None or spec.post is not None:
            return True
        # ">1.7" excludes 1.7's post-releases (and ">1.7rc1" those of 1.7rc1)
        return public.pre != spec.pre
    # "<"
    if not public < spec:
        return False
    if _family(public) != _family(spec) or spec.pre is not None or spec.dev is not None:
        return True
    if spec.post is None:
        return False  # "<1.7" excludes 1.7's pre- and dev-releases
    # "<1.7.post1" excludes the dev-releases of 1.7.post1 itself
    return not (public.pre is None and public.post == spec.post and public.dev is not None)


def _family(version: Version | Release) -> tuple[int, tuple[int, ...]]:
    """Epoch and release without trailing zeros: versions of one family share it."""
    release = list(version.release)
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    return version.epoch, tuple(release)


def _parse_version(text: str, start: int, raw: str) -> str:
    """Validate a DepURL version and return its canonical text."""
    if raw == "":
        raise _fail("empty version after '@'", text, start - 1, start)
    decoded = _decode(text, raw, start, "version")
    clauses: list[tuple[str, Version | Release, str]] = []
    encoded = decoded != raw
    offset = start
    pieces = decoded.split(",")
    for piece in pieces:
        # spans point into the text as written; an encoded version is shown whole
        width = len(raw) if encoded else len(piece)
        op, ver = _split_clause(piece)
        if op in ("~=", "!=", "===", "="):
            raise _fail(
                f"operator '{op}' is not allowed in a DepURL version; allowed: {_ALLOWED_TEXT}",
                text,
                offset,
                offset + width,
            )
        if not ver:
            what = "empty version clause" if not op else f"'{op}' needs a version after it"
            raise _fail(f"{what}; expected e.g. '>=1.2'", text, offset, offset + max(width, 1))
        if "*" in ver:
            raise _fail(
                "wildcard versions are not allowed in a DepURL version; "
                f"use a range with {_ALLOWED_TEXT}",
                text,
                offset,
                offset + width,
                hint=f"'{op or '=='}{ver}' can be written as "
                f"'>={ver.rstrip('.*') or '0'}' plus an upper bound",
            )
        if not op and len(pieces) > 1:
            raise _fail(
                f"a bare version is an exact pin and cannot be combined; write '=={ver}'",
                text,
                offset,
                offset + width,
            )
        try:
            version = parse_version(ver)
        except InvalidVersion:
            raise _fail(
                f"'{ver}' is not a valid PEP 440 version", text, offset, offset + width
            ) from None
        if version.local is not None and op not in ("", "=="):
            raise _fail(
                f"a local version label ('+{version.local}') is only allowed with '=='",
                text,
                offset,
                offset + width,
            )
        clauses.append((op or "==", version, op))
        if not encoded:
            offset += width + 1
    if len(clauses) == 1 and clauses[0][2] in ("", "=="):
        return str(clauses[0][1])
    # inclusive before exclusive for the same version: one canonical order
    clauses.sort(key=lambda c: (_OP_RANK[c[0]], c[1], c[0] in (">", "<")))
    canonical = ",".join(f"{op}{version}" for op, version, _ in clauses)
    if _empty_range([(op, version) for op, version, _ in clauses]):
        raise _fail(
            f"the version range '{canonical}' admits no version", text, start, start + len(raw)
        )
    return canonical


def _empty_range(clauses: list[tuple[str, Version | Release]]) -> bool:
    """Whether no version can satisfy every clause (bounds and pins only)."""
    lower: tuple[Version | Release, bool] | None = None  # (version, inclusive)
    upper: tuple[Version | Release, bool] | None = None
    pins = []
    for op, version in clauses:
        if op == "==":
            pins.append(version)
        elif op in (">=", ">"):
            if lower is None or version > lower[0] or (version == lower[0] and op == ">"):
                lower = (version, op == ">=")
        elif upper is None or version < upper[0] or (version == upper[0] and op == "<"):
            upper = (version, op == "<=")
    if (
        lower
        and upper
        and (lower[0] > upper[0] or (lower[0] == upper[0] and not (lower[1] and upper[1])))
    ):
        return True
    for pin in pins:
        if lower and (pin < lower[0] or (pin == lower[0] and not lower[1])):
            return True
        if upper and (pin > upper[0] or (pin == upper[0] and not upper[1])):
            return True
    return any(pin != pins[0] for pin in pins[1:])


def _parse(text: str) -> DepURL:
    stripped = text.strip()
    lead = len(text) - len(text.lstrip())
    if not stripped:
        raise _fail("empty DepURL; expected 'dep:<type>/<name>'", text, 0, max(len(text), 1))
    if any(c.isspace() for c in stripped):
        # spaces may separate a version's clauses and operators, as in
        # PEP 440 (``@>=1.2, <2``); the canonical form drops them. Nowhere else.
        at = stripped.rfind("@", stripped.rfind("/") + 1)
        ends = [i for i in (stripped.find("?", at), stripped.find("#", at)) if i >= 0]
        version_span = range(at + 1, min(ends, default=len(stripped))) if at >= 0 else range(0)
        bad = [
            i
            for i, c in enumerate(stripped)
            if c.isspace() and not (c == " " and i in version_span)
        ]
    else:
        bad = []
    if bad:
        pos = lead + bad[0]
        raise _fail(
            "whitespace is not allowed inside a DepURL",
            text,
            pos,
            pos + 1,
            hint="percent-encode a space as %20; put environment markers after ';'",
        )
    if not is_printable(stripped):
        pos = lead + next(i for i, c in enumerate(stripped) if not is_printable(c))
        raise _fail(
            f"a DepURL must not contain control or invisible characters "
            f"(U+{ord(text[pos]):04X} at {pos})",
            text,
            pos,
            pos + 1,
        )
    end = lead + len(stripped)

    # scheme
    colon = text.find(":", lead, end)
    scheme = text[lead:colon].lower() if colon >= 0 else ""
    if scheme != "dep":
        if colon < 0 or "/" in text[lead:colon]:
            raise _fail(
                "a DepURL starts with 'dep:'; expected 'dep:<type>/<name>'",
                text,
                lead,
                lead + 1,
            )
        rest = text[colon + 1 : end]
        raise _fail(
            f"a DepURL starts with 'dep:', not '{text[lead:colon]}:'",
            text,
            lead,
            colon + 1,
            hint=_hint_for_other_scheme(text, scheme, rest),
        )
    pos = colon + 1
    while pos < end and text[pos] == "/":
        pos += 1

    # subpath (from the right)
    subpath: str | None = None
    hash_at = text.find("#", pos, end)
    body_end = end
    if hash_at >= 0:
        body_end = hash_at
        segments: list[str] = []
        seg_start = hash_at + 1
        for raw in text[hash_at + 1 : end].split("/"):
            seg = _decode(text, raw, seg_start, "subpath")
            if seg in (".", ".."):
                raise _fail(
                    f"subpath segment '{seg}' is not allowed", text, seg_start, seg_start + len(raw)
                )
            if "/" in seg:
                raise _fail(
                    "a subpath segment must not contain an encoded '/'",
                    text,
                    seg_start,
                    seg_start + len(raw),
                )
            if seg:
                segments.append(seg)
            seg_start += len(raw) + 1
        subpath = "/".join(segments) or None

    # qualifiers
    qualifiers: dict[str, str] = {}
    q_at = text.find("?", pos, body_end)
    path_end = body_end
    if q_at >= 0:
        path_end = q_at
        item_start = q_at + 1
        for item in text[q_at + 1 : body_end].split("&"):
            if item == "":
                item_start += 1
                continue
            key, eq, value = item.partition("=")
            if not eq:
                raise _fail(
                    f"qualifier '{item}' has no '='; expected 'key=value'",
                    text,
                    item_start,
                    item_start + len(item),
                )
            if not _word(key, _KEY_CHARS):
                raise _fail(
                    f"invalid qualifier key '{key}': it must start with a letter and contain "
                    "only letters, digits, '.', '-' and '_'",
                    text,
                    item_start,
                    item_start + max(len(key), 1),
                )
            low = key.lower()
            if low in qualifiers:
                raise _fail(
                    f"duplicate qualifier key '{low}'", text, item_start, item_start + len(key)
                )
            decoded = _decode(text, value, item_start + len(key) + 1, f"qualifier '{low}'")
            if decoded:
                qualifiers[low] = decoded
            item_start += len(item) + 1

    # type
    slash = text.find("/", pos, path_end)
    if slash < 0:
        if pos >= path_end:
            raise _fail("missing type and name; expected 'dep:<type>/<name>'", text, pos, pos + 1)
        raise _fail(
            "missing name; expected 'dep:<type>/<name>'",
            text,
            pos,
            path_end,
            hint="generic packages are written 'dep:generic/<name>'",
        )
    raw_type = text[pos:slash]
    if not raw_type:
        raise _fail("missing type; expected 'dep:<type>/<name>'", text, pos, pos + 1)
    if not _word(raw_type, _TYPE_CHARS):
        raise _fail(
            f"invalid type '{raw_type}': it must start with a letter and contain only "
            "letters, digits, '.', '+' and '-'",
            text,
            pos,
            slash,
        )
    type_ = raw_type.lower()
    rules = PURL_TYPES.get(type_)
    if rules is None:
        import difflib  # noqa: PLC0415 - only on this error path; keeps imports cheap

        close = difflib.get_close_matches(type_, PURL_TYPES, n=1)
        raise _fail(
            f"unknown type '{raw_type}': not a PURL type and not 'virtual'",
            text,
            pos,
            slash,
            hint=f"did you mean '{close[0]}'?" if close else "use 'generic' for a plain name",
        )
    ns_rule, ns_fold, name_fold = rules

    # version: the last '@' in the final path segment
    path_start = slash + 1
    while path_end > path_start and text[path_end - 1] == "/":
        path_end -= 1
    last_slash = text.rfind("/", path_start, path_end)
    at = text.rfind("@", last_slash + 1 if last_slash >= 0 else path_start, path_end)
    version: str | None = None
    name_end = path_end
    if at >= 0:
        name_end = at
        version = _parse_version(text, at + 1, text[at + 1 : path_end])

    # name and namespace
    name_start = last_slash + 1 if last_slash >= 0 else path_start
    raw_name = text[name_start:name_end]
    if not raw_name:
        raise _fail("missing name after the type", text, name_start, name_start + 1)
    name = _decode(text, raw_name, name_start, "name")
    if "/" in name:
        raise _fail("a name must not contain an encoded '/'", text, name_start, name_end)
    ns_segments: list[str] = []
    if last_slash >= 0:
        seg_start = path_start
        for raw in text[path_start:last_slash].split("/"):
            if raw:
                seg = _decode(text, raw, seg_start, "namespace")
                if "/" in seg:
                    raise _fail(
                        "a namespace segment must not contain an encoded '/'",
                        text,
                        seg_start,
                        seg_start + len(raw),
                    )
                ns_segments.append(seg.lower() if ns_fold else seg)
            seg_start += len(raw) + 1
    namespace = "/".join(ns_segments) or None
    if name_fold:
        name = name.lower()
    if type_ == "pypi":
        name = name.replace("_", "-")

    if namespace is None and ns_rule == "required":
        if type_ == "virtual":
            example = f"dep:virtual/<{'|'.join(sorted(VIRTUAL_NAMESPACES))}>/{name}"
        else:
            example = f"dep:{type_}/<namespace>/{name}"
        raise _fail(
            f"a '{type_}' DepURL needs a namespace; expected e.g. '{example}'",
            text,
            name_start,
            name_end,
        )
    if namespace is not None and ns_rule == "prohibited":
        raise _fail(
            f"a '{type_}' DepURL has no namespace; expected 'dep:{type_}/{name}'",
            text,
            path_start,
            last_slash,
        )
    if type_ == "virtual":
        assert namespace is not None
        known = VIRTUAL_NAMESPACES
        if namespace not in known:
            raise _fail(
                f"unknown virtual namespace '{namespace}'; expected one of "
                + ", ".join(sorted(known)),
                text,
                path_start,
                last_slash,
            )
    url = DepURL(
        type=type_,
        namespace=namespace,
        name=name,
        version=version,
        qualifiers=tuple(sorted(qualifiers.items())),
        subpath=subpath,
    )
    if type_ == "virtual" and version is not None:
        from extdeps.model.virtuals import version_problem  # noqa: PLC0415 - virtuals with versions

        problem = version_problem(
            namespace, name, [v for _, v in url.clauses], url=str(url), version=version
        )
        if problem is not None and problem[0] == "error":
            raise _fail(problem[1], text, at + 1, path_end, hint=problem[2])
    return url
