"""Screening finds sensitive words and personal data with exact spans, and nothing else."""

import pytest
from django.core.exceptions import ValidationError

from archivox.core.models import AuditEntry, Role, SensitiveWord
from archivox.core.screening import (
    Finding,
    WordMatcher,
    screen_text,
    sensitive_word_add,
    sensitive_word_list,
    sensitive_word_remove,
    sensitive_words_set,
)
from archivox.core.selectors import ArchivePermissionDenied
from archivox.core.services import membership_grant
from tests.factories import ArchiveFactory, UserFactory

VALID_ID = "11010519491231002X"  # the standard's own example: check digit X
VALID_ID_2 = "440308199901010012"


def id_check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def kinds(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in findings]


def screen(*texts: str, archive=None) -> list[Finding]:
    return screen_text(archive=archive, fields={f"f{i}": t for i, t in enumerate(texts)})


@pytest.fixture
def archive(db):
    return ArchiveFactory(slug="nanjing", name_zh="南京市档案馆")


@pytest.fixture
def admin_user(archive):
    user = UserFactory()
    membership_grant(actor=None, archive=archive, user=user, role=Role.ADMINISTRATOR)
    return user


# ---------------------------------------------------------------- resident ID numbers


def test_the_example_numbers_have_the_check_digits_the_tests_assume():
    assert id_check_digit(VALID_ID[:17]) == VALID_ID[17]
    assert id_check_digit(VALID_ID_2[:17]) == VALID_ID_2[17]


@pytest.mark.django_db
def test_resident_id_with_valid_checksum_is_found_with_its_exact_span():
    text = f"申请人身份证号{VALID_ID}，请核对。"
    [finding] = screen(text)
    assert finding.kind == "resident_id"
    assert finding.severity == "warn"
    assert finding.field == "f0"
    assert text[finding.start : finding.end] == finding.text == VALID_ID
    assert (finding.start, finding.end) == (7, 25)
    assert "resident ID" in finding.message


@pytest.mark.django_db
def test_resident_id_with_lowercase_x_and_full_width_digits_is_found():
    lower = VALID_ID[:-1] + "x"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in VALID_ID_2)
    findings = screen(f"证件 {lower} 与 {full_width}")
    assert kinds(findings) == [("resident_id", lower), ("resident_id", full_width)]


@pytest.mark.django_db
def test_resident_id_with_wrong_check_digit_is_not_reported():
    wrong = VALID_ID_2[:17] + ("1" if VALID_ID_2[17] != "1" else "2")
    assert screen(f"编号{wrong}") == []


@pytest.mark.django_db
def test_eighteen_digits_with_impossible_birth_date_or_area_are_not_ids():
    bad_date = "44030819991301" + "001"  # month 13
    bad_area = "99030819990101" + "001"  # no province 99
    future = "44030821990101" + "001"
    for first17 in (bad_date, bad_area, future):
        number = first17 + id_check_digit(first17)
        assert screen(f"号码{number}") == [], number


@pytest.mark.django_db
def test_old_fifteen_digit_id_with_plausible_date_is_found():
    findings = screen("旧证 110105491231002 换发")
    assert kinds(findings) == [("resident_id", "110105491231002")]
    assert "15-digit" in findings[0].message


@pytest.mark.django_db
def test_id_digits_inside_a_longer_run_or_code_are_not_reported():
    assert screen(f"条码9{VALID_ID}7") == []
    assert screen(f"文件ID:A{VALID_ID}") == []
    assert screen(f"https://example.org/doc/{VALID_ID}-v2") == []


# ---------------------------------------------------------------- mobile numbers


@pytest.mark.django_db
def test_mobile_numbers_in_common_forms_are_found_with_exact_spans():
    text = "联系 13800138000，或 +86 139-1234-5678，或 150 1234 5678。"
    findings = screen(text)
    assert kinds(findings) == [
        ("mobile", "13800138000"),
        ("mobile", "+86 139-1234-5678"),
        ("mobile", "150 1234 5678"),
    ]
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text


@pytest.mark.django_db
def test_reference_codes_dates_and_serial_numbers_are_not_phone_numbers():
    text = (
        "档号 B0001-001-0123，卷号 J13-1-0138000，1949年10月1日，"
        "日期 2023-10-01，流水号 138001380001234，编号 12800138000，"
        "条码 A13800138000，版本 v13800138000，账号 0213800138000"
    )
    assert screen(text) == []


@pytest.mark.django_db
def test_numbers_with_mixed_separators_are_not_taken_for_phones():
    assert screen("138-0013 8000") == []


# ---------------------------------------------------------------- emails


@pytest.mark.django_db
def test_email_addresses_are_found_and_digits_inside_them_are_not_phones():
    text = "来信请寄 zhang.san@example.com.cn 或 13800138000@163.com。"
    findings = screen(text)
    assert kinds(findings) == [
        ("email", "zhang.san@example.com.cn"),
        ("email", "13800138000@163.com"),
    ]
    assert text[findings[0].start : findings[0].end] == "zhang.san@example.com.cn"


@pytest.mark.django_db
def test_at_signs_that_are_not_emails_are_ignored():
    assert screen("微博 @南京档案 与 user@localhost 以及 a@b") == []


# ---------------------------------------------------------------- addresses


@pytest.mark.django_db
def test_full_chinese_address_is_found_without_the_words_leading_into_it():
    text = "他住在江苏省南京市玄武区中山路18号3栋2单元501室，常来查档。"
    [finding] = screen(text)
    assert finding.kind == "address"
    assert finding.text == "江苏省南京市玄武区中山路18号3栋2单元501室"
    assert text[finding.start : finding.end] == finding.text


@pytest.mark.django_db
def test_street_and_house_number_alone_is_an_address():
    assert kinds(screen("地址：北京市东城区景山前街4号")) == [
        ("address", "北京市东城区景山前街4号")
    ]
    assert kinds(screen("和平路12号")) == [("address", "和平路12号")]
    assert kinds(screen("中山北路二十号")) == [("address", "中山北路二十号")]


@pytest.mark.django_db
def test_place_names_bus_lines_and_document_numbers_are_not_addresses():
    text = "南京市玄武区档案馆；乘1路公交到3号线；苏政发〔1952〕18号文；第3号卷；中山路很长"
    assert screen(text) == []


# ---------------------------------------------------------------- sensitive words


def test_matcher_reports_overlapping_and_nested_words():
    matcher = WordMatcher(
        {w: ("block", w) for w in ("档案", "档案馆", "案馆", "馆藏", "he", "she", "hers")}
    )
    found = sorted(matcher.find("南京档案馆藏ushers"))
    assert found == [
        (2, 4, "档案"),
        (2, 5, "档案馆"),
        (3, 5, "案馆"),
        (4, 6, "馆藏"),
        (7, 10, "she"),
        (8, 10, "he"),
        (8, 12, "hers"),
    ]


def test_matcher_folds_latin_case_and_full_width_forms():
    matcher = WordMatcher({"vpn": ("warn", "VPN")})
    assert matcher.find("用VPN、vpn和ＶＰＮ") == [(1, 4, "vpn"), (5, 8, "vpn"), (9, 12, "vpn")]


def test_matcher_with_no_words_finds_nothing():
    assert WordMatcher({}).find("任何文字") == []


def test_matcher_handles_many_words_in_a_long_text():
    words = {f"词{i:04d}": ("warn", f"词{i:04d}") for i in range(5000)}
    matcher = WordMatcher(words)
    text = "档案" * 20000 + "词4999" + "馆" * 20000
    assert matcher.find(text) == [(40000, 40005, "词4999")]


def test_sensitive_words_block_or_warn_with_exact_spans(archive, admin_user):
    sensitive_word_add(actor=admin_user, archive=archive, word="绝密", severity="block")
    sensitive_word_add(actor=admin_user, archive=archive, word="内部资料", severity="warn")
    fields = {"title": "一份内部资料", "body": "<p>此件曾为绝密文件</p>"}
    findings = screen_text(archive=archive, fields=fields)
    assert [(f.field, f.kind, f.severity, f.text, f.start, f.end) for f in findings] == [
        ("title", "sensitive_word", "warn", "内部资料", 2, 6),
        ("body", "sensitive_word", "block", "绝密", 7, 9),
    ]
    assert "绝密" in findings[1].message
    assert findings[1].blocks and not findings[0].blocks


def test_default_list_applies_to_every_archive_and_the_stricter_listing_wins(archive, admin_user):
    other = ArchiveFactory(slug="suzhou")
    sensitive_word_add(actor=None, archive=None, word="反动", severity="warn")
    sensitive_word_add(actor=admin_user, archive=archive, word="反动", severity="block")
    [here] = screen_text(archive=archive, fields={"t": "反动派"})
    [there] = screen_text(archive=other, fields={"t": "反动派"})
    assert here.severity == "block"
    assert there.severity == "warn"


def test_one_archives_list_does_not_apply_to_another(archive, admin_user):
    other = ArchiveFactory(slug="suzhou")
    sensitive_word_add(actor=admin_user, archive=archive, word="南京专用", severity="block")
    assert screen_text(archive=other, fields={"t": "南京专用"}) == []


def test_a_changed_list_is_used_at_once(archive, admin_user):
    assert screen_text(archive=archive, fields={"t": "某词"}) == []
    sensitive_word_add(actor=admin_user, archive=archive, word="某词")
    assert len(screen_text(archive=archive, fields={"t": "某词"})) == 1
    sensitive_word_remove(actor=admin_user, archive=archive, word="某词")
    assert screen_text(archive=archive, fields={"t": "某词"}) == []


def test_findings_are_ordered_by_field_then_position(archive, admin_user):
    sensitive_word_add(actor=admin_user, archive=archive, word="禁词")
    findings = screen_text(
        archive=archive, fields={"a": "电话13800138000 禁词", "b": f"禁词 {VALID_ID}"}
    )
    assert [(f.field, f.kind) for f in findings] == [
        ("a", "mobile"),
        ("a", "sensitive_word"),
        ("b", "sensitive_word"),
        ("b", "resident_id"),
    ]


# ---------------------------------------------------------------- managing the list


def test_administrator_adds_and_removes_words_and_each_change_is_audited(archive, admin_user):
    sensitive_word_add(actor=admin_user, archive=archive, word=" 绝密 ", note="定密法")
    sensitive_word_add(actor=admin_user, archive=archive, word="绝密", severity="warn")
    assert sensitive_word_remove(actor=admin_user, archive=archive, word="绝密") is True
    assert sensitive_word_remove(actor=admin_user, archive=archive, word="绝密") is False
    actions = list(
        AuditEntry.objects.filter(archive=archive, action__startswith="sensitive_word")
        .order_by("id")
        .values_list("action", "actor", "after")
    )
    assert actions == [
        (
            "sensitive_word.add",
            admin_user.pk,
            {"word": "绝密", "severity": "block", "note": "定密法"},
        ),
        ("sensitive_word.change", admin_user.pk, {"word": "绝密", "severity": "warn", "note": ""}),
        ("sensitive_word.remove", admin_user.pk, None),
    ]


@pytest.mark.parametrize("role", [Role.ARCHIVIST, Role.REVIEWER])
def test_only_an_administrator_manages_the_list(archive, role):
    user = UserFactory()
    membership_grant(actor=None, archive=archive, user=user, role=role)
    with pytest.raises(ArchivePermissionDenied):
        sensitive_word_add(actor=user, archive=archive, word="绝密")
    with pytest.raises(ArchivePermissionDenied):
        sensitive_words_set(actor=user, archive=archive, words=[("绝密", "block")])
    assert not SensitiveWord.objects.exists()


def test_only_an_installation_administrator_manages_the_default_list(archive, admin_user):
    with pytest.raises(ArchivePermissionDenied):
        sensitive_word_add(actor=admin_user, archive=None, word="绝密")
    root = UserFactory(is_superuser=True)
    sensitive_word_add(actor=root, archive=None, word="绝密")
    assert [w.word for w in sensitive_word_list(archive=None)] == ["绝密"]


def test_setting_the_whole_list_adds_changes_and_removes_in_one_audit_entry(archive, admin_user):
    sensitive_words_set(
        actor=admin_user, archive=archive, words=[("甲", "block"), ("乙", "warn"), ("丙", "warn")]
    )
    words = sensitive_words_set(
        actor=admin_user,
        archive=archive,
        words=[("甲", "warn"), ("乙", "warn"), ("丁", "block", "新增")],
    )
    assert [(w.word, w.severity, w.note) for w in words] == [
        ("丁", "block", "新增"),
        ("乙", "warn", ""),
        ("甲", "warn", ""),
    ]
    entry = AuditEntry.objects.filter(action="sensitive_words.set").order_by("-id").first()
    assert entry.before == {"removed": ["丙"], "changed": {"甲": "block"}}
    assert entry.after == {"added": {"丁": "block"}, "changed": {"甲": "warn"}, "count": 3}
    # The same list again changes nothing and logs nothing.
    count = AuditEntry.objects.count()
    sensitive_words_set(
        actor=admin_user, archive=archive, words=[(w.word, w.severity, w.note) for w in words]
    )
    assert AuditEntry.objects.count() == count


def test_bad_entries_name_the_problem_and_leave_the_list_as_it_was(archive, admin_user):
    sensitive_words_set(actor=admin_user, archive=archive, words=[("甲", "block")])
    with pytest.raises(ValidationError) as error:
        sensitive_words_set(
            actor=admin_user,
            archive=archive,
            words=[("乙", "block"), ("  ", "warn"), ("丙", "forbid")],
        )
    text = " ".join(error.value.messages)
    assert "entry 2" in text and "empty" in text
    assert "entry 3" in text and "forbid" in text
    assert [w.word for w in sensitive_word_list(archive=archive)] == ["甲"]
    with pytest.raises(ValidationError):
        sensitive_word_add(actor=admin_user, archive=archive, word="x" * 101)
    assert [w.word for w in sensitive_word_list(archive=archive)] == ["甲"]
