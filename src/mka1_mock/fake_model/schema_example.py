"""Deterministic example documents for JSON Schemas: the fake LLM's answer to ``text.format: json_schema``.

``example_for(schema)`` builds a small but meaningful instance of a JSON Schema (the draft 2020-12 subset
OpenAI structured outputs use). It is a pure function: the same schema always yields the same document.
"""

from __future__ import annotations

import copy
import importlib
import json
import math
import re
from collections.abc import Callable, Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import Any, TypeGuard
from urllib.parse import unquote

try:  # private but present since 3.11; only used to synthesize one extra candidate for `pattern`
    _parser: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - a future Python without it just loses that candidate
    _parser = None

__all__ = ["UnsupportedSchema", "example_for"]

_MISSING = object()
_SKIP = frozenset(
    {
        "title",
        "description",
        "$comment",
        "$schema",
        "$id",
        "$anchor",
        "$defs",
        "definitions",
        "readOnly",
        "writeOnly",
        "deprecated",
        "contentMediaType",
        "contentEncoding",
    }
)
_INFER = (
    ("object", ("properties", "required", "additionalProperties")),
    ("array", ("items", "prefixItems", "minItems", "maxItems", "uniqueItems")),
    ("string", ("minLength", "maxLength", "pattern", "format")),
    ("number", ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")),
)
MAX_SIZE = 10_000  # longest string / array generated: a schema can't make the mock build gigabytes
_LOWER = frozenset({"minimum", "exclusiveMinimum", "minLength", "minItems"})
_UPPER = frozenset({"maximum", "exclusiveMaximum", "maxLength", "maxItems"})
_PYTYPES: Mapping[str, type[Any]] = MappingProxyType(
    {"string": str, "boolean": bool, "null": type(None), "object": Mapping, "array": list}
)
_URL = "https://example.com"
_FORMATS: Mapping[str, Callable[[int], str]] = MappingProxyType(
    {
        "date-time": lambda n: f"2024-01-{1 + n % 28:02d}T00:00:00Z",
        "date": lambda n: f"2024-01-{1 + n % 28:02d}",
        "time": lambda n: f"00:00:{n % 60:02d}Z",
        "duration": lambda n: f"P{n + 1}D",
        "email": lambda n: f"user{_sfx(n)}@example.com",
        "hostname": lambda n: f"host{_sfx(n)}.example.com" if n else "example.com",
        "ipv4": lambda n: f"192.0.2.{1 + n % 254}",
        "ipv6": lambda n: f"2001:db8::{n + 1:x}",
        "uuid": lambda n: f"00000000-0000-4000-8000-{n:012d}",
        "uri": lambda n: _URL + (f"/{n + 1}" if n else ""),
        "url": lambda n: _URL + (f"/{n + 1}" if n else ""),
        "uri-reference": lambda n: _URL + (f"/{n + 1}" if n else ""),
    }
)
_PATTERN_SEEDS = (
    "a",
    "abc",
    "A",
    "ABC",
    "Abc",
    "0",
    "1",
    "123",
    "a1",
    "A1",
    "abc123",
    "ABC-123",
    "a-b",
    "a_b",
    "a b",
    "2024-01-01",
    "00:00",
    "00:00:00",
    "+15550100",
    "+1-555-0100",
    "555-0100",
    "USD",
    "en-US",
    "user@example.com",
    _URL,
    "example.com",
    "#000000",
    "deadbeef",
    "1.0.0",
    "v1.0.0",
    "-",
    "_",
    "",
)
_CLASS_CHARS = MappingProxyType(
    {
        "CATEGORY_DIGIT": "0",
        "CATEGORY_WORD": "a",
        "CATEGORY_SPACE": " ",
        "CATEGORY_NOT_DIGIT": "a",
        "CATEGORY_NOT_WORD": "-",
        "CATEGORY_NOT_SPACE": "a",
    }
)


class UnsupportedSchema(ValueError):
    """No valid instance could be produced; ``pointer`` is the schema location, ``keyword`` the culprit."""

    def __init__(self, pointer: str, keyword: str, detail: str) -> None:
        super().__init__(f"cannot generate an instance at {pointer} ({keyword}): {detail}")
        self.pointer, self.keyword, self.detail = pointer, keyword, detail


def example_for(schema: Mapping[str, Any]) -> Any:
    """A deterministic, minimal-but-meaningful instance valid against ``schema``; raises UnsupportedSchema."""
    return _Builder(schema).gen(schema, "#", None, ("#",), False, 0)


def _sfx(n: int) -> str:
    return str(n + 1) if n else ""


def _num(x: Any) -> TypeGuard[int | float]:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _frac(x: Any) -> Fraction:
    return Fraction(str(x)) if isinstance(x, float) else Fraction(x)


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _is_type(value: Any, t: Any) -> bool:
    if t in ("integer", "number"):
        return _num(value) and (t == "number" or not isinstance(value, float) or value.is_integer())
    return isinstance(value, _PYTYPES.get(t, object))


def _recursive(branch: Any, stack: tuple[str, ...]) -> bool:
    return isinstance(branch, Mapping) and isinstance(branch.get("$ref"), str) and branch["$ref"] in stack


def _matches(pattern: Any, value: str, ptr: str | None = None) -> bool:
    try:
        return re.search(pattern, value) is not None
    except (re.error, TypeError):
        if ptr is None:
            return True  # a looks-valid check cannot prove anything with a pattern Python does not understand
        raise UnsupportedSchema(ptr, "pattern", f"unsupported regular expression {pattern!r}") from None


def _bound(s: Mapping[str, Any], plain: str, strict: str, pick: Any) -> tuple[Fraction | None, bool]:
    cands = ([(_frac(s[plain]), s.get(strict) is True)] if _num(s.get(plain)) else []) + (
        [(_frac(s[strict]), True)] if _num(s.get(strict)) else []
    )
    best = pick((c[0] for c in cands), default=None)
    return best, any(excl for value, excl in cands if value == best)


def _bounds(s: Mapping[str, Any]) -> tuple[tuple[Fraction | None, bool], tuple[Fraction | None, bool]]:
    return _bound(s, "minimum", "exclusiveMinimum", max), _bound(s, "maximum", "exclusiveMaximum", min)


def _num_ok(x: Fraction, s: Mapping[str, Any]) -> bool:
    (lo, lo_x), (hi, hi_x) = _bounds(s)
    if (lo is not None and (x < lo or (lo_x and x == lo))) or (hi is not None and (x > hi or (hi_x and x == hi))):
        return False
    return not (_num(m := s.get("multipleOf")) and m > 0 and (x / _frac(m)).denominator != 1)


def _number(s: Mapping[str, Any], ptr: str, integer: bool, n: int) -> int | float:
    """The valid value closest to 0 (preferring >= 0), moved ``n`` steps away from it for variety."""
    (lo, lo_x), (hi, hi_x) = _bounds(s)
    if (m := s.get("multipleOf")) is not None and not (_num(m) and m > 0):
        raise UnsupportedSchema(ptr, "multipleOf", "must be a positive number")
    step = _frac(m) if m is not None else Fraction(1)
    step = Fraction(step.numerator) if integer else step  # the smallest integer multiple of p/q is p
    up = Fraction(0) if lo is None or lo < 0 or (lo == 0 and not lo_x) else math.ceil(lo / step) * step
    up = up + step if lo_x and up == lo else up
    # a few steps further too: float-minded validators reject e.g. 0.3 as a multiple of 0.1 (0.3 / 0.1 != 3)
    cands = [up + (n + j) * step for j in range(4)]
    if hi is not None:
        down = math.floor(hi / step) * step
        down = down - step if hi_x and down == hi else down
        cands += [down - (n + j) * step for j in range(4)]
    if lo is not None and hi is not None and m is None and not integer:
        cands.append(lo + (hi - lo) / (n + 2))
    for x in cands:
        if _num_ok(x, s) and (m is None or (float(x) / m).is_integer()):
            return int(x) if x.denominator == 1 else float(x)
    if n:
        return _number(s, ptr, integer, 0)  # no further distinct value: the array builder sees the duplicate
    raise UnsupportedSchema(
        ptr,
        "multipleOf" if m is not None else "exclusiveMaximum" if hi_x else "maximum",
        "no number satisfies the bounds",
    )


def _fit(text: str, n: int, lo: int, hi: int | None, pad: str = "x") -> str:
    """``text`` with variant suffix ``n``, truncated to ``hi`` and padded with ``pad`` to ``lo`` characters."""
    out = text + _sfx(n) if hi is None else (text[: max(hi - len(_sfx(n)), 0)] + _sfx(n))[:hi]
    return out + pad * (lo - len(out))


def _string(s: Mapping[str, Any], ptr: str, name: str | None, n: int) -> str:
    lo, hi, pattern = s.get("minLength", 0), s.get("maxLength"), s.get("pattern")
    if isinstance(lo, int) and lo > MAX_SIZE:
        raise UnsupportedSchema(ptr, "minLength", f"is above the {MAX_SIZE} the mock generates")
    if hi is not None and lo > hi:
        raise UnsupportedSchema(ptr, "maxLength", "is below minLength")
    if (fmt := _FORMATS.get(s["format"]) if isinstance(s.get("format"), str) else None) is not None:
        value = fmt(n)
        if len(value) < lo or (hi is not None and len(value) > hi):
            raise UnsupportedSchema(ptr, "minLength" if len(value) < lo else "maxLength", f"conflicts with {value!r}")
        if pattern is not None and not _matches(pattern, value, ptr):
            raise UnsupportedSchema(ptr, "pattern", f"{pattern!r} does not match the format's {value!r}")
        return value
    if pattern is None:
        return _fit(name or "string", n, lo, hi)
    found: list[str] = []
    for seed in [x for x in (name or "string", _synth(pattern), *_PATTERN_SEEDS) if x is not None]:
        for pad in ((seed or "x")[-1], "x", "0"):  # pad short candidates by repeating their last character
            if (value := _fit(seed, 0, lo, hi, pad)) not in found and _matches(pattern, value, ptr):
                found.append(value)
    if not found:
        raise UnsupportedSchema(ptr, "pattern", f"no candidate string matches {pattern!r}")
    return found[n % len(found)]


def _synth(pattern: str) -> str | None:
    """A string read off the pattern's parse tree (first branch, fewest repeats), or None if unsupported."""

    def emit(seq: Any) -> None:
        for op, av in seq:
            kind = str(op)
            if kind == "IN":  # a class: its first member (negated classes are left to the fixed seeds)
                if str(av[0][0]) == "NEGATE":
                    raise ValueError("negated class")
                (op, av), kind = av[0], str(av[0][0])
            if kind in ("LITERAL", "NOT_LITERAL", "ANY", "RANGE", "CATEGORY"):
                out.append(
                    chr(av)
                    if kind == "LITERAL"
                    else chr(av[0])
                    if kind == "RANGE"
                    else _CLASS_CHARS[str(av)]
                    if kind == "CATEGORY"
                    else "b"
                    if av == ord("a")
                    else "a"
                )
            elif kind in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                for _ in range(av[0]):
                    emit(av[2])
            elif kind in ("SUBPATTERN", "ATOMIC_GROUP", "BRANCH"):
                emit(av[3] if kind == "SUBPATTERN" else av[1][0] if kind == "BRANCH" else av)
            elif kind not in ("AT", "ASSERT", "ASSERT_NOT"):
                raise ValueError(kind)

    out: list[str] = []
    try:
        emit(_parser.parse(pattern))
    except Exception:  # private parser API: any surprise just means "no synthesized candidate"
        return None
    return "".join(out)


def _merge(a: Mapping[str, Any], b: Mapping[str, Any], ptr: str) -> dict[str, Any]:
    """Both schemas at once (allOf): objects combined, bounds tightened, types intersected; otherwise ``a`` wins."""
    out = dict(a)
    for k, bv in b.items():
        if (av := out.get(k, _MISSING)) is _MISSING or _same(av, bv):
            out[k] = bv
        elif k == "properties":
            out[k] = {**av, **{p: {"allOf": [av[p], sv]} if p in av else sv for p, sv in bv.items()}}
        elif k == "required":
            out[k] = list(dict.fromkeys([*av, *bv]))
        elif k == "type":
            al, bl = ([av] if isinstance(av, str) else av), ([bv] if isinstance(bv, str) else bv)
            out[k] = list(
                dict.fromkeys(
                    [t for t in al if t in bl or (t == "integer" and "number" in bl)]
                    + ["integer" for t in al if t == "number" and "integer" in bl]
                )
            )
            if not out[k]:
                raise UnsupportedSchema(ptr, "type", f"allOf requires both {av!r} and {bv!r}")
        elif k in _LOWER | _UPPER and _num(av) and _num(bv):
            out[k] = max(av, bv) if k in _LOWER else min(av, bv)
        elif k == "enum":
            out[k] = [x for x in av if any(_same(x, y) for y in bv)]
        elif k == "const":
            raise UnsupportedSchema(ptr, "const", f"allOf requires both {av!r} and {bv!r}")
        elif k in ("additionalProperties", "items"):
            out[k] = False if av is False or bv is False else {"allOf": [av, bv]}
        elif k in ("anyOf", "oneOf"):  # (x1 | x2) & B == (x1 & B) | (x2 & B)
            out[k] = [{"allOf": [x, {k: bv}]} for x in av]
        elif k == "not":
            out[k] = {"anyOf": [av, bv]}
        elif k == "pattern":
            out[k] = f"^(?=[\\s\\S]*?(?:{av}))(?=[\\s\\S]*?(?:{bv}))"
        elif k == "multipleOf" and _num(av) and _num(bv):
            fa, fb = _frac(av), _frac(bv)
            lcm = Fraction(math.lcm(fa.numerator, fb.numerator), math.gcd(fa.denominator, fb.denominator))
            out[k] = int(lcm) if lcm.denominator == 1 else float(lcm)
    for side in (a, b):  # `additionalProperties: false` admits only the properties declared beside it
        if side.get("additionalProperties") is False and "patternProperties" not in side:
            allowed = side.get("properties") or {}
            out["properties"] = {k: v for k, v in (out.get("properties") or {}).items() if k in allowed}
            if extra := [k for k in out.get("required") or () if k not in allowed]:
                raise UnsupportedSchema(ptr, "additionalProperties", f"allOf forbids the required {extra}")
    return out


class _Builder:
    """One generation run; holds only the root schema (for ``$ref``), so nothing outlives the call.

    Recursion: a ``$ref`` already on the path switches to *minimal* mode (null first, ``minItems`` items, only
    required properties); a ``$ref`` appearing twice on the path has no finite instance on this route.
    ``n`` is a variant number, so array items (and ``uniqueItems`` retries) differ.
    """

    def __init__(self, root: Any) -> None:
        self.root = root

    def resolve(self, ref: Any, ptr: str) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#") or ref[1:2] not in ("", "/"):
            raise UnsupportedSchema(ptr, "$ref", f"only local JSON-pointer references are supported, got {ref!r}")
        node = self.root
        for token in unquote(ref[1:]).split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            elif isinstance(node, Mapping) and token in node:
                node = node[token]
            else:
                raise UnsupportedSchema(ptr, "$ref", f"{ref!r} does not resolve")
        return node

    def flatten(self, s: Any, ptr: str, stack: tuple[str, ...]) -> tuple[Mapping[str, Any], str, tuple[str, ...], bool]:
        """``s`` with ``$ref``/``allOf`` merged in, its pointer, the ``$ref`` path, and whether a ``$ref`` recurred."""
        if s is True or s is False or not isinstance(s, Mapping):
            if s is True:
                return {}, ptr, stack, False
            raise (
                UnsupportedSchema(ptr, "false", "the schema accepts nothing")
                if s is False
                else UnsupportedSchema(ptr, "type", f"a schema must be an object or a boolean, not {type(s).__name__}")
            )
        if "$ref" in s:
            ref, target = s["$ref"], self.resolve(s["$ref"], ptr)
            if stack.count(ref) >= 2:
                raise UnsupportedSchema(ref, "$ref", "the recursive reference has no finite instance")
            t, tptr, stack, again = self.flatten(target, ref, (*stack, ref))
            again = again or stack.count(ref) > 1  # this $ref was already on the path: recursion
            if not (rest := {k: v for k, v in s.items() if k != "$ref" and k not in _SKIP}):
                return t, tptr, stack, again
            r, _, stack, more = self.flatten(rest, ptr, stack)
            return _merge(t, r, ptr), tptr, stack, again or more
        if "allOf" in s:
            merged, revisit = {k: v for k, v in s.items() if k != "allOf"}, False
            for i, sub in enumerate(s["allOf"]):
                part, _, stack, again = self.flatten(sub, f"{ptr}/allOf/{i}", stack)
                merged, revisit = _merge(merged, part, ptr), revisit or again
            return merged, ptr, stack, revisit
        return s, ptr, stack, False

    def gen(self, schema: Any, ptr: str, name: str | None, stack: tuple[str, ...], minimal: bool, n: int) -> Any:
        s, ptr, stack, revisit = self.flatten(schema, ptr, stack)
        minimal = minimal or revisit
        if "not" in s:  # generate without it, then make sure the value clearly fails the `not` schema
            for variant in range(n, n + 4):
                value = self.gen({k: v for k, v in s.items() if k != "not"}, ptr, name, stack, minimal, variant)
                if not self.fits(value, s["not"]):
                    return value
            raise UnsupportedSchema(ptr, "not", "cannot show an example fails the `not` schema")
        if "const" in s:
            if not self.fits(s["const"], s):
                raise UnsupportedSchema(ptr, "const", "the constant violates the rest of its schema")
            return copy.deepcopy(s["const"])
        examples = s.get("examples")
        given = ([s["default"]] if "default" in s else []) + (examples[:1] if isinstance(examples, list) else [])
        for value in given if n == 0 else ():  # variants (n > 0) must differ, so they skip default/examples
            if self.fits(value, s):
                return copy.deepcopy(value)
        for key in ("anyOf", "oneOf"):
            if key in s:
                return self.choose(s, key, ptr, name, stack, minimal, n)
        if "enum" in s:
            if not (ok := [e for e in s["enum"] if self.fits(e, s)]):
                raise UnsupportedSchema(ptr, "enum", "no listed value satisfies the rest of the schema")
            return copy.deepcopy(ok[n % len(ok)])
        declared = s.get("type")
        types = [declared] if isinstance(declared, str) else list(declared or ())
        if declared is None and not (types := [t for t, keys in _INFER if any(k in s for k in keys)][:1]):
            return None
        order = [t for t in types if t != "null"]
        order = (["null", *order] if minimal else [*order, "null"]) if "null" in types else order
        errors: list[UnsupportedSchema] = []
        for t in order:  # a type list falls back to its next type when one cannot be generated
            try:
                return self.typed(t, s, ptr, name, stack, minimal, n)
            except UnsupportedSchema as exc:
                errors.append(exc)
        raise errors[0] if errors else UnsupportedSchema(ptr, "type", "the type list is empty")

    def typed(
        self, t: Any, s: Mapping[str, Any], ptr: str, name: str | None, stack: tuple[str, ...], minimal: bool, n: int
    ) -> Any:
        if t == "object":
            return self.obj(s, ptr, stack, minimal, n)
        if t == "array":
            return self.arr(s, ptr, name, stack, minimal, n)
        if t == "string":
            return _string(s, ptr, name, n)
        if t in ("integer", "number"):
            return _number(s, ptr, t == "integer", n)
        if t in ("boolean", "null"):
            return n % 2 == 0 if t == "boolean" else None
        raise UnsupportedSchema(ptr, "type", f"unknown type {t!r}")

    def choose(
        self, s: Mapping[str, Any], key: str, ptr: str, name: str | None, stack: tuple[str, ...], minimal: bool, n: int
    ) -> Any:
        """The first branch that can be generated (when recursing: null-accepting, then non-recursive ones first).

        For oneOf, a value another branch seems to accept too is kept only if no later branch gives an unambiguous one.
        """
        branches, rest = list(s[key]), {k: v for k, v in s.items() if k != key and k not in _SKIP}
        order = list(range(len(branches)))
        if minimal or any(_recursive(b, stack) for b in branches):
            order.sort(key=lambda i: (not self.fits(None, branches[i]), _recursive(branches[i], stack)))
        first, error = _MISSING, None
        for i in order:
            try:
                value = self.gen(
                    {"allOf": [rest, branches[i]]} if rest else branches[i], f"{ptr}/{key}/{i}", name, stack, minimal, n
                )
            except UnsupportedSchema as exc:
                error = error or exc
                continue
            if key == "anyOf" or not any(self.fits(value, b) for j, b in enumerate(branches) if j != i):
                return value
            first = value if first is _MISSING else first
        if first is _MISSING:
            raise UnsupportedSchema(ptr, key, f"no branch can be generated (first failure: {error})")
        return first

    def obj(self, s: Mapping[str, Any], ptr: str, stack: tuple[str, ...], minimal: bool, n: int) -> dict[str, Any]:
        props, extra = s.get("properties") or {}, s.get("additionalProperties", True)
        required = list(dict.fromkeys(s.get("required") or ()))
        wanted = set(required) if minimal or extra is not False else {*required, *props}
        out: dict[str, Any] = {}
        for k in [k for k in props if k in wanted] + [k for k in required if k not in props]:
            if k not in props and extra is False:
                raise UnsupportedSchema(ptr, "additionalProperties", f"required property {k!r} is not declared")
            sub, sptr = (
                (props[k], f"{ptr}/properties/{k.replace('~', '~0').replace('/', '~1')}")
                if k in props
                else (extra, f"{ptr}/additionalProperties")
            )
            out[k] = self.gen(sub, sptr, k, stack, minimal, n)
        return out

    def arr(
        self, s: Mapping[str, Any], ptr: str, name: str | None, stack: tuple[str, ...], minimal: bool, n: int
    ) -> list[Any]:
        prefix, items = list(s.get("prefixItems") or ()), s.get("items", True)
        lo, hi = s.get("minItems", 0), s.get("maxItems")
        if isinstance(lo, int) and lo > MAX_SIZE:
            raise UnsupportedSchema(ptr, "minItems", f"is above the {MAX_SIZE} the mock generates")
        if hi is not None and lo > hi:
            raise UnsupportedSchema(ptr, "maxItems", "is below minItems")
        count = lo if minimal or _recursive(items, stack) else max(lo, 1, len(prefix))
        count = count if hi is None else min(count, hi)
        if items is False:
            if lo > len(prefix):
                raise UnsupportedSchema(ptr, "items", f"minItems {lo} needs more than {len(prefix)} prefixItems")
            count = min(count, len(prefix))
        out: list[Any] = []
        seen: set[str] = set()
        for i in range(count):
            sub, sptr = (prefix[i], f"{ptr}/prefixItems/{i}") if i < len(prefix) else (items, f"{ptr}/items")
            start = n + max(i - len(prefix), 0)  # repeated `items` vary; uniqueItems retries further variants
            for variant in range(start, start + 16):
                key = json.dumps(value := self.gen(sub, sptr, name, stack, minimal, variant), sort_keys=True)
                if not s.get("uniqueItems") or key not in seen:
                    break
            else:
                raise UnsupportedSchema(ptr, "uniqueItems", f"cannot generate {count} distinct items")
            seen.add(key)
            out.append(value)
        return out

    def fits(self, value: Any, s: Any, depth: int = 0) -> bool:
        """Whether ``value`` looks valid: False is certain, True may be optimistic (unknown keywords pass)."""
        if s is False or s is True or depth > 32 or not isinstance(s, Mapping):
            return s is not False
        if "$ref" in s:
            try:
                if not self.fits(value, self.resolve(s["$ref"], "#"), depth + 1):
                    return False
            except UnsupportedSchema:
                pass
        types = [t] if isinstance(t := s.get("type"), str) else t
        if types is not None and not any(_is_type(value, x) for x in types):
            return False
        if ("const" in s and not _same(value, s["const"])) or (
            "enum" in s and not any(_same(value, e) for e in s["enum"])
        ):
            return False
        if not all(self.fits(value, b, depth + 1) for b in s.get("allOf", ())) or any(
            k in s and not any(self.fits(value, b, depth + 1) for b in s[k]) for k in ("anyOf", "oneOf")
        ):
            return False
        if isinstance(value, str):
            return s.get("minLength", 0) <= len(value) <= s.get("maxLength", math.inf) and (
                "pattern" not in s or _matches(s["pattern"], value)
            )
        if _num(value):
            return _num_ok(_frac(value), s)
        if isinstance(value, list):
            prefix, items = s.get("prefixItems") or [], s.get("items", True)
            return s.get("minItems", 0) <= len(value) <= s.get("maxItems", math.inf) and all(
                self.fits(v, prefix[i] if i < len(prefix) else items, depth + 1) for i, v in enumerate(value)
            )
        if isinstance(value, Mapping):
            props = s.get("properties") or {}
            extra = True if "patternProperties" in s else s.get("additionalProperties", True)
            return all(k in value for k in s.get("required") or ()) and all(
                self.fits(v, props.get(k, extra), depth + 1) for k, v in value.items()
            )
        return True
