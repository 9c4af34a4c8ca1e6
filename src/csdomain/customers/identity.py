"""CUS-1 identities in one canonical form, so the same person cannot be registered twice by
writing the same phone or ID number differently.

* Text typed with a Chinese input method may carry full-width forms (``１３９…``, ``ＡＢ``):
  Unicode NFKC folds them to ASCII before anything else looks at the value.
* Phones are parsed by ``phonenumbers`` (Google's libphonenumber data) in the policy's
  default region and stored in E.164: ``+86 139-0013-9000``, ``13900139000`` and
  ``１３９００１３９０００`` are all ``+8613900139000``.
* PRC resident identity card numbers (GB 11643) are checked: 17 digits and a check
  character, a real birth date, and the ISO 7064 MOD 11-2 check character.

The functions raise ``ValidationError`` naming the field and rule CUS-1, so every adapter
reports a bad identity the same way (HTTP 422, CLI exit code 3).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import phonenumbers

from csdomain.kernel.errors import ValidationError

_RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
# ISO 7064 MOD 11-2 as used by GB 11643: weights 2^(17-i) mod 11, check = (12 - sum) mod 11
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK = "10X98765432"
_EARLIEST_BIRTH_YEAR = 1800  # GB 11643 region/date layout; no one alive was born earlier


def nfkc(value: str) -> str:
    """Unicode NFKC, trimmed: full-width digits and letters become ASCII (CUS-1)."""
    return unicodedata.normalize("NFKC", value).strip()


def normalize_phone(raw: str, region: str, *, field: str = "phone") -> str:
    """The E.164 form of ``raw`` (``+8613900139000``), read in ``region`` when it has no
    ``+`` country code; refused unless libphonenumber calls it a possible number."""
    text = nfkc(raw)
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(f"{raw!r} is not a phone number", field=field, rule="CUS-1") from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValidationError(
            f"{raw!r} is not a possible phone number in {region}", field=field, rule="CUS-1"
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_region(code: str) -> bool:
    """Whether ``code`` is a region libphonenumber knows (policy validation)."""
    return code in phonenumbers.SUPPORTED_REGIONS


def resident_id_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits (GB 11643)."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def resident_id_birth_date(value: str) -> date | None:
    """The birth date held in characters 7-14 of an 18-character resident ID (None when they
    are no date); VIS-6 birthday calls read it too."""
    if len(value) != 18 or not value[6:14].isdigit():
        return None
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def normalize_resident_id(raw: str, *, field: str = "id_number") -> str:
    """A PRC resident ID number in canonical form (NFKC, upper-case ``X``), checked for
    length, birth date and check character (CUS-1)."""
    value = nfkc(raw).upper()
    if not _RESIDENT_ID.match(value):
        raise ValidationError(
            "a resident ID number is 17 digits and a check digit or X (18 characters)",
            field=field,
            rule="CUS-1",
        )
    born = resident_id_birth_date(value)
    if born is None:
        raise ValidationError(
            f"characters 7-14 must be a birth date; {value[6:14]} is not a date",
            field=field,
            rule="CUS-1",
        )
    if born.year < _EARLIEST_BIRTH_YEAR:
        raise ValidationError(
            f"birth date {born.isoformat()} is not plausible", field=field, rule="CUS-1"
        )
    expected = resident_id_check_character(value[:17])
    if value[17] != expected:
        raise ValidationError(
            "the check character does not match (ISO 7064 MOD 11-2); "
            "the number was probably mistyped",
            field=field,
            rule="CUS-1",
        )
    return value


def normalize_id_number(raw: str, *, individual: bool, field: str = "id_number") -> str:
    """An ID number in canonical form: a natural person's must be a valid resident ID
    number; a legal person's (e.g. unified social credit code) is NFKC upper-cased."""
    if individual:
        return normalize_resident_id(raw, field=field)
    value = nfkc(raw).upper()
    if not value:
        raise ValidationError("must not be empty", field=field, rule="CUS-1")
    return value


def identity_lock_keys(phone: str | None, id_number: str | None) -> list[str]:
    """The unit-of-work lock keys that serialise CUS-1 checks on these identities."""
    keys = [f"customer-identity:phone:{phone}"] if phone else []
    if id_number:
        keys.append(f"customer-identity:id:{id_number}")
    return keys


__all__ = [
    "identity_lock_keys",
    "is_region",
    "nfkc",
    "normalize_id_number",
    "normalize_phone",
    "normalize_resident_id",
    "resident_id_check_character",
]
