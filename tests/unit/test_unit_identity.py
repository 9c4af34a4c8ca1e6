"""CUS-1 identities in canonical form: E.164 phones (phonenumbers, policy region), NFKC
text, checked PRC resident ID numbers (GB 11643: date and ISO 7064 MOD 11-2)."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from unit_support import register, snapshot

from adapters.bootstrap import bootstrap
from adapters.policy_file import default_policy
from adapters.policy_file.loader import parse_policy, policy_to_dict
from adapters.settings import Settings
from csd_support import make_org
from csdomain.customers.identity import (
    nfkc,
    normalize_id_number,
    normalize_phone,
    normalize_resident_id,
    resident_id_check_character,
)
from csdomain.customers.model import LegalForm
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import Conflict, PolicyError, ValidationError

SAME_PHONE = [
    "+86 139-0013-9000",
    "13900139000",
    "１３９００１３９０００",
    "+8613900139000",
    "0086 139 0013 9000",
    "(139) 0013 9000",
]


@pytest.mark.parametrize("typed", SAME_PHONE)
def test_cus1_one_phone_written_many_ways_is_one_e164_number(typed: str) -> None:
    assert normalize_phone(typed, "CN") == "+8613900139000"


def test_cus1_landlines_and_foreign_numbers_keep_their_country() -> None:
    assert normalize_phone("(010) 6512-3456", "CN") == "+861065123456"
    assert normalize_phone("+852 2123 4567", "CN") == "+85221234567"
    assert normalize_phone("2123 4567", "HK") == "+85221234567"


@pytest.mark.parametrize("bad", ["", "phone", "123", "+86 1", "1" * 30])
def test_cus1_impossible_phones_are_refused_naming_field_and_rule(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_phone(bad, "CN")
    assert (info.value.field, info.value.rule) == ("phone", "CUS-1")


def test_nfkc_folds_full_width_forms_typed_with_a_chinese_ime() -> None:
    assert nfkc("　ＡＢＣ１２３　") == "ABC123"
    assert nfkc("王小明") == "王小明"


def test_cus1_resident_id_check_character_is_iso_7064_mod_11_2() -> None:
    # the GB 11643 example and numbers whose check characters cover 0…9 and X
    assert resident_id_check_character("11010519491231002") == "X"
    assert resident_id_check_character("44030419850815123") == "0"
    assert normalize_resident_id(" 11010519491231002x ") == "11010519491231002X"
    assert normalize_resident_id("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("1101051949123100", "18 characters"),
        ("11010519491231002A", "18 characters"),
        ("110105194902300021", "birth date"),  # 30 February
        ("110105170001010011", "plausible"),
        ("110105194912310021", "check character"),
    ],
)
def test_cus1_bad_resident_ids_are_refused_naming_field_and_rule(bad: str, why: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_resident_id(bad)
    assert (info.value.field, info.value.rule) == ("id_number", "CUS-1")
    assert why in info.value.message


def test_cus1_a_legal_persons_id_number_is_only_folded() -> None:
    assert normalize_id_number("９１３１００００ａｂｃ", individual=False) == "91310000ABC"


def test_cus1_registration_stores_e164_and_folds_names(app: Any, org: Any) -> None:
    c = register(app, org.sales.id, name="　王小明　", phone="１３９ ００１３ ９０００")
    assert (c.name, c.phone) == ("王小明", "+8613900139000")


@pytest.mark.parametrize("typed", SAME_PHONE[1:])
def test_cus1_the_same_phone_written_differently_is_a_conflict(
    app: Any, org: Any, typed: str
) -> None:
    first = register(app, org.sales.id, phone=SAME_PHONE[0])
    before = snapshot(app)
    with pytest.raises(Conflict) as info:
        register(app, org.sales2.id, phone=typed)
    assert info.value.field == "phone" and first.id in info.value.message
    assert snapshot(app) == before


def test_cus1_bad_resident_id_at_registration_stores_nothing(app: Any, org: Any) -> None:
    before = snapshot(app)
    with pytest.raises(ValidationError) as info:
        register(app, org.sales.id, id_number="110105194912310021")
    assert (info.value.field, info.value.rule) == ("id_number", "CUS-1")
    assert snapshot(app) == before


def test_cus1_corporate_customers_keep_their_registration_number(app: Any, org: Any) -> None:
    c = register(app, org.sales.id, legal_form=LegalForm.CORPORATE, id_number="91310000abc")
    assert c.id_number == "91310000ABC"


def test_cus1_phone_region_comes_from_the_policy(clock: FixedClock) -> None:
    policy = default_policy()
    registration = attrs.evolve(policy.customers.registration, phone_region="HK")
    policy = attrs.evolve(
        policy, customers=attrs.evolve(policy.customers, registration=registration)
    )
    app = bootstrap(Settings(storage="memory"), clock=clock, policy=policy)
    org = make_org(app)
    c = register(app, org.sales.id, phone="2123 4567")
    assert c.phone == "+85221234567"


def test_policy_refuses_an_unknown_phone_region() -> None:
    document = policy_to_dict(default_policy())
    document["customers"]["registration"]["phone_region"] = "XX"
    with pytest.raises(PolicyError) as info:
        parse_policy(document)
    assert any("phone_region" in f"{path} {why}" for path, why in info.value.problems)


def test_policy_files_without_phone_region_read_phones_as_cn() -> None:
    document = policy_to_dict(default_policy())
    del document["customers"]["registration"]["phone_region"]
    assert parse_policy(document).customers.registration.phone_region == "CN"
