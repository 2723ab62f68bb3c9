"""A real browser (headless Chromium) opens the canned "latest flagged articles" page.

Needs Debian's chromium and chromium-driver (.ci/install-chromium installs them). Without them it
is skipped with the reason, except where MEDIAWATCH_REQUIRE_BROWSER=1 (CI sets it): there it fails.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from archive_helpers import SEED_TITLE, SEED_URL, build_archive, serving
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1600",
]


@pytest.fixture
def browser(tmp_path, monkeypatch):
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        reason = f"{', '.join(missing)} missing: run .ci/install-chromium"
        if os.environ.get("MEDIAWATCH_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must not look for downloads
    options = Options()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def test_latest_flagged_page_shows_the_seed_headline(tmp_path, browser):
    path = tmp_path / "mediawatch.db"
    build_archive(path)
    with serving(path) as (base, _):
        browser.get(f"{base}/mediawatch/latest_flagged")
        WebDriverWait(browser, 30).until(
            expected_conditions.presence_of_element_located(
                (By.CSS_SELECTOR, "table.rows-and-columns")
            )
        )
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "latest_flagged.png"))
        assert browser.find_element(By.TAG_NAME, "h1").text == "Latest flagged articles per topic"
        cells = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "td.col-title")]
        assert cells.count(SEED_TITLE) == 3  # once for each of its topics
        links = browser.find_elements(By.CSS_SELECTOR, f'td.col-url a[href="{SEED_URL}"]')
        assert len(links) == 3 and links[0].text == SEED_URL
    assert (ARTIFACTS / "latest_flagged.png").stat().st_size > 10_000
