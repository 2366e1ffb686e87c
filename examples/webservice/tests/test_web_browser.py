"""The two pages used as a person would (issue 13): the service runs on loopback and headless
Chromium (Debian's chromium and chromedriver, through Selenium) scans an inspection code on a
phone-sized screen, sees the inspectors, rates the visit, files a complaint, switches to
English, then opens the supervisor's dashboard and finds the figures `jointinspect.kpi`
computes. Screenshots of both pages go to docs/img/ (shown in docs/web-service.md)."""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pendulum
import pytest
import uvicorn
from jointinspect_web import demo_app
from jointinspect_web.demo import NOW, SYSTEM, Demo
from jointinspect_web.pages import FIGURES, figure_text
from jointinspect_web.service import WebService
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from jointinspect import FixedClock
from jointinspect.auth import Principal
from testsupport import desktop
from testsupport.desktop import chromium

#: The docs' screenshots are refreshed only when asked (JOINTINSPECT_REFRESH_SHOTS=1): a
#: test run otherwise leaves the checkout as it found it.
IMG = (
    Path(__file__).resolve().parents[3] / "docs" / "img"
    if os.environ.get("JOINTINSPECT_REFRESH_SHOTS") == "1"
    else Path(tempfile.gettempdir()) / "jointinspect-shots"
)
ZONE = "Asia/Shanghai"


class Site:
    """The demo service on a free loopback port, served by uvicorn in a thread."""

    def __init__(self, tmp: Path) -> None:
        app, self.scan_path = demo_app(f"sqlite:///{tmp / 'city.db'}", secret="browser-test", clock=FixedClock(NOW))
        self.service: WebService = app.state.service
        self.demo: Demo = app.state.demo
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Site:
        self.thread.start()
        started = threading.Event()
        # uvicorn sets ``started`` once it listens; wait on an Event rather than sleeping in a loop.
        while not self.server.started and self.thread.is_alive():
            started.wait(0.05)
        assert self.server.started, "uvicorn did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.service.engine.store.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with Site(tmp_path) as s:
        yield s


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    binary, driver_path = chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = str(binary)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})  # a phone set to Chinese
    # The system chromedriver: selenium-manager downloads nothing.
    driver = webdriver.Chrome(service=Service(executable_path=str(driver_path)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _sign_in(driver: WebDriver, site: Site, who: Principal) -> None:
    # What the platform's sign-in does: set the session cookie the service issued.
    driver.get(f"{site.base}/openapi.json")
    driver.delete_all_cookies()
    driver.add_cookie({"name": "ji_session", "value": site.service.tokens.issue(who), "path": "/"})


def _note(driver: WebDriver, element_id: str) -> str:
    WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, element_id).text.strip() != "")
    return driver.find_element(By.ID, element_id).text


def _screenshot(driver: WebDriver, name: str, width: int) -> Path:
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(width, height + 140)  # the window's size includes the browser's frame
    driver.execute_script("window.scrollTo(0, 0)")
    IMG.mkdir(parents=True, exist_ok=True)
    path = IMG / name
    assert driver.save_screenshot(str(path)), path
    return path


@pytest.mark.server("chromium")
def test_the_enterprise_page_and_the_dashboard_in_a_browser(site: Site, browser: WebDriver) -> None:
    engine, demo = site.service.engine, site.demo
    enterprise = Principal.enterprise(demo.enterprise, user="e1-rep")
    # 1. The enterprise scans the inspection code on its phone.
    browser.set_window_size(390, 844)
    _sign_in(browser, site, enterprise)
    browser.get(site.base + site.scan_path)
    assert browser.find_element(By.TAG_NAME, "h1").text == "检查码信息"
    shown = [
        (row.find_element(By.CLASS_NAME, "name").text, row.find_element(By.CLASS_NAME, "certificate").text)
        for row in browser.find_elements(By.CSS_SELECTOR, "#inspectors tr.inspector")
    ]
    view = engine.describe_code(demo.joint_code, by=SYSTEM)
    assert shown == [(p.name, p.certificate_no) for p in view.inspectors]
    assert len(shown) == 6 and "37000000" in {c for _, c in shown}
    assert browser.find_element(By.ID, "window").text.startswith("2026-11-23 09:00")
    departments = browser.find_element(By.ID, "departments").text
    assert "市场监督管理局" in departments and "应急管理局" in departments and "生态环境局" in departments
    # 2. It rates the visit.
    score = browser.find_element(By.ID, "score")
    score.clear()
    score.send_keys("88")
    browser.find_element(By.ID, "comment").send_keys("检查规范")
    browser.find_element(By.CSS_SELECTOR, "#rate-form button").click()
    assert _note(browser, "rate-note") == "评价已提交,谢谢!"
    # 3. It files a complaint.
    Select(browser.find_element(By.ID, "reason")).select_by_value("over_frequency")
    browser.find_element(By.ID, "text").send_keys("一周内多次检查")
    browser.find_element(By.CSS_SELECTOR, "#complaint-form button").click()
    assert _note(browser, "complaint-note") == "投诉已提交,监督部门将跟进。"
    enterprise_shot = _screenshot(browser, "web-enterprise.png", 390)
    assert browser.find_element(By.CSS_SELECTOR, "#rate-form button").get_property("disabled") is True
    # 4. It switches to English.
    browser.set_window_size(390, 844)
    browser.find_element(By.ID, "lang-toggle").click()
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "Inspection code")
    assert "Certificate no." in browser.find_element(By.ID, "inspectors").text
    assert browser.find_element(By.ID, "status").text == "completed"
    # What the enterprise did is in the store.
    start, end = pendulum.datetime(2026, 11, 1, tz=ZONE), pendulum.datetime(2026, 12, 1, tz=ZONE)
    report = engine.supervision_report(start, end, by=SYSTEM)
    assert report.ratings == 2 and report.mean_rating is not None and report.mean_rating == (95 + 88) / 2
    assert report.complaints_by_reason == {"over_frequency": 1}
    # 5. The supervising office opens its dashboard and finds the library's figures.
    browser.set_window_size(1280, 900)
    _sign_in(browser, site, Principal.supervisor(user="wang"))
    browser.get(f"{site.base}/dashboard?start=2026-11-01&end=2026-11-30")
    assert browser.find_element(By.TAG_NAME, "h1").text == "督办看板"
    for field, _, _ in FIGURES:
        cell = browser.find_element(By.CSS_SELECTOR, f'[data-kpi="{field}"] b').text
        assert cell == figure_text(field, getattr(report, field)), field
    assert browser.find_element(By.CSS_SELECTOR, '[data-kpi="joint_visit_rate"] b').text.endswith("%")
    plans = [int(c.text) for c in browser.find_elements(By.CSS_SELECTOR, "#by-department td.plans")]
    assert plans == [r.plans_filed for r in report.by_department] and sum(plans) == report.plans_filed
    WebDriverWait(browser, 60).until(
        lambda d: d.execute_script("const i = document.getElementById('kpi-plot'); return i.complete && i.naturalWidth")
    )
    assert int(browser.execute_script("return document.getElementById('kpi-plot').naturalWidth")) == 1100
    assert "检查过于频繁" in browser.find_element(By.ID, "warnings").text
    assert "烟台示范企业0005有限公司" in browser.find_element(By.ID, "approvals").text
    dashboard_shot = _screenshot(browser, "web-dashboard.png", 1280)
    for shot in (enterprise_shot, dashboard_shot):
        assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.server("chromium")
def test_the_pages_without_a_session_say_so(site: Site, browser: WebDriver) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        browser.get(f"{site.base}/dashboard?lang=en")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Something went wrong"
    assert "auth.unauthenticated" in browser.find_element(By.ID, "error").text


@pytest.mark.parametrize("ci", ["", "true"])
def test_a_missing_browser_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setattr(desktop, "_find", lambda names: None)
    monkeypatch.setenv("CI", ci)
    monkeypatch.delenv("JOINTINSPECT_REQUIRE_SERVERS", raising=False)
    expected = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(expected, match="chromium and chromium-driver are not installed"):
        desktop.chromium()
