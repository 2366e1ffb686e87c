"""The reference web service's JSON API (issue 13): every party's calls on the demo city,
and errors as JSON with the library's code, the caller's language, the matching HTTP status,
and nothing changed."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pendulum
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about its httpx-based client
    from fastapi.testclient import TestClient

from jointinspect_sqlalchemy import upgrade
from jointinspect_web import TokenIssuer, demo_app
from jointinspect_web.__main__ import openapi_text
from jointinspect_web.demo import FILED_AT, NOW, SYSTEM, VISIT_DAY, Demo
from jointinspect_web.service import WebService

from jointinspect import FixedClock
from jointinspect.auth import Principal
from jointinspect.testing._world import snapshot

DOCS = Path(__file__).resolve().parents[3] / "docs"


class Client:
    """The app, its service, the demo, and a way to call as one persona."""

    def __init__(self, tmp: Path) -> None:
        self.clock = FixedClock(NOW)
        app, self.scan_path = demo_app(f"sqlite:///{tmp / 'city.db'}", secret="test-secret", clock=self.clock)
        self.http = TestClient(app)
        self.service: WebService = app.state.service
        self.demo: Demo = app.state.demo

    def token(self, who: Principal) -> str:
        return self.service.tokens.issue(who)

    def call(self, method: str, url: str, who: Principal | None, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}))
        if who is not None:
            headers["Authorization"] = f"Bearer {self.token(who)}"
        return self.http.request(method, url, headers=headers, **kw)

    def state(self) -> tuple[object, ...]:
        return snapshot(self.service.engine.store, self.demo.city)

    @property
    def enterprise(self) -> Principal:
        return Principal.enterprise(self.demo.enterprise)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Client]:
    c = Client(tmp_path)
    yield c
    c.service.engine.store.close()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    # For the refusals only: they change nothing (which each checks), so they may share one.
    c = Client(tmp_path_factory.mktemp("web"))
    yield c
    c.service.engine.store.close()


SUPERVISOR = Principal.supervisor(user="wang")


def test_the_enterprise_scans_the_code_and_sees_who_comes(client: Client) -> None:
    r = client.call("POST", "/api/scan", client.enterprise, json={"code": client.demo.joint_code})
    assert r.status_code == 200, r.text
    view = r.json()
    expected = client.service.engine.describe_code(client.demo.joint_code, by=SYSTEM)
    assert view["inspection_id"] == client.demo.joint_inspection and view["joint"] is True
    assert [d[0] for d in view["departments"]] == ["SCJG", "STHJ", "YJGL"]
    people = {(p["name"], p["certificate_no"]) for p in view["inspectors"]}
    assert people == {(p.name, p.certificate_no) for p in expected.inspectors}
    city = {p.id: p for p in client.demo.city.inspectors}
    assert all(city[p["id"]].certificate_no == p["certificate_no"] for p in view["inspectors"])
    assert pendulum.parse(view["window"]["start"]) == VISIT_DAY


def test_rate_and_complain_then_the_office_hears(client: Client) -> None:
    iid = client.demo.joint_inspection
    r = client.call("POST", f"/api/inspections/{iid}/rating", client.enterprise, json={"score": 80, "comment": "好"})
    assert r.status_code == 201 and r.json()["score"] == 80
    body = {"reason": "over_frequency", "text": "一周来了三次"}
    r = client.call("POST", f"/api/inspections/{iid}/complaints", client.enterprise, json=body)
    assert r.status_code == 201 and r.json()["reason"] == "over_frequency"
    notes = client.call("GET", "/api/supervision/warnings", SUPERVISOR).json()
    mine = [n for n in notes if n["kind"] == "complaint.filed"]
    assert len(mine) == 1 and "烟台示范企业0001有限公司" in mine[0]["text"] and iid in mine[0]["text"]
    english = client.call("GET", "/api/supervision/warnings?lang=en", SUPERVISOR).json()
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in n["text"][:12]) for n in english)


def test_department_files_and_the_office_approves(client: Client) -> None:
    limited = client.demo.city.enterprises[4].credit_code
    start = VISIT_DAY.add(days=4)  # joins the approved visit that day (one visit a week here)
    plan = {
        "enterprise": limited,
        "start": start.isoformat(),
        "end": start.add(hours=4).isoformat(),
        "items": ["STHJ-01"],
        "inspectors": ["STHJ-I01", "STHJ-I02"],
    }
    client.clock.set(FILED_AT)
    r = client.call("POST", "/api/plans", Principal.officer("STHJ"), json=plan)
    assert r.status_code == 201, r.text
    plan_id = r.json()["plan"]["id"]
    assert r.json()["plan"]["status"] == "pending_approval" and r.json()["inspection"] is None
    waiting = client.call("GET", "/api/supervision/approvals", SUPERVISOR).json()
    assert plan_id in {w["plan"]["id"] for w in waiting}
    r = client.call("POST", f"/api/plans/{plan_id}/decision", SUPERVISOR, json={"approve": True})
    assert r.status_code == 200 and r.json()["plan"]["status"] == "active"
    waiting = client.call("GET", "/api/supervision/approvals", SUPERVISOR).json()
    assert plan_id not in {w["plan"]["id"] for w in waiting}
    listed = client.call("GET", f"/api/enterprises/{limited}/inspections", Principal.officer("STHJ")).json()
    assert r.json()["inspection"]["id"] in {i["id"] for i in listed}


def test_an_inspector_checks_in_records_and_the_enterprise_fixes(client: Client) -> None:
    e3 = client.demo.city.enterprises[2]
    [visit] = client.call("GET", f"/api/enterprises/{e3.credit_code}/inspections", SUPERVISOR).json()
    code = client.call("POST", f"/api/inspections/{visit['id']}/code", Principal.officer("XFJY")).json()["token"]
    gate = client.call("POST", f"/api/enterprises/{e3.credit_code}/code", SUPERVISOR).json()["token"]
    client.clock.set(pendulum.parse(visit["window"]["start"]).add(minutes=3))
    me = Principal.inspector("XFJY-I01", department="XFJY")
    body = {"inspection_code": code, "enterprise_code": gate, "lat": e3.site.lat, "lon": e3.site.lon}
    r = client.call("POST", "/api/checkins", me, json=body)
    assert r.status_code == 201 and r.json()["scanned"] is True
    r = client.call("POST", f"/api/inspections/{visit['id']}/results", me, json={"item": "XFJY-02", "outcome": "fail"})
    assert r.status_code == 201, r.text
    result, rect = r.json()["result"], r.json()["rectification"]
    assert rect is not None and rect["state"] == "open"
    assert client.call("POST", f"/api/inspections/{visit['id']}/checkout", me).status_code == 200
    owner = Principal.enterprise(e3.credit_code)
    assert client.call("POST", f"/api/results/{result['id']}/acknowledge", owner).status_code == 200
    r = client.call("POST", f"/api/rectifications/{rect['id']}/evidence", owner, json={"evidence": ["photo-1"]})
    assert r.status_code == 200 and r.json()["state"] == "submitted"
    mine = client.call("GET", f"/api/enterprises/{e3.credit_code}/rectifications", owner).json()
    assert [x["id"] for x in mine] == [rect["id"]]


def test_kpis_match_the_library_report(client: Client) -> None:
    r = client.call("GET", "/api/supervision/kpis?start=2026-11-01&end=2026-11-30", SUPERVISOR)
    assert r.status_code == 200
    zone = "Asia/Shanghai"
    report = client.service.engine.supervision_report(
        pendulum.datetime(2026, 11, 1, tz=zone), pendulum.datetime(2026, 12, 1, tz=zone), by=SUPERVISOR
    )
    assert r.json() == report.to_dict()
    assert report.joint_visits == 2 and report.plans_filed == 15 and report.ratings == 1
    csv = client.call("GET", "/api/supervision/kpis.csv?start=2026-11-01&end=2026-11-30", SUPERVISOR)
    assert csv.text.splitlines()[0].startswith("department,month,plans_filed")
    png = client.call("GET", "/api/supervision/kpis.png?start=2026-11-01&end=2026-11-30", SUPERVISOR)
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = client.call("GET", "/api/supervision/kpis.svg?start=2026-11-01&end=2026-11-30&lang=en", SUPERVISOR)
    assert b"<!-- Supervision KPIs 2026-11-01 to 2026-11-30 -->" in svg.content


ERRORS = [
    # (who, method, url, json, status, code)
    (None, "POST", "/api/scan", {"code": "x"}, 401, "auth.unauthenticated"),
    ("officer", "POST", "/api/inspections/{iid}/rating", {"score": 50}, 403, None),
    ("supervisor", "GET", "/api/plans/no-such-plan", None, 404, "not_found"),
    ("enterprise", "POST", "/api/inspections/{iid}/rating", {"score": 101}, 422, "input.invalid"),
    ("enterprise", "POST", "/api/inspections/{iid}/rating", {"score": "many"}, 422, "input.invalid"),
    ("enterprise", "POST", "/api/inspections/{iid}/complaints", {"reason": "bored", "text": "x"}, 422, "input.invalid"),
    ("enterprise", "POST", "/api/scan", {"code": "JI1-NOT-A-CODE"}, 422, None),
    ("supervisor", "GET", "/api/supervision/kpis?start=2026-12-01&end=2026-11-01", None, 422, "input.invalid"),
    ("supervisor", "GET", "/api/supervision/kpis?start=yesterday", None, 422, "input.invalid"),
    ("officer", "GET", "/api/supervision/kpis", None, 403, None),
    ("officer", "GET", "/api/supervision/warnings", None, 403, None),
]


@pytest.mark.parametrize(("who", "method", "url", "body", "status", "code"), ERRORS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_errors_are_json_in_the_language_asked_and_change_nothing(
    shared: Client, who: str | None, method: str, url: str, body: Any, status: int, code: str | None, lang: str
) -> None:
    client = shared
    people = {"officer": Principal.officer("WSJK"), "supervisor": SUPERVISOR, "enterprise": client.enterprise}
    before = client.state()
    headers = {"Accept-Language": "en-US,en;q=0.9,zh;q=0.5"} if lang == "en" else {}
    url = url.format(iid=client.demo.joint_inspection)
    r = client.call(method, url, people[who] if who else None, json=body, headers=headers)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert set(error) == {"code", "message"}
    if code is not None:
        assert error["code"] == code
    has_chinese = any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])
    assert has_chinese is (lang == "zh"), error["message"]
    if status == 403:
        assert error["code"].startswith("auth.")
    if "scan" in url and status == 422:
        assert error["code"].startswith("token.")
    assert client.state() == before


def test_conflicts_are_409_and_change_nothing(client: Client) -> None:
    iid = client.demo.joint_inspection
    assert (
        client.call("POST", f"/api/inspections/{iid}/rating", client.enterprise, json={"score": 70}).status_code == 201
    )
    before = client.state()
    r = client.call("POST", f"/api/inspections/{iid}/rating?lang=en", client.enterprise, json={"score": 71})
    assert r.status_code == 409 and r.json()["error"]["code"] == "evaluation.duplicate"
    r = client.call("POST", f"/api/inspections/{iid}/checkout", Principal.inspector("SCJG-I01", department="SCJG"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "checkin.not_checked_in"
    assert client.state() == before


def test_bad_expired_and_tampered_tokens_are_401(client: Client) -> None:
    token = client.token(client.enterprise)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "not-a-token"):
        r = client.http.post("/api/scan", json={"code": "x"}, headers={"Authorization": f"Bearer {bad}"})
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    other = TokenIssuer("another-secret").issue(client.enterprise)
    r = client.http.post("/api/scan?lang=en", json={"code": "x"}, headers={"Authorization": f"Bearer {other}"})
    assert r.json()["error"] == {
        "code": "auth.unauthenticated",
        "message": "Sign in first: the session token is not valid",
    }
    expired = TokenIssuer("test-secret", max_age=-1)
    with pytest.raises(Exception) as err:
        expired.principal(token)
    assert "expired" in str(err.value)


def test_tokens_carry_the_principal() -> None:
    issuer = TokenIssuer("s")
    for who in (
        Principal.officer("SCJG", user="li"),
        Principal.inspector("SCJG-I01", department="SCJG"),
        Principal.enterprise("913706000000000015", user="rep"),
        Principal.supervisor(user="wang"),
        Principal.system("cron"),
    ):
        assert issuer.principal(issuer.issue(who)) == who


def test_the_published_openapi_document_is_current() -> None:
    published = (DOCS / "openapi.json").read_text(encoding="utf-8")
    assert published == openapi_text(), "regenerate: python -m jointinspect_web --openapi docs/openapi.json"


def test_the_service_runs_on_postgresql_by_url(postgresql_db_url: str) -> None:
    # The same demo and the same calls on a PostgreSQL store, migrated first as in production.
    upgrade(postgresql_db_url)
    app, scan_path = demo_app(postgresql_db_url, secret="pg", clock=FixedClock(NOW))
    service: WebService = app.state.service
    demo: Demo = app.state.demo
    try:
        http = TestClient(app)
        http.cookies.set("ji_session", service.tokens.issue(Principal.enterprise(demo.enterprise)))
        page = http.get(scan_path)
        assert page.status_code == 200 and "37000000" in page.text
        token = service.tokens.issue(SUPERVISOR)
        r = http.get(
            "/api/supervision/kpis?start=2026-11-01&end=2026-11-30", headers={"Authorization": f"Bearer {token}"}
        )
        assert r.json()["plans_filed"] == 15 and r.json()["joint_visits"] == 2
    finally:
        service.engine.store.close()
