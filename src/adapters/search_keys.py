"""Search keys for finding customers by name, pinyin, phone or ID number (issue 11).

A customer is found when one of its *keys* starts with the normalized query, so a storage
adapter answers with an index range scan (``key >= q AND key < q⁺``) instead of reading every
customer. The keys of ``张三`` / ``13800138000``:

- every suffix of the name (so a prefix match is a substring match): ``张三``, ``三``;
- the pinyin and its syllable suffixes: ``zhangsan``, ``san``;
- the pinyin initials and their suffixes: ``zs``, ``s``;
- the phone (``phone_key``) and the ID number.

``zhang``, ``zs``, ``三``, ``138001`` all find 张三. Keys are computed here, once, for the
memory and SQL adapters alike; pypinyin does the Chinese → pinyin step.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from csdomain.customers.commands import normalize_phone
from csdomain.kernel.errors import DomainError

KEY_LENGTH = 64  # the column width; longer keys (and queries) are cut to it
MIN_QUERY = 1
MAX_QUERY = KEY_LENGTH
_MAX_NAME = 40  # suffixes of the first 40 characters: bounded keys per customer
_PHONE_CHARS = re.compile(r"\+?[\d\s()\-]+")


def normalize(text: str) -> str:
    """NFKC, lower case, no whitespace: ``Zhang San`` and ``ｚｈａｎｇｓａｎ`` → ``zhangsan``."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(folded.split())[:KEY_LENGTH]


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def phone_key(phone: str) -> str:
    """The digits that identify a mainland phone, however it was typed or stored.

    One small function on purpose: it goes through the core's ``normalize_phone`` (the same
    normalization registration uses, CUS-1; E.164 once it is that), keeps the digits, and
    drops the country code 86 that normalization added or a 13-digit number carries, so
    ``+86 138 0013 8000``, ``13800138000``, ``138-0013-8000`` and the prefix ``138 0013``
    meet on the same key. A query normalization refuses falls back to its digits.
    """
    raw = _digits(phone)
    try:
        normalized = _digits(normalize_phone(phone))
    except (ValueError, DomainError):
        normalized = raw
    if normalized.startswith("86") and (len(normalized) == 13 or not raw.startswith("86")):
        normalized = normalized[2:]
    return normalized[:KEY_LENGTH]


def _suffixes(parts: list[str]) -> Iterable[str]:
    for i in range(len(parts)):
        yield "".join(parts[i:])


def name_keys(name: str) -> set[str]:
    """The keys of a name: its character suffixes, pinyin and initials (with suffixes)."""
    from pypinyin import lazy_pinyin  # its dictionaries load in ~0.7 s: only when needed

    text = normalize(name)[:_MAX_NAME]
    if not text:
        return set()
    keys = set(_suffixes(list(text)))
    syllables = [s for s in (normalize(p) for p in lazy_pinyin(text)) if s]
    initials = [s[0] for s in syllables]
    keys.update(_suffixes(syllables))
    keys.update(_suffixes(initials))
    return {k[:KEY_LENGTH] for k in keys if k}


def customer_keys(name: str, phone: str, id_number: str | None) -> set[str]:
    """Every key a customer is found by."""
    keys = name_keys(name)
    if phone_key(phone):
        keys.add(phone_key(phone))
    if id_number and normalize(id_number):
        keys.add(normalize(id_number))
    return keys


def query_keys(query: str) -> list[str]:
    """The prefixes to look up for a query: the normalized text, and for something that
    looks like a phone number also its ``phone_key``."""
    out = [normalize(query)]
    if _PHONE_CHARS.fullmatch(query.strip()):
        out.append(phone_key(query))
    return sorted({k for k in out if k})


def upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``: the
    exclusive end of the index range (``prefix`` with its last character incremented)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def matches(keys: Iterable[str], queries: Iterable[str]) -> bool:
    """True when a key starts with one of the query prefixes (what the index range finds)."""
    wanted = list(queries)
    return any(k.startswith(q) for k in keys for q in wanted)
