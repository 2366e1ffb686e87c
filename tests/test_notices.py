"""The notification catalogue: every kind the engine emits is catalogued with the payload keys
it passes, every kind renders in both languages, and the docs table is the catalogue."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jointinspect
from jointinspect.memory import MemoryStore
from jointinspect.model.notification import Notification, Role
from jointinspect.notices import (
    BUNDLES,
    CATALOGUE,
    GENERIC,
    Field,
    catalogue_markdown,
    names_from_store,
    render,
    template_fields,
)
from jointinspect.service import Engine
from jointinspect.testing.city import build_city
from jointinspect.testing.contract import populate

SRC = Path(jointinspect.__file__).parent
DOCS = Path(__file__).parents[1] / "docs" / "notifications.md"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
LATIN = re.compile(r"[A-Za-z]")


def notify_sites() -> list[tuple[str, int, str, str | None, set[str]]]:
    """(file, line, kind, literal role or None, payload keywords) for every ``notify("kind", ...)``."""
    sites = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr != "notify" or not node.args:
                continue
            first = node.args[0]
            assert isinstance(first, ast.Constant) and isinstance(first.value, str), (path, node.lineno)
            role = None
            second = node.args[1] if len(node.args) > 1 else None
            if isinstance(second, ast.Attribute) and isinstance(second.value, ast.Name) and second.value.id == "Role":
                role = second.attr
            keys = {str(k.arg) for k in node.keywords if k.arg != "key"}
            assert all(k.arg is not None for k in node.keywords), "no ** spreading into a notification"
            sites.append((str(path.relative_to(SRC)), node.lineno, first.value, role, keys))
    return sites


SITES = notify_sites()


def test_the_scan_finds_the_notify_sites() -> None:
    assert len(SITES) >= 19
    assert {"plan.filed", "complaint.filed", "rectification.overdue"} <= {s[2] for s in SITES}


def test_every_emitted_kind_and_key_is_catalogued() -> None:
    problems = []
    for f, line, kind, role, keys in SITES:
        notice = CATALOGUE.get(kind)
        bundle = BUNDLES.get(kind)
        if bundle is not None:  # sent to no one: only its payload keys are declared
            if keys != set(bundle.fields):
                problems.append((f, line, kind, f"bundle keys {sorted(keys)}"))
            continue
        if notice is None:
            problems.append((f, line, kind, "not catalogued"))
            continue
        if undeclared := keys - set(notice.fields):
            problems.append((f, line, kind, f"undeclared keys {sorted(undeclared)}"))
        if role is not None and Role[role] not in notice.roles:
            problems.append((f, line, kind, f"role {role} not declared"))
    assert problems == []


def test_every_catalogued_kind_is_emitted_with_every_declared_key() -> None:
    emitted: dict[str, set[str]] = {}
    for _, _, kind, _, keys in SITES:
        emitted.setdefault(kind, set()).update(keys)
    assert set(CATALOGUE) | set(BUNDLES) == set(emitted)
    for kind, notice in CATALOGUE.items():
        assert set(notice.fields) <= emitted[kind], kind


def test_bundles_are_sent_to_no_one_and_expand_to_catalogued_kinds() -> None:
    assert BUNDLES and not set(BUNDLES) & set(CATALOGUE)
    for bundle in BUNDLES.values():
        assert bundle.members and set(bundle.members) <= set(CATALOGUE), bundle.kind
        assert CJK.search(bundle.summary[0]) and not CJK.search(bundle.summary[1]), bundle.kind
        # One handed on by mistake still renders, as an unknown kind.
        note = Notification("k", bundle.kind, Role.DEPARTMENT, "*", "S1", pendulum.datetime(2026, 1, 1, tz="UTC"))
        assert render(note, "en").short == GENERIC.short[1].format(kind=bundle.kind, subject="S1")


@pytest.mark.parametrize("kind", sorted(CATALOGUE))
def test_templates_use_only_declared_fields(kind: str) -> None:
    notice = CATALOGUE[kind]
    allowed = set(notice.fields) | {"subject", "kind", "key", "at", "zone"}
    for template in (*notice.short, *notice.title, *notice.body):
        assert template_fields(template) <= allowed, template


NAMES = {
    "SCJG": "市场监督管理局",
    "XFJY": "消防救援支队",
    "91370600000000001X": "烟台示范企业有限公司",
    "SCJG-I01": "王明",
    "SCJG-01": "食品经营许可",
}
SAMPLES = {
    Field.TEXT: ("现场检查记录", "on-site notes"),
    Field.ID: ("R-0001", "R-0001"),
    Field.NUMBER: ("3", "3"),
    Field.TIME: ("2026-03-10T01:30:00+00:00", "2026-03-10T01:30:00+00:00"),
    Field.ENTERPRISE: ("91370600000000001X", "91370600000000001X"),
    Field.DEPARTMENT: ("SCJG", "SCJG"),
    Field.DEPARTMENTS: ("SCJG,XFJY", "SCJG,XFJY"),
    Field.INSPECTOR: ("SCJG-I01", "SCJG-I01"),
    Field.ITEM: ("SCJG-01", "SCJG-01"),
    Field.KIND: ("routine", "routine"),
    Field.REASON: ("no_scan", "no_scan"),
    Field.RATER: ("anonymous", "anonymous"),
}


class DictNames:
    def department(self, code: str) -> str | None:
        return NAMES.get(code)

    def enterprise(self, credit_code: str) -> str | None:
        return NAMES.get(credit_code)

    def inspector(self, inspector_id: str) -> str | None:
        return NAMES.get(inspector_id)

    def item(self, code: str) -> str | None:
        return NAMES.get(code)


def sample(kind: str, lang: str) -> Notification:
    notice = CATALOGUE[kind]
    i = 0 if lang == "zh" else 1
    subject = SAMPLES[notice.subject_field][i]
    return Notification(
        key=f"{kind}:{subject}",
        kind=kind,
        role=notice.roles[0],
        recipient="SCJG",
        subject=subject,
        at=pendulum.datetime(2026, 3, 2, 16, 5, tz="UTC"),
        payload={k: SAMPLES[f][i] for k, f in notice.fields.items()},
    )


def strip_data(text: str, note: Notification, zone: str) -> str:
    """Remove what is data, not template: ids, codes, names, numbers, times, free text."""
    for value in sorted([*NAMES.values(), note.key, note.subject, zone, *note.data().values()], key=len)[::-1]:
        text = text.replace(value, "")
    return re.sub(r"[0-9:\-/.,()]", "", text)


@pytest.mark.parametrize("kind", sorted(CATALOGUE))
def test_every_kind_renders_wholly_in_each_language(kind: str) -> None:
    zh_note, en_note = sample(kind, "zh"), sample(kind, "en")
    zh = render(zh_note, "zh", names=DictNames())
    en = render(en_note, "en", names=DictNames())
    for text in (zh.short, zh.subject, zh.body):
        assert text.strip() and "{" not in text
        left = strip_data(text, zh_note, "Asia/Shanghai")
        assert not LATIN.search(left), (kind, left)
        assert CJK.search(left)
    for text in (en.short, en.subject, en.body):
        assert text.strip() and "{" not in text
        left = strip_data(text, en_note, "Asia/Shanghai")
        assert not CJK.search(left), (kind, left)
        assert LATIN.search(left)


def test_names_replace_codes_and_times_are_in_the_policy_zone() -> None:
    note = sample("inspection.joint", "zh")
    zh = render(note, "zh", names=DictNames())
    assert "市场监督管理局、消防救援支队" in zh.short and "SCJG" not in zh.short
    assert "2026-03-10 09:30" in zh.short  # 01:30 UTC in Asia/Shanghai
    assert "2026-03-03 00:05" in zh.body  # the notification's own instant
    berlin = render(note, "en", names=DictNames(), zone="Europe/Berlin")
    assert "2026-03-10 02:30" in berlin.short and "Europe/Berlin" in berlin.body
    # Without names the codes are shown.
    assert "SCJG, XFJY" in render(note, "en").short


def test_enumerations_are_words_of_the_language() -> None:
    note = sample("complaint.filed", "zh")
    assert "未扫码进入" in render(note, "zh").short
    assert "entry without a scan" in render(note, "en").short
    plan = sample("plan.filed", "en")
    assert "routine inspection" in render(plan, "en").short and "日常检查" in render(plan, "zh").short


def test_unknown_kind_and_missing_keys_still_render() -> None:
    odd = Notification("k1", "new.kind", Role.SUPERVISOR, "judicial", "S1", pendulum.datetime(2026, 1, 1, tz="UTC"))
    assert render(odd, "en").short == GENERIC.short[1].format(kind="new.kind", subject="S1")
    bare = Notification("k2", "plan.filed", Role.SUPERVISOR, "judicial", "P1", pendulum.datetime(2026, 1, 1, tz="UTC"))
    assert "-" in render(bare, "zh").short


@given(st.sampled_from(sorted(CATALOGUE)), st.dictionaries(st.text(max_size=5), st.text(max_size=30)), st.text())
def test_render_never_fails_on_odd_payloads(kind: str, extra: dict[str, str], value: str) -> None:
    notice = CATALOGUE[kind]
    payload = {**extra, **dict.fromkeys(notice.fields, value)}
    note = Notification("k", kind, notice.roles[0], "r", value or "s", pendulum.datetime(2026, 1, 1, tz="UTC"), payload)
    for lang in ("zh", "en"):
        out = render(note, lang, names=DictNames())
        assert out.short and out.subject and out.body


def test_names_from_store_reads_reference_data() -> None:
    city = build_city(enterprises=1, departments=2)
    engine = Engine(store=MemoryStore())
    populate(engine, city)
    names = names_from_store(engine.store)
    dept, ent = city.departments[0], city.enterprises[0]
    assert names.department(dept.code) == dept.name
    assert names.enterprise(ent.credit_code) == ent.name
    assert names.inspector(city.inspectors[0].id) == city.inspectors[0].name
    assert names.item(city.items[0].code) == city.items[0].name
    assert names.department("NOPE") is None
    note = Notification(
        "k",
        "rectification.overdue",
        Role.DEPARTMENT,
        dept.code,
        "RC1",
        pendulum.datetime(2026, 1, 1, tz="UTC"),
        {"enterprise": ent.credit_code, "deadline": "2026-01-05T00:00:00+00:00"},
    )
    assert ent.name in render(note, "zh", names=names).short


def test_docs_table_is_the_catalogue() -> None:
    assert catalogue_markdown() in DOCS.read_text(encoding="utf-8")


def test_the_chinese_twin_table_is_the_catalogue() -> None:
    text = DOCS.with_name("notifications.zh.md").read_text(encoding="utf-8")
    assert catalogue_markdown(zh=True) in text, "regenerate with catalogue_markdown(zh=True)"
    zh_rows, en_rows = catalogue_markdown(zh=True).splitlines(), catalogue_markdown().splitlines()
    assert len(zh_rows) == len(en_rows) == len(CATALOGUE) + len(BUNDLES) + 2
    assert zh_rows[0] != en_rows[0] and "(set by" not in "".join(zh_rows)
