"""Anonymize a ticket export: tokens for people and clients, generalized products, scrubbed free text, and a leak check."""
from __future__ import annotations

import base64
import bisect
import enum
import hashlib
import hmac
import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

import ahocorasick
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core import contract, parallel

__all__ = [
    "Action", "Plan", "Key", "Anonymized", "LeakReport", "default_plan", "plan_table",
    "plan_to_toml", "plan_from_toml", "strip_vendor_prefix_preset", "load_value_map_toml",
    "value_map_to_toml", "normalize_value", "anonymize", "scrub_text", "reveal", "leak_check", "LEAK_KINDS",
]

CODE_CHARS = 12  # 60 bits of HMAC: ~4e-7 chance of any collision among a million values
_KDF_SALT = b"tierlens-token-key-v1"  # fixed so one passphrase gives the same tokens in every file
_KDF_ROUNDS = 200_000
# Labels naming organisations, not people: their values are not re-ordered as 'Last, First'.
_ORG_WORDS = frozenset(
    "school client company customer organisation organization account institution business "
    "college university academy branch site partner vendor supplier".split()
)


class Action(str, enum.Enum):
    """What happens to one column of the wide table."""

    KEEP = "keep"
    TOKENIZE = "tokenize"
    GENERALIZE = "generalize"
    SCRUB = "scrub"
    DROP = "drop"


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Plan:
    """Per-column actions for the wide table.

    ``labels`` names the token label of every personal column ('School', 'Agent'); a
    labelled column whose action is drop or scrub still feeds the names scrubbed from
    free text. ``person_names`` lists columns holding people's names, where
    'Smith, John' and 'John Smith' are one person. ``product_column`` is the column the
    events table's ``product`` comes from.
    """

    actions: dict[str, Action]
    labels: dict[str, str] = field(default_factory=dict)
    generalize: dict[str, dict[str, str]] = field(default_factory=dict)
    person_names: tuple[str, ...] = ()
    product_column: str | None = None

    def __post_init__(self) -> None:
        # Copies, so a caller editing its dicts later cannot change a frozen plan.
        object.__setattr__(self, "actions", {c: Action(a) for c, a in self.actions.items()})
        object.__setattr__(self, "labels", dict(self.labels))
        object.__setattr__(self, "generalize", {c: dict(m) for c, m in self.generalize.items()})
        object.__setattr__(self, "person_names", tuple(self.person_names))
        for column, action in self.actions.items():
            if action is Action.TOKENIZE and not self.labels.get(column):
                raise ValueError(f"column '{column}' is tokenized but has no token label")
            if action is Action.GENERALIZE and column not in self.generalize:
                raise ValueError(f"column '{column}' is generalized but has no value map")

    def columns_with(self, action: Action) -> tuple[str, ...]:
        return tuple(c for c, a in self.actions.items() if a is action)

    @property
    def drop(self) -> tuple[str, ...]:
        return self.columns_with(Action.DROP)

    @property
    def keep(self) -> tuple[str, ...]:
        return self.columns_with(Action.KEEP)

    @property
    def personal(self) -> dict[str, str]:
        """Labelled columns the plan does not keep as they are: their values are personal."""
        return {c: l for c, l in self.labels.items() if self.actions.get(c, Action.KEEP) is not Action.KEEP}

    def with_action(self, column: str, action: Action | str, *, label: str | None = None,
                    value_map: dict[str, str] | None = None) -> "Plan":
        """A copy of the plan with one column's action changed.

        >>> p = default_plan(["a", "b"], {"a": "Agent"}).with_action("b", "drop")
        >>> p.drop
        ('b',)
        """
        actions = {**self.actions, column: Action(action)}
        labels = {**self.labels, **({column: label} if label else {})}
        generalize = {**self.generalize, **({column: value_map} if value_map is not None else {})}
        return replace(self, actions=actions, labels=labels, generalize=generalize)


def _is_person_label(label: str) -> bool:
    return not (set(re.findall(r"[a-z]+", label.casefold())) & _ORG_WORDS)


def default_plan(columns: Iterable[str], personal: dict[str, str], free_text: tuple[str, ...] = (),
                 product_column: str | None = None, product_map: dict[str, str] | None = None,
                 person_names: tuple[str, ...] | None = None) -> Plan:
    """Tokenize personal columns, scrub free text, generalize the product when a map is given.

    ``person_names`` defaults to the personal columns whose label does not name an
    organisation ('Agent' yes, 'School' no).

    >>> p = default_plan(["School Name", "Title", "product", "Region"],
    ...                  {"School Name": "School"}, ("Title",), "product", {"ZX_A": "A"})
    >>> [a.value for a in p.actions.values()]
    ['tokenize', 'scrub', 'generalize', 'keep']
    >>> p.person_names
    ()
    """
    columns = list(columns)
    actions: dict[str, Action] = {}
    for column in columns:
        if column in personal:
            actions[column] = Action.TOKENIZE
        elif column in free_text:
            actions[column] = Action.SCRUB
        elif column == product_column and product_map is not None:
            actions[column] = Action.GENERALIZE
        else:
            actions[column] = Action.KEEP
    labels = {c: l for c, l in personal.items() if c in actions}
    if person_names is None:
        person_names = tuple(c for c, l in labels.items() if _is_person_label(l))
    generalize = {product_column: dict(product_map)} if product_column in actions and product_map is not None else {}
    return Plan(actions, labels, generalize, person_names, product_column if product_column in actions else None)


_DETAILS = {
    Action.KEEP: "unchanged",
    Action.SCRUB: "names from personal columns, e-mails, phone numbers and URLs replaced",
    Action.DROP: "removed from the download",
}


def plan_table(plan: Plan) -> pd.DataFrame:
    """The plan as rows (column, action, detail) for the app; details never show cell values.

    >>> plan_table(default_plan(["a"], {"a": "Agent"})).loc[0, "detail"]
    "replaced by 'Agent N'"
    """
    rows = []
    for column, action in plan.actions.items():
        if action is Action.TOKENIZE:
            detail = f"replaced by '{plan.labels[column]} N'"
        elif action is Action.GENERALIZE:
            detail = f"{len(plan.generalize[column])} values mapped to shown names"
        else:
            detail = _DETAILS[action]
        rows.append((column, action.value, detail))
    return pd.DataFrame(rows, columns=["column", "action", "detail"])


# ---------------------------------------------------------------- TOML


def _toml_str(text: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes, except that TOML forbids a raw DEL.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_table(name: str, items: dict[str, str]) -> list[str]:
    return [f"[{name}]", *(f"{_toml_str(k)} = {_toml_str(v)}" for k, v in items.items()), ""]


def plan_to_toml(plan: Plan) -> str:
    """Write a plan as TOML that ``plan_from_toml`` reads back unchanged."""
    lines = ["# TierLens anonymization plan", "version = 1"]
    if plan.product_column is not None:
        lines.append(f"product_column = {_toml_str(plan.product_column)}")
    lines.append("person_names = [" + ", ".join(_toml_str(c) for c in plan.person_names) + "]")
    lines.append("")
    lines += _toml_table("actions", {c: a.value for c, a in plan.actions.items()})
    lines += _toml_table("labels", plan.labels)
    for column, mapping in plan.generalize.items():
        lines += _toml_table(f"generalize.{_toml_str(column)}", mapping)
    return "\n".join(lines)


_PLAN_KEYS = ("version", "product_column", "person_names", "actions", "labels", "generalize")
_PLAN_EXPECTED = ("expected an [actions] table (column = keep, tokenize, generalize, scrub or drop), "
                  "optionally [labels], [generalize.\"column\"], person_names, product_column and version")
# Top-level keys of the project's other TOML files, to say which file was given instead.
_OTHER_FILES = {
    **dict.fromkeys(("allowances", "clock", "pause_statuses", "business_hours", "overrides"), "an SLA policy"),
    **dict.fromkeys(("roles", "shape", "timezone", "free_text", "status_values", "tier_values", "priority_values",
                     "date_orders", "personal"), "a column mapping"),
    "values": "a product name map",
}


def plan_from_toml(text: str) -> Plan:
    """Read a plan written by ``plan_to_toml`` or by hand. ValueError, in one line, for text
    that is not TOML, a key or table a plan does not have (a typo like ``[action]`` would
    otherwise leave the plan meaning nothing), a file without ``[actions]``, a bad action or
    a missing label.

    >>> p = default_plan(["a", "b"], {"a": "Agent"})
    >>> plan_from_toml(plan_to_toml(p)) == p
    True
    >>> plan_from_toml('[action]\\n"b" = "drop"')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the anonymization plan has an unknown table or key: action; expected an [actions] table ...
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"the anonymization plan is not valid TOML: {exc}") from None
    unknown = [k for k in data if k not in _PLAN_KEYS]
    if unknown:
        kinds = sorted({_OTHER_FILES[k] for k in unknown if k in _OTHER_FILES})
        looks = f" (this looks like {' or '.join(kinds)} file)" if kinds else ""
        what = "unknown tables or keys" if len(unknown) > 1 else "an unknown table or key"
        raise ValueError(f"the anonymization plan has {what}: {', '.join(unknown)}{looks}; {_PLAN_EXPECTED}")
    if "actions" not in data:
        raise ValueError(f"the anonymization plan has no [actions] table; {_PLAN_EXPECTED}")
    actions = _plan_table(data, "actions")
    allowed = {a.value for a in Action}
    odd = [c for c, a in actions.items() if a not in allowed]
    if odd:
        raise ValueError(f"unknown action in the anonymization plan for column{'s' if len(odd) > 1 else ''} "
                         f"{', '.join(repr(c) for c in odd)}; use one of {', '.join(a.value for a in Action)}")
    actions = {str(c): Action(a) for c, a in actions.items()}
    generalize = data.get("generalize", {})
    if not isinstance(generalize, dict) or not all(isinstance(m, dict) for m in generalize.values()):
        raise ValueError('the anonymization plan\'s generalize must hold one [generalize."column"] table per column')
    person_names = data.get("person_names", [])
    if not isinstance(person_names, list) or not all(isinstance(c, str) for c in person_names):
        raise ValueError("the anonymization plan's person_names must be a list of column names")
    product_column = data.get("product_column")
    if product_column is not None and not isinstance(product_column, str):
        raise ValueError("the anonymization plan's product_column must be a column name in quotes")
    return Plan(
        actions,
        {str(c): str(l) for c, l in _plan_table(data, "labels").items()},
        {str(c): {str(k): str(v) for k, v in _plan_table(generalize, c, f'generalize."{c}"').items()}
         for c in generalize},
        tuple(person_names),
        product_column,
    )


def _plan_table(data: dict, key: str, name: str | None = None) -> dict[str, str]:
    table = data.get(key, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise ValueError(f"the anonymization plan's [{name or key}] must map each column to a text value")
    return table


def load_value_map_toml(text: str) -> dict[str, str]:
    """Read a value map (raw value -> shown name) from a ``[values]`` table or top-level pairs.

    >>> load_value_map_toml('[values]\\nACME_SMS = "Notifier"')
    {'ACME_SMS': 'Notifier'}
    """
    data = tomllib.loads(text)
    table = data.get("values", data)
    if not all(isinstance(v, str) for v in table.values()):
        raise ValueError("a value map must map each value to a text shown name")
    return {str(k): v for k, v in table.items()}


def value_map_to_toml(mapping: dict[str, str]) -> str:
    """Write a value map as TOML that ``load_value_map_toml`` reads back."""
    return "\n".join(_toml_table("values", mapping))


def strip_vendor_prefix_preset(values: Iterable[str]) -> dict[str, str]:
    """Shown names from vendor codes: shared prefix removed, underscores to spaces, title case.

    >>> strip_vendor_prefix_preset(["ACME_BULK_SMS", "ACME_FINANCE"])
    {'ACME_BULK_SMS': 'Bulk Sms', 'ACME_FINANCE': 'Finance'}
    """
    distinct = sorted({str(v) for v in values if isinstance(v, str) and v.strip()})
    parts = [v.strip().split("_") for v in distinct]
    if not parts:
        return {}
    # Leave at least one word of every value; a lone value loses only its first word.
    cap = min(len(p) for p in parts) - 1 if len(parts) > 1 else min(1, len(parts[0]) - 1)
    shared = 0
    while shared < cap and len({tuple(p[: shared + 1]) for p in parts}) == 1:
        shared += 1
    return {v: " ".join(w for w in p[shared:] if w).title() for v, p in zip(distinct, parts)}


# ---------------------------------------------------------------- normalization


def _fold_char(ch: str) -> str:
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", ch).casefold())
    return "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c))


class _FoldTable(dict):
    """str.translate table folding each character for matching, filled on first sight.

    It holds single characters only, never values, so keeping it for the process is safe."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable((c, _fold_char(chr(c))) for c in range(128))
_SPACES = re.compile(" {2,}")


def _collapse(translated: str) -> str:
    return _SPACES.sub(" ", translated) if "  " in translated else translated


def _fold(text: str) -> str:
    """Text for matching: casefolded, accents off, punctuation and spaces as single spaces.

    Folding is per character, so 'e' + combining diaeresis and 'ë' both give 'e'."""
    return _collapse(text.translate(_FOLD_TABLE))


# Joins many values into one text so they fold (one str.translate) and are searched (one
# automaton pass) together. Folding turns a non-alphanumeric character into a space, so no
# folded value holds it; values holding it themselves are folded one by one.
_SEP = "\x00"


class _JoinFoldTable(dict):
    """``_FOLD_TABLE`` except that ``_SEP`` stays itself (one character for one keeps
    ``str.translate`` on its fast path for ASCII text)."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _FOLD_TABLE[code]
        return folded


_JOIN_FOLD_TABLE = _JoinFoldTable({ord(_SEP): _SEP})
_JOIN_CHARS = 1 << 22  # characters folded and searched per batch: bounds memory on long texts
_JOINER = f" {_SEP} "  # the spaces end a word at the end of every value


def _fold_joined(values: list[str]) -> str:
    """The values folded, each between spaces, joined by ``_SEP``: `` a \\x00 b `` for
    'A', 'b'; ``split(_SEP)`` then ``strip`` gives each ``_fold(v).strip()``.

    ASCII values are folded with one translate for all of them (its fast path); text with
    other characters takes the slow path of ``str.translate`` anyway (a dictionary look-up
    per character), so it is folded value by value."""
    joined = _JOINER.join(values)
    if joined.isascii() and joined.count(_SEP) == len(values) - 1:
        return _collapse_ascii(f" {joined.translate(_JOIN_FOLD_TABLE)} ")[0]
    folded = list(values)
    ascii_mask = np.fromiter((v.isascii() and _SEP not in v for v in values), dtype=bool, count=len(values))
    plain = np.flatnonzero(ascii_mask).tolist()
    if plain:
        ascii_folded = _SEP.join([values[i] for i in plain]).translate(_JOIN_FOLD_TABLE).split(_SEP)
        for i, text in zip(plain, ascii_folded):
            folded[i] = text
    for i in np.flatnonzero(~ascii_mask).tolist():
        folded[i] = values[i].translate(_FOLD_TABLE)  # folds a _SEP inside a value to a space
    return _collapse(f" {_JOINER.join(folded)} ")


def _collapse_ascii(translated: str) -> tuple[str, np.ndarray]:
    """``_collapse`` of ASCII text with numpy, and which characters it kept."""
    codes = np.frombuffer(translated.encode("ascii"), dtype=np.uint8)
    keep = np.ones(len(codes), dtype=bool)  # a space right after a space goes
    keep[1:] = (codes[1:] != 32) | (codes[:-1] != 32)
    return codes[keep].tobytes().decode("ascii"), keep


def _batches(values: list[str]) -> Iterable[tuple[int, int]]:
    """(start, stop) slices of ``values`` of about ``_JOIN_CHARS`` characters each (at least one value)."""
    budget = _JOIN_CHARS
    ends = np.cumsum(np.fromiter(map(len, values), dtype=np.int64, count=len(values)) + 1)
    start = 0
    while start < len(values):
        before = int(ends[start - 1]) if start else 0
        stop = max(start + 1, int(np.searchsorted(ends, before + budget, side="right")))
        yield start, stop
        start = stop


def _fold_offsets(text: str, translated: str) -> Callable[[int], int]:
    """For an index of ``_collapse(translated)``, the index in ``text`` its character came from."""
    if len(translated) == len(text):  # one character each: only collapsed spaces move things
        kept: list[int] = []  # where each run of spaces is left as one space, after collapsing
        removed = [0]  # characters removed by the runs before
        for run in _SPACES.finditer(translated):
            kept.append(run.start() - removed[-1])
            removed.append(removed[-1] + run.end() - run.start() - 1)
        return lambda index: index + removed[bisect.bisect_left(kept, index)]
    starts = []
    space = False
    for i, ch in enumerate(text):
        for c in _FOLD_TABLE[ord(ch)]:
            if c == " ":
                if space:
                    continue
                space = True
            else:
                space = False
            starts.append(i)
    return starts.__getitem__


def _reorder_last_first(text: str) -> str:
    parts = text.split(",")
    return f"{parts[1]} {parts[0]}" if len(parts) == 2 and parts[0].strip() and parts[1].strip() else text


def normalize_value(value: object, person: bool = False) -> str:
    """The identity of a personal value: same person or client, same result.

    >>> normalize_value("  O'Sullivan,  ZOË ", person=True)
    'zoe o sullivan'
    >>> normalize_value(12.0)
    '12'
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    if person:
        text = _reorder_last_first(text)
    return _fold(text).strip()


# ---------------------------------------------------------------- keys and tokens


class Key:
    """Secret bytes that make tokens stable across files; never shown in repr, str or errors."""

    __slots__ = ("_secret",)
    MIN_PASSPHRASE_CHARS = 16  # the app's Download page and the CLI's --passphrase-file ask for this many

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, (bytes, bytearray)) or len(secret) < 16:
            raise ValueError("a token key needs at least 16 bytes")
        self._secret = bytes(secret)

    @classmethod
    def from_passphrase(cls, passphrase: str) -> "Key":
        if len(passphrase) < cls.MIN_PASSPHRASE_CHARS:
            raise ValueError(f"a passphrase needs at least {cls.MIN_PASSPHRASE_CHARS} characters")
        return cls(hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), _KDF_SALT, _KDF_ROUNDS))

    @classmethod
    def from_file(cls, path: str | Path) -> "Key":
        return cls(Path(path).read_bytes())

    def code(self, label: str, normalized: str) -> str:
        digest = hmac.new(self._secret, f"{label}\x00{normalized}".encode("utf-8"), hashlib.sha256).digest()
        return base64.b32encode(digest).decode("ascii")[:CODE_CHARS]

    def __repr__(self) -> str:
        return "Key(<hidden>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key) and hmac.compare_digest(self._secret, other._secret)

    def __hash__(self) -> int:
        return hash(self.code("", ""))

    def __reduce__(self):  # pickling would write the secret somewhere we do not control
        raise TypeError("a token key cannot be pickled")


class _TokenSpace:
    """Tokens per (label, normalized value): numbered by first appearance, or keyed codes."""

    def __init__(self, key: Key | None) -> None:
        self._key = key
        self._tokens: dict[tuple[str, str], str] = {}
        self._codes: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}
        self.rows: dict[tuple[str, str], str] = {}  # (label, raw text) -> token, in order of appearance
        # Normalized personal values: a numbered token never equals one, so a file whose
        # values already look like tokens ('School 12') cannot have them reappear on other rows.
        self.reserved: set[str] = set()

    def token(self, label: str, normalized: str) -> str:
        found = self._tokens.get((label, normalized))
        if found is not None:
            return found
        if self._key is None:
            n = self._counts.get(label, 0) + 1
            while normalize_value(f"{label} {n}") in self.reserved:
                n += 1
            self._counts[label] = n
            token = f"{label} {n}"
        else:
            code = self._key.code(label, normalized)
            if self._codes.setdefault((label, code), normalized) != normalized:
                raise ValueError(f"two different '{label}' values met one token code; report this")
            token = f"{label} {code}"
        self._tokens[(label, normalized)] = token
        return token

    def add(self, label: str, raw: object, normalized: str) -> str:
        token = self.token(label, normalized)
        self.rows.setdefault((label, str(raw)), token)
        return token


def _coerce_key(key: bytes | Key | None) -> Key | None:
    return key if key is None or isinstance(key, Key) else Key(key)


# ---------------------------------------------------------------- distinct-value mapping


_STR = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas 3's default 'str' dtype


def _map_distinct(series: pd.Series, fn: Callable[[object], object] | None = None, *,
                  many: Callable[[list[object]], list[object]] | None = None) -> pd.Series:
    """Apply ``fn`` once per distinct non-null value (or ``many`` once to the list of them)
    and spread the text results by position."""
    arrow = _arrow_text(series)
    if arrow is not None:  # a pandas `str` column: Arrow's dictionary encoding, 2-3x faster than pd.factorize
        encoded = arrow.combine_chunks().dictionary_encode()  # nulls stay null indices, so they take a null
        values = encoded.dictionary.to_pylist()
        results = many(values) if many is not None else map(fn, values)
        mapped = pa.array([None if r is None else str(r) for r in results], type=pa.large_string())
        return pd.Series(pd.arrays.ArrowStringArray(mapped.take(encoded.indices), dtype=_STR),
                         index=series.index, name=series.name)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = uniques.to_numpy(dtype=object) if hasattr(uniques, "to_numpy") else uniques
    results = many(list(values)) if many is not None else map(fn, values)
    mapped = [None if r is None else str(r) for r in results] + [None]  # code -1 picks None
    positions = pa.array(np.where(codes < 0, len(mapped) - 1, codes))
    taken = pa.array(mapped, type=pa.large_string()).take(positions)
    return pd.Series(pd.arrays.ArrowStringArray(taken, dtype=_STR), index=series.index, name=series.name)


# ---------------------------------------------------------------- free-text scrubbing

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
# Bounded repeats keep long descriptions linear: no backtracking over a whole paragraph.
_EMAIL = re.compile(r"[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
# Not right after a word character, '+' or '#', nor after a word and '-' or '/': the digits
# of 'INC0712345678', '#0712345678' and 'TCK-0712345678' are a ticket number, not a phone.
_PHONE = re.compile(r"(?<![\w+#])(?<!\w[-/])(?:\+|\(\d)?[\d(][\d\s().-]{4,24}\d(?![\w])")
# A date at the start of a phone match ('2025-07-16', '16-07-2025', '16.07.25'), before the
# end or a space or 'T' (a time may follow): kept, and only the rest is looked at.
_DATE_START = re.compile(r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}([-.])\d{1,2}\1(?:\d{4}|\d{2}))(?=$|[ T])")
_DOTTED_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")  # 1.234.567: an amount
_URL_TAIL = ".,;:!?)]}'\""


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    date = _DATE_START.match(text)
    if date:
        return text[:date.end()] + _PHONE.sub(_phone, text[date.end():])
    digits = sum(map(str.isdigit, text))
    separated = not text.isdigit()
    if digits > 15 or digits < 7:
        return text
    if separated and text.count(".") == 1 and not re.search(r"[\s()-]", text):
        return text  # a decimal number, not a phone
    if _DOTTED_THOUSANDS.fullmatch(text):
        return text
    if not separated and not (text[0] == "0" and text[1] != "0" and 9 <= digits <= 11):
        return text  # a bare run of digits is an id ('0012345678' too) unless it looks like a local number
    return "[PHONE]"


def _url(match: re.Match[str]) -> str:
    text = match.group(0)
    stripped = text.rstrip(_URL_TAIL)
    return "[URL]" + text[len(stripped):]


# What free text is scrubbed of, in the order it is replaced (a link holding 'user@host' is
# one link): (kind, a quick test the text must pass first, pattern, replacement). The leak
# check looks for the same kinds with the same patterns. The phone test is the caller's
# digit count (a phone needs 7 digits).
_PATTERNS = (
    ("link", re.compile(r"http|www\.", re.IGNORECASE), _URL, _url),
    ("email", re.compile("@"), _EMAIL, "[EMAIL]"),
    ("phone", None, _PHONE, _phone),
)


def _replace_patterns(text: str, phones: bool = True, others: bool = True) -> tuple[str, tuple[str, ...]]:
    """The text with links, e-mails and phone numbers replaced, and the kinds replaced.
    ``phones=False`` / ``others=False`` when the text is known to hold no phone number / no
    link or e-mail (see ``_pattern_candidates``).

    >>> _replace_patterns("mail a@b.org or see www.x.org")
    ('mail [EMAIL] or see [URL]', ('link', 'email'))
    """
    kinds = []
    for kind, guard, pattern, replacement in _PATTERNS:
        if (phones if guard is None else others and guard.search(text)):
            replaced = pattern.sub(replacement, text)
            if replaced != text:
                kinds.append(kind)
                text = replaced
    return text, tuple(kinds)


def _scrub_patterns(text: str, phones: bool = True) -> str:
    """URLs, e-mails and phone numbers replaced; ``phones=False`` when the text is known to
    hold fewer than 7 digits (no phone then)."""
    return _replace_patterns(text, phones)[0]


# For texts that fail all three, ``_scrub_patterns`` returns the text unchanged: no link or
# e-mail guard holds (case-insensitive, as ``_URL`` is), and a phone needs 7 digits. Python's
# ``\d`` is any Unicode decimal digit; the RE2 test looks for seven characters that are not a
# letter, mark, separator, punctuation or symbol (all numbers, controls, unassigned), a
# superset whatever its Unicode version. One automaton pass: twice as fast as counting them.
_PATTERN_GUARD = r"(?i)http|www\.|@"
_MAYBE_DIGIT = r"[^\p{L}\p{M}\p{Z}\p{P}\p{S}]"
_SEVEN_DIGITS = rf"(?s)(?:{_MAYBE_DIGIT}.*?){{7}}"


def _pattern_candidates(arrow: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per text: whether it could hold a link or e-mail, and whether it could hold a phone
    number (7 digits or more), by vectorised Arrow string kernels."""
    guarded = pc.match_substring_regex(arrow, _PATTERN_GUARD).to_numpy(zero_copy_only=False)
    phones = pc.match_substring_regex(arrow, _SEVEN_DIGITS).to_numpy(zero_copy_only=False)
    return guarded, phones


def _scrub_many(values: list[object], matcher: _Matcher) -> list[str]:
    """``matcher.replace(_scrub_patterns(str(v)))`` for each value. The regular expressions
    run only on the texts vectorised Arrow string kernels find could hold a URL, e-mail or
    phone number; the names are searched in every text."""
    texts = [v if type(v) is str else str(v) for v in values]
    if not texts:
        return texts
    guarded, phones = _pattern_candidates(pa.array(texts, type=pa.large_string()))
    for i in np.flatnonzero(guarded | phones):
        texts[i] = _replace_patterns(texts[i], bool(phones[i]), bool(guarded[i]))[0]
    return matcher.replace_many(texts)


class _Matcher:
    """Whole-word, case- and accent-insensitive search for many phrases at once (Aho-Corasick)."""

    def __init__(self, phrases: dict[str, str] | dict[str, str | tuple[str, int]]) -> None:
        """``phrases``: folded phrase -> replacement, or -> (replacement, n) to keep the
        phrase's first n characters as written and replace only the rest ('mr li' -> ('Agent
        2', 3): 'Mr. Li' -> 'Mr. Agent 2')."""
        self._size = len(phrases)
        # Texts are rewritten joined by _JOINER unless a replacement could hold it.
        self._joinable = True
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        # Each phrase is searched with a space on both sides in text with a space at both
        # ends, so every hit the automaton reports is already a whole-word match. A hit's
        # span is counted back from its end, so a length without the kept characters
        # replaces only what follows them.
        add = self._automaton.add_word
        for phrase, replacement in phrases.items():
            length = len(phrase)
            if type(replacement) is tuple:
                replacement, kept = replacement
                length -= kept
            if _SEP in replacement:
                self._joinable = False
            add(f" {phrase} ", (length, replacement))
        if phrases:
            self._automaton.make_automaton()

    def spans(self, folded: str) -> list[tuple[int, int, str]]:
        """Non-overlapping whole-word matches in folded text, longest first at each start."""
        if not self._size:
            return []
        # In " " + folded + " " a hit ending at ``end`` (its closing space) covers
        # folded[end - length - 1:end - 1].
        return _choose([(end - length - 1, -length, replacement)
                        for end, (length, replacement) in self._automaton.iter(f" {folded} ")])

    def replace_many(self, texts: list[str]) -> list[str]:
        """``[self.replace(t) for t in texts]``, in batches for the ASCII texts.

        ASCII folds one character to one, so a batch of them joined by ``_JOINER`` is
        folded with one translate, searched with one automaton pass and rewritten in one
        go (``_replace_joined``); the other texts are rewritten one by one."""
        out = list(texts)
        if not self._size:
            return out
        plain = np.fromiter((t.isascii() and _SEP not in t for t in texts), dtype=bool, count=len(texts))
        for i in np.flatnonzero(~plain).tolist():
            out[i] = self.replace(texts[i])
        if not self._joinable:
            for i in np.flatnonzero(plain).tolist():
                out[i] = self.replace(texts[i])
            return out
        positions = np.flatnonzero(plain).tolist()
        batch = [texts[i] for i in positions]
        for start, stop in _batches(batch):
            for i, text in zip(positions[start:stop], self._replace_joined(batch[start:stop])):
                out[i] = text
        return out

    def _replace_joined(self, texts: list[str]) -> list[str]:
        """``replace`` of ASCII texts without ``_SEP``, all at once (see ``replace_many``)."""
        padded = f" {_JOINER.join(texts)} "
        folded, keep = _collapse_ascii(padded.translate(_JOIN_FOLD_TABLE))  # one character for one
        origin = np.flatnonzero(keep)  # index in ``padded`` of each character of ``folded``
        # Every text is between spaces here, so a key " phrase " ending at ``end`` covers
        # folded[end - length:end]; no match crosses a _SEP, so choosing among all the
        # matches at once chooses as each text alone would.
        spans = _choose([(end - length, -length, replacement)
                         for end, (length, replacement) in self._automaton.iter(folded)])
        if not spans:
            return texts
        out, last = [], 0
        for start, end, replacement in spans:
            out += [padded[last:origin[start]], replacement]
            last = int(origin[end])  # never the end: the closing space follows every match
        out.append(padded[last:])
        return "".join(out)[1:-1].split(_JOINER)

    def word_ends(self, joined: str) -> list[int]:
        """Offsets of the last character of every whole-word match in ``_fold_joined`` text:
        one automaton pass for all the values joined there."""
        if not self._size:
            return []
        return [end - 1 for end, _ in self._automaton.iter(joined)]

    def replace(self, text: str) -> str:
        translated = text.translate(_FOLD_TABLE)
        folded = _collapse(translated)
        spans = self.spans(folded)
        if not spans:
            return text
        origin = _fold_offsets(text, translated)  # offsets only for the texts that match
        out, last = [], 0
        for start, end, replacement in spans:
            out += [text[last:origin(start)], replacement]
            last = origin(end) if end < len(folded) else len(text)
        out.append(text[last:])
        return "".join(out)


def _choose(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of the non-overlapping matches among (start, -length,
    replacement) ones: leftmost first, the longest at each start."""
    found.sort()
    chosen, reach = [], 0
    for start, neg, replacement in found:
        if start >= reach:
            chosen.append((start, start - neg, replacement))
            reach = start - neg
    return chosen


# Words that are no name: token labels and common words of teams, queues and organisations
# (no given name or surname among them). A value made of them and numbers only ('Agent 7'
# from an export anonymized by hand, 'Support Desk', 'Tier 2 Support') has no name part:
# it is replaced as a whole, never a word of it alone, so that 'Agent 3 handover' is not
# read as a mention of 'Agent 7'. Nor is such a word a part of an organisation ('high' of
# 'Alliance High School'). In a person's value with a name word ('Hope Support') every
# word is a part, as 'Will' and 'May' are. The labels of the plan's own columns are never
# parts (see ``_scrub_phrases``).
_LABEL_WORDS = frozenset(
    "agent school client requester manager regional relationship person region name customer "
    "user contact owner".split()
)
_COMMON_WORDS = _LABEL_WORDS | _ORG_WORDS | frozenset(
    "support team desk helpdesk servicedesk service services help admin administrator system bot "
    "queue level tier group unit department dept office staff tech technician engineer analyst "
    "specialist consultant representative operator escalation escalations unassigned unknown none "
    "null default general test auto automation api "
    "high primary secondary girls boys international ltd limited inc llc plc holdings the and".split()
)
# Courtesy titles before a 1-2 letter name part ('Mr Li', 'Ms. Ng'): only there is such a
# part replaced, since alone it is a common syllable ('li', 'ng').
_TITLES = ("mr", "mrs", "ms", "miss", "dr", "prof")


def _part_words(normalized: str, labels: frozenset[str] = frozenset(), person: bool = True) -> list[str]:
    """Words of 3+ letters, with a short particle before one ('o sullivan', 'de souza');
    never a word of ``labels`` (the plan's token labels) nor a particle that is not a word
    of letters ('7 smith'); no word of ``_COMMON_WORDS`` either, unless ``person`` and the
    value has a name word besides (see ``_COMMON_WORDS``).

    >>> _part_words("agent 7"), _part_words("zoe o sullivan"), _part_words("support desk")
    ([], ['zoe', 'sullivan', 'o sullivan'], [])
    >>> _part_words("st mary s girls high school", person=False)
    ['mary', 'st mary']
    """
    return _name_parts(normalized, labels, person)[0]


def _name_parts(normalized: str, labels: frozenset[str], person: bool) -> tuple[list[str], list[str]]:
    """``_part_words``, and the name parts of 1-2 letters ('ng' of 'zoe ng'; none of a
    one-word value nor of an organisation), which are replaced only after a courtesy title.

    >>> _name_parts("zoe ng", frozenset(), True), _name_parts("agent 7", frozenset(), True)
    ((['zoe'], ['ng']), ([], []))
    """
    words = normalized.split(" ")
    if len(words) < 2:
        return [], []
    long = [sum(map(str.isalpha, w)) >= 3 for w in words]
    kept = [is_long and w not in labels and w not in _COMMON_WORDS for w, is_long in zip(words, long)]
    short = [w for w, is_long in zip(words, long) if not is_long and len(w) <= 2 and w.isalpha()]
    named = person and (any(kept) or bool(short))  # 'Jo Li' is a name too
    if named:  # a person's name: its common words are parts of it too
        kept = [is_long and w not in labels for w, is_long in zip(words, long)]
    parts = [w for w, ok in zip(words, kept) if ok]
    parts += [f"{words[i - 1]} {words[i]}" for i in range(1, len(words))
              if kept[i] and not long[i - 1] and words[i - 1].isalpha()]
    if not named:
        short = []
    return [p for p in parts if p != normalized], short


def _variants(raw: object, person: bool) -> tuple[str, ...]:
    """How a value may be written in text: as normalized, and for people also as written
    ('Smith, John') and surname first ('Smith John')."""
    main = normalize_value(raw, person)
    if not person:
        return (main,)
    words = main.split(" ")
    rotated = " ".join([words[-1], *words[:-1]])
    return tuple(dict.fromkeys([main, normalize_value(raw), rotated]))


def _scrub_phrases(entries: Iterable[tuple[str, tuple[str, ...], str]]) -> dict[str, str | tuple[str, int]]:
    """Phrase -> replacement for (label, whole-value variants, token) entries.

    A whole value becomes its token. A part of a name (a word of 3+ letters) becomes the
    token of the one value it belongs to, or ``[Label]`` when several values share it,
    because naming one of them would attribute the text to the wrong person. Parts that
    are also common words ('Will', 'May', 'Mark') are replaced too: privacy over readability.
    The entries' own token labels and numbers are never parts, nor are token labels and
    common words of teams and organisations (``_COMMON_WORDS``) unless a person's value
    has a name word besides: 'Agent 7' and 'Support Desk' are replaced as a whole only,
    never their 'Agent' or 'Desk' alone. A part of 1-2 letters ('Ng', 'Li') of a person is
    replaced only after a courtesy title ('Ms Ng' -> 'Ms Agent 2'): the phrase is then
    ``(title + ' ' + part) -> (replacement, characters of the title and space kept)``. A part
    with a particle also matches with an 's' ('St Marys' of "St. Mary's").

    >>> _scrub_phrases([("Agent", ("agent 7", "7 agent"), "Agent 1")])
    {'agent 7': 'Agent 1', '7 agent': 'Agent 1'}
    >>> _scrub_phrases([("Agent", ("tom li",), "Agent 2")])["mr li"]
    ('Agent 2', 3)
    >>> _scrub_phrases([("School", ("st mary s girls high school",), "School 1")])["st marys"]
    'School 1'
    """
    entries = list(entries)
    people = {label: _is_person_label(label) for label in {e[0] for e in entries}}
    labels = frozenset(w for label in people for w in _fold(label).split())
    whole: dict[str, str] = {}
    parts: dict[str, dict[str, str]] = {}
    shorts: dict[str, dict[str, str]] = {}
    for label, variants, token in entries:
        for phrase in variants:
            whole.setdefault(phrase, token)
            long, short = _name_parts(phrase, labels, people[label])
            for word in long:
                parts.setdefault(word, {})[token] = label
            for word in short:
                shorts.setdefault(word, {})[token] = label
    phrases: dict[str, str | tuple[str, int]] = dict(whole)
    for word, owners in parts.items():
        if word not in phrases:
            phrases[word] = _part_replacement(owners)
    for word, owners in parts.items():
        # a particle's part written possessive without its apostrophe ('St Marys' of 'St. Mary's School');
        # one-word parts get no such form: 'marks' would go with every 'Mark'
        if " " in word and not word.endswith("s"):
            phrases.setdefault(word + "s", _part_replacement(owners))
    for word, owners in shorts.items():
        replacement = _part_replacement(owners)
        for title in _TITLES:
            phrases.setdefault(f"{title} {word}", (replacement, len(title) + 1))
    return phrases


def _part_replacement(owners: dict[str, str]) -> str:
    """What a name part becomes, from its owners (token -> label): the one owner's token,
    else ``[Label]`` of their one label, else ``[Name]``."""
    if len(owners) == 1:
        return next(iter(owners))
    labels = set(owners.values())
    return f"[{labels.pop()}]" if len(labels) == 1 else "[Name]"


def scrub_text(text: str, names: dict[str, str] | None = None, person: bool = True) -> str:
    """Replace e-mails, phones, URLs, and the given names (raw name -> token) in one text.

    For one-off use and examples; ``anonymize`` builds the matcher once for a whole column.

    >>> scrub_text("Call Zoë O'Sullivan on +254 712 345 678 or zoe@x.org",
    ...            {"O'Sullivan, Zoe": "Agent 1"})
    'Call Agent 1 on [PHONE] or [EMAIL]'
    """
    entries = [("Name", _variants(raw, person), token) for raw, token in (names or {}).items()]
    return _Matcher(_scrub_phrases(e for e in entries if e[1][0])).replace(_scrub_patterns(text))


# ---------------------------------------------------------------- anonymize


@dataclass(frozen=True)
class Anonymized:
    """The result: ``clean`` wide table, ``events`` contract table (or None), ``token_map``
    (label, token, original) for re-identification in the user's own session,
    ``originals`` (personal values, for ``leak_check``), and ``unmapped`` (generalized
    column -> number of distinct values left as they were because the map lacks them)."""

    clean: pd.DataFrame
    events: pd.DataFrame | None
    token_map: pd.DataFrame
    originals: frozenset[str]
    unmapped: dict[str, int]

    def __repr__(self) -> str:  # the default repr would print personal values
        return f"Anonymized(clean={self.clean.shape}, tokens={len(self.token_map)}, originals={len(self.originals)})"


def _tokenize(series: pd.Series, lookup: dict[object, str]) -> pd.Series:
    return _map_distinct(series, lambda v: lookup.get(v, v))


def _generalize(series: pd.Series, mapping: dict[str, str]) -> tuple[pd.Series, int]:
    lookup = {normalize_value(k): v for k, v in mapping.items()}
    missing: set[object] = set()

    def shown(value: object) -> object:
        hit = mapping.get(value) if isinstance(value, str) else None
        hit = hit if hit is not None else lookup.get(normalize_value(value))
        if hit is None:
            missing.add(value)
            return value
        return hit

    return _map_distinct(series, shown), len(missing)


@dataclass(frozen=True)
class _Rule:
    """How one column is transformed: its action plus what the action needs."""

    action: Action
    label: str = ""
    person: bool = False
    value_map: dict[str, str] | None = None


def _apply(series: pd.Series, rule: _Rule, registry: _Registry, matcher: _Matcher) -> tuple[pd.Series, int]:
    if rule.action is Action.TOKENIZE:
        return _tokenize(series, registry.lookup[(rule.label, rule.person)]), 0
    if rule.action is Action.GENERALIZE:
        return _generalize(series, rule.value_map or {})
    if rule.action is Action.SCRUB:
        return _map_distinct(series, many=lambda values: _scrub_many(values, matcher)), 0
    return series.copy(), 0


def _event_rules(plan: Plan, events: pd.DataFrame, event_labels: dict[str, str],
                 event_sources: dict[str, str]) -> dict[str, _Rule]:
    rules: dict[str, _Rule] = {}
    for column in events.columns:
        if column in event_labels:
            label = event_labels[column]
            rules[column] = _Rule(Action.TOKENIZE, label, _is_person_label(label))
        elif column in event_sources:
            source = event_sources[column]
            action = plan.actions.get(source, Action.KEEP)
            rules[column] = _Rule(action, plan.labels.get(source, ""), source in plan.person_names,
                                  plan.generalize.get(source))
        elif column in contract.PERSONAL and events[column].notna().any():
            raise ValueError(f"events column '{column}' holds personal data: give it a label in event_labels")
    return rules


def _checkable(normalized: str) -> bool:
    """Whether the leak check should look for a value: names yes, short bare ids ('2') no,
    since they would flag every cell holding that number; long ones (phones) yes."""
    return any(c.isalpha() for c in normalized) or sum(c.isdigit() for c in normalized) >= 7


def _distinct(series: pd.Series) -> np.ndarray:
    """The distinct non-null values of ``series``, in order of first appearance."""
    return pd.unique(series.dropna())


class _Registry:
    """Every personal value's token and spellings, gathered before any column is rewritten."""

    def __init__(self, space: _TokenSpace) -> None:
        self.space = space
        self.lookup: dict[tuple[str, bool], dict[object, str]] = {}
        self.entries: dict[tuple[str, str], tuple[str, set[str]]] = {}
        self.originals: set[str] = set()
        self._pending: list[tuple[str, bool, object, tuple[str, ...]]] = []

    def gather(self, series: pd.Series, label: str, person: bool, distinct: Iterable[object] | None = None) -> None:
        """Register ``series``' values (``distinct``: its distinct non-null values, when known already)."""
        self.lookup.setdefault((label, person), {})
        for value in distinct if distinct is not None else _distinct(series):
            variants = _variants(value, person)
            if variants[0]:  # a value without letters or digits names nobody
                self._pending.append((label, person, value, variants))

    def assign(self) -> None:
        """Tokens in order of first appearance, after every value is known."""
        self.space.reserved = {v for *_, variants in self._pending for v in variants}
        for label, person, value, variants in self._pending:
            lookup = self.lookup[(label, person)]
            if value in lookup:
                continue
            token = lookup[value] = self.space.add(label, value, variants[0])
            self.entries.setdefault((label, variants[0]), (token, set()))[1].update(variants)
            if _checkable(variants[0]):
                self.originals.add(str(value))
        self._pending = []

    def matcher(self) -> _Matcher:
        return _Matcher(_scrub_phrases((l, tuple(sorted(v)), t) for (l, _), (t, v) in self.entries.items()))


def anonymize(frame: pd.DataFrame, plan: Plan, key: bytes | Key | None = None,
              events: pd.DataFrame | None = None, event_labels: dict[str, str] | None = None,
              event_sources: dict[str, str] | None = None) -> Anonymized:
    """Apply ``plan`` to ``frame`` and the same token space to ``events``; inputs are not changed.

    ``event_labels`` (events column -> token label, e.g. {'client': 'School', 'agent':
    'Agent'}) tokenizes events columns; ``event_sources`` (events column -> wide column)
    applies that wide column's action, and defaults to {'product': plan.product_column}.
    A personal events column with values and neither entry raises ValueError.

    >>> wide = pd.DataFrame({"Agent": ["Smith, John", "John Smith", "Ann Lee"],
    ...                      "Title": ["John broke it", "ann.lee@x.org", "ok"]})
    >>> out = anonymize(wide, default_plan(wide.columns, {"Agent": "Agent"}, ("Title",)))
    >>> out.clean.values.tolist()
    [['Agent 1', 'Agent 1 broke it'], ['Agent 1', '[EMAIL]'], ['Agent 2', 'ok']]
    """
    return anonymize_events_first(frame, plan, key, events, event_labels, event_sources).finish()


@dataclass(frozen=True)
class EventsFirst:
    """``anonymize`` in two steps: ``events`` (tokenized, what the dashboards read) is ready;
    ``finish()`` rewrites the wide table (the free-text scrubbing, most of the work) and
    returns the whole ``Anonymized`` result, whose ``events`` is this same frame."""

    events: pd.DataFrame | None
    finish: Callable[[], Anonymized]


def anonymize_events_first(frame: pd.DataFrame, plan: Plan, key: bytes | Key | None = None,
                           events: pd.DataFrame | None = None, event_labels: dict[str, str] | None = None,
                           event_sources: dict[str, str] | None = None) -> EventsFirst:
    """``anonymize``, up to the tokenized events table; the same checks and errors, raised here."""
    if frame.columns.has_duplicates:
        raise ValueError("the table has repeated column names; give each column its own name first")
    uncovered = [c for c in frame.columns if c not in plan.actions]
    if uncovered:
        raise ValueError(f"the plan says nothing about columns: {', '.join(map(str, uncovered))}")
    space = _TokenSpace(_coerce_key(key))
    event_labels = dict(event_labels or {})
    event_sources = dict(event_sources) if event_sources is not None else (
        {"product": plan.product_column} if plan.product_column else {})
    event_rules = _event_rules(plan, events, event_labels, event_sources) if events is not None else {}

    # Every personal value gets its token first, so free text can be scrubbed to the same tokens.
    registry = _Registry(space)
    personal = plan.personal
    sources = [(frame[c], personal[c], c in plan.person_names) for c in frame.columns if c in personal]
    sources += [(events[c], rule.label, rule.person) for c, rule in event_rules.items()  # type: ignore[index]
                if rule.action is Action.TOKENIZE]
    # the columns' distinct values in threads (pyarrow / pandas hashing); registered in column order
    for (series, label, person), distinct in zip(sources, parallel.pmap(lambda s: _distinct(s[0]), sources)):
        registry.gather(series, label, person, distinct)
    registry.assign()
    matcher = registry.matcher()

    out_events = None
    if events is not None:
        out_events = events.copy()

        def rewritten(column: str) -> pd.Series:
            rule = event_rules[column]
            if rule.action is Action.DROP:
                return pd.Series(None, index=events.index, dtype=events[column].dtype)
            return _apply(events[column], rule, registry, matcher)[0]

        for column, series in zip(event_rules, parallel.pmap(rewritten, list(event_rules))):
            out_events[column] = series
    token_map = pd.DataFrame([(l, t, o) for (l, o), t in space.rows.items()],
                             columns=["label", "token", "original"]).astype("str")
    return EventsFirst(out_events, lambda: _anonymize_wide(frame, plan, registry, matcher, out_events, token_map))


def _anonymize_wide(frame: pd.DataFrame, plan: Plan, registry: _Registry, matcher: _Matcher,
                    events: pd.DataFrame | None, token_map: pd.DataFrame) -> Anonymized:
    """The wide table's columns, each by its plan action, with the registry's tokens."""
    unmapped: dict[str, int] = {}
    clean = {}
    for column in frame.columns:
        action = plan.actions[column]
        if action is Action.DROP:
            continue
        rule = _Rule(action, plan.labels.get(column, ""), column in plan.person_names, plan.generalize.get(column))
        clean[column], missing = _apply(frame[column], rule, registry, matcher)
        if action is Action.GENERALIZE:
            unmapped[column] = missing
    return Anonymized(pd.DataFrame(clean, index=frame.index), events, token_map, frozenset(registry.originals), unmapped)


def reveal(frame: pd.DataFrame, token_map: pd.DataFrame) -> pd.DataFrame:
    """Replace tokens (whole cells and inside text) by their first original, for the user's own view."""
    first = token_map.drop_duplicates("token")
    back = dict(zip(first["token"], first["original"]))
    automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
    for token in back:
        automaton.add_word(token, len(token))
    if back:
        automaton.make_automaton()

    def restore(value: object) -> object:
        text = str(value)
        if text in back:
            return back[text]
        found = sorted((end - n + 1, -n) for end, n in automaton.iter(text)
                       if not (end - n >= 0 and text[end - n].isalnum())
                       and not (end + 1 < len(text) and text[end + 1].isalnum()))
        out, last = [], 0
        for start, neg in found:
            if start >= last:
                out += [text[last:start], back[text[start:start - neg]]]
                last = start - neg
        return "".join(out) + text[last:] if out else value

    result = frame.copy()
    if not back:
        return result
    for column in frame.columns:
        if _is_text(frame[column]):
            result[column] = _map_distinct(frame[column], restore)
    return result


# ---------------------------------------------------------------- leak check

# What the leak check finds, by kind: the values of personal columns, and what free text is
# scrubbed of (``_PATTERNS``), wherever it is.
LEAK_KINDS = {"value": "values of personal columns", "email": "e-mail addresses",
              "phone": "phone numbers", "link": "links"}


@dataclass(frozen=True)
class LeakReport:
    """Where personal data survives: cells scanned, cells found, (column, row) hits (first
    1000; rows as a spreadsheet shows the exported file, header = row 1), cells found per
    column, and per column the cells holding each kind (``LEAK_KINDS``; a cell may hold several)."""

    cells_scanned: int
    found: int
    hits: tuple[tuple[str, int], ...]
    columns: dict[str, int]
    kinds: dict[str, dict[str, int]] = field(default_factory=dict)
    # kept columns whose distinct values mostly look like people's names: column -> (name-like, distinct);
    # not a leak the check can prove (no personal column names them), a warning (see name_like_columns)
    name_like: dict[str, tuple[int, int]] = field(default_factory=dict)

    def name_like_message(self) -> str:
        """A sentence naming the kept columns that look like people's names, with counts, never values.

        >>> LeakReport(10, 0, (), {}, name_like={"Support Rep": (17, 17)}).name_like_message()
        "Kept as is, but their values look like people's names: 'Support Rep' (17 of 17 distinct values). Set such a column to tokenize (or drop it) in the plan if it names people."
        """
        if not self.name_like:
            return ""
        where = "; ".join(f"'{c}' ({n:,} of {d:,} distinct values)" for c, (n, d) in self.name_like.items())
        return (f"Kept as is, but their values look like people's names: {where}. Set such a column to tokenize "
                "(or drop it) in the plan if it names people.")

    @property
    def clean(self) -> bool:
        return self.found == 0

    def message(self) -> str:
        """A sentence naming columns, kinds and rows, never values.

        >>> LeakReport(10, 0, (), {}).message()
        'No personal value found in 10 cells (values of personal columns, e-mail addresses, phone numbers, links).'
        >>> LeakReport(10, 2, (("t", 2), ("t", 5)), {"t": 2}, {"t": {"email": 1, "phone": 1}}).message()
        "2 cells still hold personal data ('t': 2 cells, e-mail addresses in 1, phone numbers in 1); first rows: 2, 5."
        """
        if self.clean:
            return f"No personal value found in {self.cells_scanned:,} cells ({', '.join(LEAK_KINDS.values())})."
        where = "; ".join(f"'{c}': {_cells(n)}" + "".join(f", {LEAK_KINDS[k]} in {m:,}"
                                                            for k, m in self.kinds.get(c, {}).items())
                          for c, n in self.columns.items())
        rows = ", ".join(str(r) for _, r in self.hits[:10])
        verb = "holds" if self.found == 1 else "hold"
        return f"{_cells(self.found)} still {verb} personal data ({where}); first rows: {rows}."


# A person's name as an export writes it: two or three capitalised words, or 'Surname, Firstname'.
_NAME_LIKE = re.compile(r"^(?:[A-Z][a-z'’\-]+(?: [A-Z][a-z'’\-]+){1,2}|[A-Z][a-z'’\-]+, [A-Z][a-z'’\-]+)$")
# Words that make such a value a place, a team or an organisation rather than a person.
_PLACE_WORDS = frozenset("county city town district province state region zone area branch campus street road "
                         "avenue centre center north south east west central upper lower new".split())


def name_like_columns(frame: pd.DataFrame, columns: Iterable[str], *, min_names: int = 3,
                      min_share: float = 0.6) -> dict[str, tuple[int, int]]:
    """Text columns of ``columns`` whose distinct values mostly look like people's names.

    A value looks like a name when it is two or three capitalised words ('Kevin Omondi') or
    'Surname, Firstname', none of them a place, team or organisation word ('Nairobi County',
    'Support Desk'). A column is reported with at least ``min_names`` such values making at
    least ``min_share`` of its distinct values: (name-like, distinct).

    >>> name_like_columns(pd.DataFrame({"rep": ["Kevin Omondi", "Lucy Njoroge", "Omondi, Kevin", None],
    ...                                 "county": ["Nairobi County", "Nyeri County", "Kiambu County", "Meru"]}),
    ...                   ["rep", "county"])
    {'rep': (3, 3)}
    """
    out = {}
    for column in columns:
        series = frame[column]
        if not _is_text(series):
            continue
        distinct = pd.Series(pd.unique(series.dropna()), dtype="object").astype(str)
        if len(distinct) < min_names:
            continue
        shaped = distinct[distinct.str.match(_NAME_LIKE)]
        words = shaped.str.lower().str.replace(",", " ", regex=False).str.split()
        names = int(sum(1 for w in words if not (set(w) & (_COMMON_WORDS | _PLACE_WORDS))))
        if names >= min_names and names >= min_share * len(distinct):
            out[column] = (names, len(distinct))
    return out


def _cells(n: int) -> str:
    return f"{n:,} cell{'' if n == 1 else 's'}"


def _is_text(series: pd.Series) -> bool:
    return (pd.api.types.is_string_dtype(series.dtype) or series.dtype == object
            or isinstance(series.dtype, pd.CategoricalDtype))


def leak_check(frame: pd.DataFrame, originals: Iterable[str], min_len: int = 3,
               limit: int = 1000, patterns: bool = True) -> LeakReport:
    """Scan every text cell for every original: equal (ignoring case, accents, punctuation)
    or contained as whole words; and, unless ``patterns=False``, for the e-mail addresses,
    phone numbers and links free text is scrubbed of, found by the scrubber's own patterns.
    Originals shorter than ``min_len`` count only as whole cells. Numeric and date columns
    cannot hold names, e-mails or links and are not scanned (a phone number stored as a
    number has no separators, so it cannot be told from an id or an amount).

    Each column's distinct values are folded and searched together (see ``_leaking``);
    only the values found are looked up again in the rows.

    >>> r = leak_check(pd.DataFrame({"t": ["hi Zoe Ng", "ok", "ZOË NG", "ring +254 712 345678"]}), ["Zoë Ng"])
    >>> r.found, r.hits, r.kinds
    (3, (('t', 2), ('t', 4), ('t', 5)), {'t': {'value': 2, 'phone': 1}})
    """
    folded = {normalize_value(o) for o in originals if isinstance(o, str)}
    folded.discard("")
    matcher = _Matcher({o: "" for o in folded if len(o) >= min_len})
    text_columns = [c for c in frame.columns if _is_text(frame[c])]
    per_column: dict[str, int] = {}
    kinds: dict[str, dict[str, int]] = {}
    positions: list[tuple[int, int]] = []
    for index, column in enumerate(text_columns):
        rows, counts = _leaking_rows(frame[column], folded, matcher, patterns)
        if not len(rows):
            continue
        per_column[str(column)] = len(rows)
        kinds[str(column)] = counts
        positions += [(int(r), index) for r in rows[:limit]]
    positions.sort()
    hits = tuple((str(text_columns[c]), r + 2) for r, c in positions[:limit])
    return LeakReport(len(frame) * len(text_columns), sum(per_column.values()), hits, per_column, kinds)


def _arrow_text(series: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow strings a pandas ``str`` column holds (no copy), or None for other columns."""
    held = getattr(series.array, "_pa_array", None) if isinstance(series.dtype, pd.StringDtype) else None
    if isinstance(held, pa.ChunkedArray) and (pa.types.is_string(held.type) or pa.types.is_large_string(held.type)):
        return held
    return None


def _leaking_rows(series: pd.Series, folded: set[str], matcher: _Matcher,
                  patterns: bool) -> tuple[np.ndarray, dict[str, int]]:
    """Positions of the cells of one column that hold personal data, ascending, and the
    number of cells holding each kind found."""
    arrow = _arrow_text(series)
    if arrow is not None:
        uniques = pc.drop_null(pc.unique(arrow))
        found = _leaking(uniques.to_pylist(), folded, matcher, uniques if patterns else None)
        if not found:
            return np.empty(0, dtype=np.int64), {}
        # Index of each cell's value among the uniques; a null cell gets the extra False at the end.
        codes = pc.fill_null(pc.index_in(arrow, value_set=uniques), len(uniques)).to_numpy(zero_copy_only=False)
    else:
        codes, values = pd.factorize(series, use_na_sentinel=True)
        texts = [str(u) for u in values]
        found = _leaking(texts, folded, matcher, pa.array(texts, type=pa.large_string()) if patterns else None)
        if not found:
            return np.empty(0, dtype=np.int64), {}
        codes = np.where(codes < 0, len(texts), codes)
    bad = np.logical_or.reduce(list(found.values()))
    cells = {kind: np.append(mask, False)[codes] for kind, mask in found.items()}
    rows = np.flatnonzero(np.append(bad, False)[codes])
    return rows, {kind: int(hit.sum()) for kind, hit in cells.items()}


def _leaking(values: list[str], folded: set[str], matcher: _Matcher,
             arrow: pa.Array | None) -> dict[str, np.ndarray]:
    """Per kind found (``LEAK_KINDS``), which values hold it; kinds found in no value are left out.

    Values of personal columns: the folded text equals an original, or holds one as whole
    words. The values are folded and searched joined by ``_SEP``, in batches of
    ``_JOIN_CHARS`` characters: one translate and one automaton pass per batch; each hit is
    mapped back to its value by its offset. Patterns (when ``arrow``, the same values as an
    Arrow array, is given): the scrubber's patterns, run only on the values the Arrow
    kernels of ``_pattern_candidates`` pass."""
    bad = np.zeros(len(values), dtype=bool)
    for start, stop in _batches(values):
        joined = _fold_joined(values[start:stop])
        cells = joined.split(_SEP)
        bad[start:stop] = [cell.strip() in folded for cell in cells]
        ends = matcher.word_ends(joined)
        if ends:
            bounds = np.cumsum(np.fromiter(map(len, cells), dtype=np.int64, count=len(cells)) + 1)
            bad[start + np.searchsorted(bounds, ends, side="right")] = True
    found = {"value": bad}
    if arrow is not None and len(values):
        guarded, phones = _pattern_candidates(arrow)
        for kind in ("email", "phone", "link"):
            found[kind] = np.zeros(len(values), dtype=bool)
        for i in np.flatnonzero(guarded | phones).tolist():
            for kind in _replace_patterns(values[i], bool(phones[i]), bool(guarded[i]))[1]:
                found[kind][i] = True
    return {kind: mask for kind, mask in found.items() if mask.any()}
