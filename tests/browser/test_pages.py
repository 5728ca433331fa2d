"""The dashboard and the report in a real headless browser (Debian's chromium + Playwright).

Marked ``browser``: ``make test`` (and CI) runs them; ``make test-fast`` skips them.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _other_address() -> str | None:
    """A non-loopback address of this machine, if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            ip = s.getsockname()[0]
    except OSError:
        return None
    return None if ip.startswith("127.") else ip


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def dashboard():
    pytest.importorskip("solara")
    port = _free_port()
    exe = Path(sys.executable).parent / "treugolnik"
    proc = subprocess.Popen(
        [str(exe), "dashboard", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url, timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the dashboard did not start")
    yield port
    os.killpg(proc.pid, 15)
    proc.wait(timeout=20)


def test_dashboard_listens_on_loopback_only(dashboard):
    with socket.create_connection(("127.0.0.1", dashboard), timeout=2):
        pass
    other = _other_address()
    if other is None:
        pytest.skip("no non-loopback address to try")
    with pytest.raises(OSError), socket.create_connection((other, dashboard), timeout=2):
        pass


def _figures(page) -> list[str]:
    return page.locator(".v-card img").evaluate_all("els => els.map(e => e.src)")


def test_dashboard_runs_compares_and_shows_protocols(browser, dashboard, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(f"http://127.0.0.1:{dashboard}/", wait_until="load")
    page.get_by_text("Choose a scenario and press Run.").wait_for(timeout=60_000)
    end = page.get_by_label("End date (YYYY-MM-DD)")
    end.fill("1933-12-31")
    end.press("Enter")

    def run(regime: str) -> list[str]:
        page.locator(".v-select").nth(1).click()
        page.locator(f".v-list-item:has-text('{regime}')").first.click()
        page.locator(".run-button").click()
        page.locator(".summary", has_text=regime).wait_for(timeout=90_000)
        page.locator(".v-card img").nth(3).wait_for(timeout=30_000)
        return _figures(page)

    first = run("despotism")
    assert len(first) == 4
    page.locator(".pin-button").click()
    second = run("bargaining")
    assert len(second) == 4 and second != first  # the figures changed
    # the pinned run is drawn beside the current one
    svg = page.evaluate("src => fetch(src).then(r => r.text())", second[0])
    assert "pinned: despotism seed 1" in svg and "bargaining seed 1" in svg
    page.locator(".view-toggle button", has_text="Protocols").click()
    month = page.get_by_label("Month (YYYY-MM)")
    month.fill("1930-03")
    month.press("Enter")
    protocol = page.locator(".protocol pre", has_text="of the general meeting of the")
    protocol.wait_for(timeout=30_000)
    assert "of the general meeting of the" in protocol.inner_text()
    assert "HEARD:" in protocol.inner_text()
    page.screenshot(path=str(tmp_path / "dashboard.png"))
    # a bad value is a message in the page, not a traceback
    end.fill("1933-13-40")
    end.press("Enter")
    page.locator(".run-button").click()
    err = page.locator(".input-error", has_text="period.end")
    err.wait_for(timeout=60_000)
    assert "period.end" in err.inner_text()
    assert "Traceback (most recent call last)" not in page.inner_text("body")
    assert failed == []


def test_report_renders_every_figure(browser, tmp_path):
    from typer.testing import CliRunner

    from treugolnik.cli import app

    runner = CliRunner()
    out = tmp_path / "run"
    assert (
        runner.invoke(
            app, ["run", "kirov-small", "--out", str(out), "-q", "--set", "period.end=1931-12-31"]
        ).exit_code
        == 0
    )
    assert runner.invoke(app, ["report", str(out)]).exit_code == 0
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((out / "report.html").as_uri(), wait_until="load")
    sizes = page.locator("figure svg").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert len(sizes) >= 8
    assert all(w > 100 and h > 100 for w, h in sizes)
    assert all(u.startswith("file://") for u in requests)  # nothing from the network
    page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
