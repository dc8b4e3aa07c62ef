#!/usr/bin/env python3
"""The dashboard in a real headless Chromium (selenium) against the running
system: an admin signs in, creates an agent, funds and allocates, sets a daily
cap; the agent's spends (through the `purser` CLI) appear in the chart and the
agents table within 2 s without a reload; an over-cap spend shows as a denial
with its rule; the admin revokes the agent; finance downloads a statement CSV
whose sum equals the ledger's; an agent sees only itself. Security: a hostile
agent name and mail subject render as text, a mutating request without the
CSRF token is refused, another tenant's agent answers 404, a finance session
cannot revoke, the session cookie carries HttpOnly, Secure, SameSite=Strict and
an expiry, and signing out ends the session server-side. Webhooks: the admin
adds an endpoint (its signing secret shows once, a hostile description renders
as text), sees a delivery's status, attempts, last HTTP status and latency,
disables and enables it and redelivers; finance sees the view without a form.
Screenshots of each page at 1280x800 and 390x844 (light, and the overview dark)
go to ARTIFACTS.

Usage: dashboard_browser.py BASE_URL CA_PEM OPERATOR_SECRET SMTP_PORT ARTIFACTS PURSER_CLI DATABASE_URL
(the CLI reads PURSER_CA and PURSER_ENDPOINT_* from the environment; DATABASE_URL is the
services' database, where a webhook delivery is written as Identity's delivery loop writes one).
Prints one line per failed check and `dashboard browser: N passed, M failed`;
exits 0 when nothing failed, 1 otherwise, 2 when it cannot run.
"""
import csv
import glob
import io
import os
import smtplib
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from email.message import EmailMessage

import requests
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

import interop_story

HOSTILE = "<img src=x onerror=alert(1)>"
COOKIE = "__Host-purser_session"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


class Story(interop_story.Story):
    def __init__(self, base, ca, artifacts):
        super().__init__(base, ca, "dashboard browser", timeout=30)
        self.artifacts = artifacts

    def abort(self, label):
        raise Abort(label)


class Abort(Exception):
    pass


def chromium(download_dir):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800"):
        options.add_argument(argument)
    # The gateway's certificate is from the deployment's own CA, which Chromium's store does not hold.
    options.accept_insecure_certs = True
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option("prefs", {"download.default_directory": download_dir, "download.prompt_for_download": False})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"))
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": download_dir})
    return driver


class Browser:
    def __init__(self, story, driver):
        self.story = story
        self.driver = driver

    def wait(self, condition, seconds=10.0, label="condition"):
        try:
            return WebDriverWait(self.driver, seconds, poll_frequency=0.05).until(lambda d: condition(d))
        except TimeoutException:
            return None

    def find(self, css, seconds=10.0):
        return self.wait(lambda d: (d.find_elements(By.CSS_SELECTOR, css) or [None])[0], seconds)

    def text(self, css):
        return self.read(css, lambda element: element.text)

    def attr(self, css, name):
        return self.read(css, lambda element: element.get_attribute(name))

    def click(self, css):
        return self.read(css, lambda element: element.click() or True)

    def read(self, css, getter):
        """`getter` of the first element matching `css`, or None; the pages redraw every second, so a
        read that meets a replaced element tries again."""
        for _ in range(20):
            try:
                elements = self.driver.find_elements(By.CSS_SELECTOR, css)
                return getter(elements[0]) if elements else None
            except StaleElementReferenceException:
                continue
        return None

    def no_alert(self, label):
        try:
            alert = self.driver.switch_to.alert
            text = alert.text
            alert.dismiss()
            self.story.expect(False, f"{label}: a script alert fired ({text}): markup from data ran")
        except NoAlertPresentException:
            self.story.passed += 1

    def fetch(self, verb, path, body=None, headers=None):
        """A fetch from the page itself (same origin, the session cookie attached): [status, reason]."""
        return self.driver.execute_async_script(
            """
            const [verb, path, body, headers, done] = arguments;
            const init = {method: verb, credentials: 'same-origin', headers: Object.assign({'Content-Type': 'application/json'}, headers || {})};
            if (body !== null) init.body = JSON.stringify(body);
            fetch(path, init).then(async (r) => { let j = {}; try { j = await r.json(); } catch (e) {} done([r.status, j.reason || '']); })
              .catch((e) => done([0, String(e)]));
            """, verb, path, body, headers)

    def screenshots(self, name):
        for size, (width, height) in SIZES.items():
            self.driver.set_window_size(width, height)
            self.driver.execute_script("window.scrollTo(0, 0)")
            time.sleep(0.3)
            overflow = self.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            self.story.expect(overflow <= 1, f"{name} at {size} scrolls sideways by {overflow} px")
            self.driver.save_screenshot(os.path.join(self.story.artifacts, f"{name}-{size}.png"))
        self.driver.set_window_size(*SIZES["desktop"])

    def labelled(self, page):
        unlabelled = self.driver.execute_script(
            """
            return [...document.querySelectorAll('input, select, textarea')]
              .filter((c) => c.type !== 'hidden' && !(c.labels && c.labels.length) && !c.getAttribute('aria-label'))
              .map((c) => c.id || c.name || c.outerHTML.slice(0, 60));
            """)
        self.story.expect(unlabelled == [], f"{page}: controls without a label: {unlabelled}")

    def sign_in(self, secret):
        self.driver.get(self.story.base + "/")
        field = self.find("#secret")
        if not self.story.expect(field is not None, "the sign-in form appears"):
            raise Abort("sign-in form")
        field.send_keys(secret)
        field.send_keys(Keys.ENTER)
        if not self.story.expect(self.find("#sign-out:not([hidden])") is not None,
                                 f"signed in: {self.text('#signin-error')}"):
            raise Abort("sign in")

    def sign_out(self):
        self.driver.find_element(By.CSS_SELECTOR, "#sign-out").click()
        self.story.expect(self.find("#secret") is not None, "signing out shows the sign-in form")

    def cookie(self):
        return next((c for c in self.driver.get_cookies() if c["name"] == COOKIE), None)


def within(seconds, probe):
    """Polls `probe` until it answers a truthy value or `seconds` pass: (value, elapsed)."""
    started = time.monotonic()
    while True:
        value = probe()
        elapsed = time.monotonic() - started
        if value or elapsed > seconds:
            return value, elapsed
        time.sleep(0.05)


def cli(arguments, secret):
    environment = {k: v for k, v in os.environ.items() if k.startswith("PURSER_CA") or k.startswith("PURSER_ENDPOINT_")}
    environment.update({"PATH": "/usr/bin:/bin", "HOME": tempfile.gettempdir(), "PURSER_SECRET": secret})
    return subprocess.run([CLI] + arguments, env=environment, capture_output=True, text=True, timeout=60)


def insert_delivery(tenant_id, endpoint_id):
    """An event and its delivery to the endpoint, failed after two attempts (a 503 in 42 ms, then a timeout
    before it, newest first), written into Identity's tables as its delivery loop writes them; the delivery id."""
    delivery_id, event_id = str(uuid.uuid4()), str(uuid.uuid4())
    sql = f"""
        WITH event AS (
            INSERT INTO identity.events (tenant_id, event_id, type, source, occurred_at, data)
            VALUES ('{tenant_id}', '{event_id}', 'agent.revoked', 'identity', now(), '{{}}') RETURNING seq
        ), delivery AS (
            INSERT INTO identity.webhook_deliveries (tenant_id, delivery_id, endpoint_id, event_id, seq, event_type, status, attempt_count)
            SELECT '{tenant_id}', '{delivery_id}', '{endpoint_id}', '{event_id}', seq, 'agent.revoked', 'failed', 2 FROM event
            RETURNING delivery_id
        )
        INSERT INTO identity.webhook_attempts (tenant_id, delivery_id, attempt, http_status, latency_us, error)
        SELECT '{tenant_id}', delivery_id, a.attempt, a.status, a.latency, a.error FROM delivery,
               (VALUES (1, 0, 10000000::bigint, 'timeout'), (2, 503, 42000::bigint, '')) AS a(attempt, status, latency, error)
    """
    result = subprocess.run(["psql", DATABASE_URL, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise Abort(f"writing a webhook delivery: {result.stderr.strip()}")
    return delivery_id


def micros(text):
    return int(Decimal(text) * 1_000_000)


def main():
    global CLI
    global DATABASE_URL
    if len(sys.argv) != 8:
        print(__doc__, file=sys.stderr)
        return 2
    base, ca, operator_secret, smtp_port, artifacts, CLI, DATABASE_URL = sys.argv[1:]
    os.makedirs(artifacts, exist_ok=True)
    story = Story(base, ca, artifacts)
    downloads = tempfile.mkdtemp(prefix="purser-downloads-")
    driver = chromium(downloads)
    try:
        run(story, Browser(story, driver), operator_secret, int(smtp_port), downloads)
    except Abort as stopped:
        # What the page showed and logged when the story could not go on.
        print(f"stopped at {stopped}; the page reads:", driver.find_element(By.TAG_NAME, "main").text[:2000])
        for entry in driver.get_log("browser"):
            print("console:", entry.get("level"), entry.get("message"))
    finally:
        driver.quit()
    return story.report()


def run(story, browser, operator_secret, smtp_port, downloads):
    driver = browser.driver
    suffix = uuid.uuid4().hex[:8]
    operator = story.token(operator_secret)
    tenant = story.ok("tenant", "POST", "/v1/tenants", token=operator,
                      body={"slug": "dash-" + suffix, "name": "Dashboard Co", "adminCanReadMail": True})
    tenant_id = tenant["id"]
    admin = story.ok("admin key", "POST", f"/v1/tenants/{tenant_id}/api-keys", token=operator, body={"role": "API_KEY_ROLE_ADMIN"})
    finance = story.ok("finance key", "POST", f"/v1/tenants/{tenant_id}/api-keys", token=operator, body={"role": "API_KEY_ROLE_FINANCE"})
    provider = story.ok("provider", "POST", "/v1/providers", token=operator,
                        body={"slug": "search-" + suffix, "name": "Search API", "defaultCategory": "search", "categories": ["news"]})
    provider_id = provider["provider"]["id"]
    admin_token = story.token(admin["secret"])
    other = story.ok("other tenant", "POST", "/v1/tenants", token=operator, body={"slug": "other-" + suffix, "name": "Other"})
    other_admin = story.ok("other admin", "POST", f"/v1/tenants/{other['id']}/api-keys", token=operator, body={"role": "API_KEY_ROLE_ADMIN"})
    foreign = story.ok("foreign agent", "POST", f"/v1/tenants/{other['id']}/agents", token=story.token(other_admin["secret"]),
                       body={"handle": "foreign"})["agent"]["id"]

    # Sign-in page, then the admin signs in.
    driver.get(story.base + "/")
    browser.find("#secret")
    browser.labelled("sign-in")
    browser.screenshots("signin")
    page = story.http.get(story.base + "/", verify=story.ca, timeout=30)
    csp = page.headers.get("content-security-policy", "")
    story.expect("default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp,
                 f"the page's Content-Security-Policy is strict: {csp}")
    story.expect(page.headers.get("x-content-type-options") == "nosniff", "the page is served with nosniff")
    browser.sign_in(admin["secret"])
    cookie = browser.cookie()
    story.expect(cookie is not None and cookie.get("httpOnly") and cookie.get("secure") and cookie.get("sameSite") == "Strict"
                 and cookie.get("expiry") and cookie.get("path") == "/", f"the session cookie's flags: {cookie}")
    signed, _ = story.call("POST", "/v1/dashboard/session", body={"secret": admin["secret"]})
    story.http.cookies.clear()
    set_cookie = signed.headers.get("set-cookie", "")
    story.expect(all(flag in set_cookie for flag in ("HttpOnly", "Secure", "SameSite=Strict", "Max-Age=", "Path=/"))
                 and set_cookie.startswith(COOKIE + "="), f"Set-Cookie carries every flag: {set_cookie}")
    story.expect(browser.find("#agents-table") is not None, "the overview shows the agents table")
    browser.no_alert("overview")

    # Create an agent with a hostile display name.
    handle = "researcher-" + suffix
    browser.find("#create-handle").send_keys(handle)
    driver.find_element(By.CSS_SELECTOR, "#create-name").send_keys(HOSTILE)
    driver.find_element(By.CSS_SELECTOR, "#create-form button[type=submit]").click()
    secret_node = browser.find("#new-agent-secret")
    if not story.expect(secret_node is not None, "creating an agent shows its secret once"):
        raise Abort("create agent")
    agent_secret = secret_node.text.strip()
    story.expect(agent_secret.startswith("purser_ak_"), f"the agent secret shown: {agent_secret[:12]}")
    agent_id = browser.wait(lambda d: browser.attr(f'#agents-table tr[data-handle="{handle}"]', "data-agent-id"), 5)
    if not story.expect(agent_id, "the new agent appears in the table"):
        raise Abort("agent row")
    name = browser.text(f'#agents-table tr[data-handle="{handle}"] .name')
    story.expect(name == HOSTILE, f"a hostile agent name renders as text: {name!r}")
    story.expect(not driver.find_elements(By.CSS_SELECTOR, 'main img'), "no element is made from the agent's name")
    browser.no_alert("hostile agent name")

    # Fund and allocate through the forms.
    browser.find("#fund-amount").send_keys("100")
    driver.find_element(By.CSS_SELECTOR, "#fund-reference").send_keys("wire-" + suffix)
    driver.find_element(By.CSS_SELECTOR, "#fund-form button[type=submit]").click()
    story.expect(browser.wait(lambda d: "Funded 100.00" in d.find_element(By.CSS_SELECTOR, "#fund-form .okmsg, #fund-form .error").text, 10),
                 f"funding through the form: {browser.text('#fund-form p')}")
    browser.wait(lambda d: handle in [o.text for o in d.find_elements(By.CSS_SELECTOR, "#allocate-agent option")], 5)
    Select(driver.find_element(By.CSS_SELECTOR, "#allocate-agent")).select_by_visible_text(handle)
    driver.find_element(By.CSS_SELECTOR, "#allocate-amount").send_keys("50")
    driver.find_element(By.CSS_SELECTOR, "#allocate-form button[type=submit]").click()
    story.expect(browser.wait(lambda d: "50.00" in d.find_element(By.CSS_SELECTOR, "#allocate-form p").text, 10),
                 f"allocating through the form: {browser.text('#allocate-form p')}")
    available = browser.wait(lambda d: browser.attr(f'#agents-table tr[data-agent-id="{agent_id}"] td:nth-child(5)', "data-micros")
                             == "50000000", 3)
    story.expect(available, "the table shows the allocation as available")
    browser.labelled("overview")

    # The agent page: set a daily cap of 8 with the policy editor.
    driver.get(story.base + f"/#/agents/{agent_id}")
    editor = browser.find("#policy-editor")
    if not story.expect(editor is not None, "the agent page shows the policy editor"):
        raise Abort("agent page")
    editor.clear()
    editor.send_keys('{"limits": [{"amount": "8", "interval": "nightly"}]}')
    driver.find_element(By.CSS_SELECTOR, "#policy-form button[type=submit]").click()
    refused = browser.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#policy-result").text, 10)
    story.expect(refused and "invalid" in refused, f"the editor shows a validation message: {refused!r}")
    editor.clear()
    editor.send_keys('{"limits": [{"amount": "8", "interval": "daily"}]}')
    driver.find_element(By.CSS_SELECTOR, "#policy-form button[type=submit]").click()
    story.expect(browser.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#policy-result").text == "Saved.", 10),
                 f"the daily cap is saved: {browser.text('#policy-result')}")
    story.expect(browser.wait(lambda d: "daily 8.00" in d.find_element(By.CSS_SELECTOR, "#policy-view").text, 5),
                 "the effective policy shows the cap with its source")
    story.expect("agent override" in (browser.text("#policy-view") or ""), "each rule names its source")
    browser.find("#simulate-amount").send_keys("9")
    driver.find_element(By.CSS_SELECTOR, "#simulate-category").send_keys("search")
    driver.find_element(By.CSS_SELECTOR, "#simulate-form button[type=submit]").click()
    simulated = browser.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#simulate-result").text, 10)
    story.expect(simulated and "limit_exceeded" in simulated, f"simulating a spend over the cap: {simulated!r}")
    browser.labelled("agent page")

    # Spends by the agent through the CLI appear on the agent page within 2 s.
    spend = cli(["wallet", "charge", "--amount", "3", "--provider", provider_id, "--category", "search"], agent_secret)
    story.expect(spend.returncode == 0, f"the CLI charge: {spend.returncode} {spend.stderr.strip()}")
    seen, elapsed = within(2.0, lambda: browser.text("#agent-today .value") and browser.text("#agent-today .value").startswith("3.00"))
    story.expect(seen, f"the agent page shows today's spend within 2 s (after {elapsed:.2f} s: {browser.text('#agent-today .value')})")
    bar, elapsed = within(2.0, lambda: driver.find_elements(By.CSS_SELECTOR, '#spend-chart rect.seg[data-key="search"][data-micros="3000000"]'))
    story.expect(bar, f"the chart shows the spend within 2 s ({elapsed:.2f} s)")
    hold, elapsed = within(2.0, lambda: browser.attr("#holds-table tbody tr", "data-state") == "captured")
    story.expect(hold, f"the charge's hold is listed, captured ({elapsed:.2f} s)")
    browser.screenshots("agent")

    # Back to the overview: another spend appears in the table within 2 s.
    driver.get(story.base + "/#/")
    browser.find(f'#agents-table tr[data-agent-id="{agent_id}"]')
    spend = cli(["wallet", "charge", "--amount", "2", "--provider", provider_id, "--category", "news"], agent_secret)
    story.expect(spend.returncode == 0, f"the second CLI charge: {spend.stderr.strip()}")
    cell = f'#agents-table tr[data-agent-id="{agent_id}"] td.today'
    seen, elapsed = within(2.0, lambda: browser.attr(cell, "data-micros") == "5000000")
    story.expect(seen, f"the agents table shows the spend within 2 s ({elapsed:.2f} s)")
    story.expect(browser.text("#card-today .value").startswith("5.00"), f"the tenant's spend today: {browser.text('#card-today .value')}")

    # An over-cap spend shows as a denial with its rule, within 2 s.
    over = cli(["wallet", "charge", "--amount", "4", "--provider", provider_id, "--category", "search"], agent_secret)
    story.expect(over.returncode != 0 and "limit_exceeded" in (over.stdout + over.stderr), f"the over-cap charge is refused: {over.stderr.strip()}")
    denial, elapsed = within(2.0, lambda: driver.find_elements(By.CSS_SELECTOR, '#denials-table tr[data-reason="limit_exceeded"]'))
    story.expect(denial, f"the denial shows within 2 s ({elapsed:.2f} s)")
    if denial:
        rule = browser.text('#denials-table tr[data-reason="limit_exceeded"] .rule') or ""
        story.expect("daily" in rule and "headroom 3.00" in rule, f"the denial names its rule and headroom: {rule!r}")

    # Sortable and filterable.
    helper = story.ok("second agent", "POST", f"/v1/tenants/{tenant_id}/agents", token=admin_token, body={"handle": "aaa-helper-" + suffix})
    browser.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#agents-table tbody tr")) == 2, 20)
    browser.click('button[data-sort="today"]')
    browser.click('button[data-sort="today"]')
    first = browser.attr("#agents-table tbody tr", "data-handle")
    story.expect(first == handle, f"sorting by today's spend, descending, puts the spender first: {first}")
    driver.find_element(By.CSS_SELECTOR, "#agent-filter").send_keys("aaa-helper")
    handles = browser.read("#agents-table tbody", lambda body: [r.get_attribute("data-handle") for r in body.find_elements(By.TAG_NAME, "tr")])
    story.expect(len(handles or []) == 1 and handles[0].startswith("aaa-helper"), f"the filter narrows the table: {handles}")
    driver.find_element(By.CSS_SELECTOR, "#agent-filter").send_keys(Keys.CONTROL + "a", Keys.DELETE)
    story.expect(len(driver.find_elements(By.CSS_SELECTOR, "#agents-table tbody tr")) == 2, "clearing the filter shows every agent")
    browser.screenshots("overview")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    dark = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
    driver.save_screenshot(os.path.join(story.artifacts, "overview-dark-desktop.png"))
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "light"}]})
    light = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
    story.expect(dark != light, f"a dark scheme follows the system setting ({dark} vs {light})")

    # Keyboard: on a fresh load the first Tab reaches the skip link.
    driver.get(story.base + "/#/")
    driver.refresh()
    browser.find("#agents-table")
    ActionChains(driver).send_keys(Keys.TAB).perform()
    focused = driver.execute_script("return document.activeElement.className")
    story.expect(focused == "skip", f"the first Tab reaches the skip link: {focused}")

    # A hostile mail subject renders as text.
    aliases = story.ok("aliases", "GET", "/v1/email/aliases", token=admin_token, query={"tenantId": tenant_id, "agentId": agent_id})
    address = aliases["aliases"][0]["address"]
    message = EmailMessage()
    message["From"] = "sender@example.com"
    message["To"] = address
    message["Subject"] = HOSTILE
    message.set_content("hello")
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as smtp:
        smtp.send_message(message)
    driver.get(story.base + f"/#/agents/{agent_id}")
    subject = browser.find("#inbox .subject")
    story.expect(subject is not None and subject.text == HOSTILE, f"a hostile subject renders as text: {subject.text if subject else None!r}")
    story.expect(not driver.find_elements(By.CSS_SELECTOR, "main img"), "no element is made from the subject")
    browser.no_alert("hostile subject")

    # CSRF: a mutating request by cookie without the token is refused; with another token too.
    status = browser.fetch("POST", "/v1/wallet/fund", {"amount": "1", "externalReference": "csrf"}, {"Idempotency-Key": "csrf-1"})
    story.expect(status == [403, "csrf_token_missing"], f"no CSRF token: {status}")
    status = browser.fetch("POST", "/v1/wallet/fund", {"amount": "1", "externalReference": "csrf"},
                           {"Idempotency-Key": "csrf-2", "X-CSRF-Token": "0" * 64})
    story.expect(status == [403, "csrf_token_invalid"], f"a wrong CSRF token: {status}")
    status = browser.fetch("DELETE", "/v1/dashboard/session", None)
    story.expect(status == [403, "csrf_token_missing"], f"signing out without the CSRF token: {status}")

    # Another tenant's agent answers 404, in the page and in the API.
    status = browser.fetch("GET", f"/v1/tenants/{tenant_id}/agents/{foreign}", None)
    story.expect(status[0] == 404, f"another tenant's agent by API: {status}")
    status = browser.fetch("GET", f"/v1/agents/{foreign}/balance", None)
    story.expect(status[0] == 404, f"another tenant's agent's balance: {status}")
    driver.get(story.base + f"/#/agents/{foreign}")
    error = browser.find("#agent-error")
    story.expect(error is not None and "not_found" in error.text, f"another tenant's agent page: {error.text if error else None}")

    # Revoke with a confirmation naming the agent; the status and the next spend's refusal show.
    old_agent_token = story.token(agent_secret)
    driver.get(story.base + f"/#/agents/{agent_id}")
    browser.find("#revoke-agent").click()
    question = browser.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#confirm-title").text, 5)
    story.expect(question and handle in question, f"the confirmation names the agent: {question!r}")
    driver.find_element(By.CSS_SELECTOR, "#confirm-ok").click()
    revoked, elapsed = within(3.0, lambda: "revoked" in (browser.text("#agent-title") or ""))
    story.expect(revoked, f"the agent shows revoked ({elapsed:.2f} s)")
    response, document = story.call("POST", "/v1/wallet/charge", token=old_agent_token, key="after-revoke",
                                    body={"amount": "1", "providerId": provider_id})
    story.expect((response.status_code, document.get("reason")) in ((400, "agent_revoked"), (401, "subject_revoked")),
                 f"the revoked agent's spend is refused: {response.status_code} {document}")
    if document.get("reason") == "agent_revoked":
        shown, elapsed = within(2.0, lambda: driver.find_elements(By.CSS_SELECTOR, '#denials-table tr[data-reason="agent_revoked"]'))
        story.expect(shown, f"the revoked agent's refused spend shows as a denial ({elapsed:.2f} s)")
    after = cli(["wallet", "charge", "--amount", "1", "--provider", provider_id], agent_secret)
    story.expect(after.returncode != 0, "the revoked agent's CLI spend is refused")
    story.expect(browser.wait(lambda d: (d.find_elements(By.CSS_SELECTOR, "#agent-available .value") or [None])[0] is not None, 3),
                 "the agent page still reads after revocation")

    # Webhooks: the admin adds an endpoint; its signing secret shows once; a hostile description renders as text.
    driver.get(story.base + "/#/webhooks")
    webhook_url = browser.find("#webhook-url")
    if not story.expect(webhook_url is not None, "the webhooks page offers the admin a form"):
        raise Abort("webhooks page")
    browser.labelled("webhooks")
    webhook_url.send_keys("https://203.0.113.10/dash-" + suffix)
    driver.find_element(By.CSS_SELECTOR, "#webhook-events").send_keys("agent.revoked, agent.balance_low")
    driver.find_element(By.CSS_SELECTOR, "#webhook-description").send_keys(HOSTILE)
    driver.find_element(By.CSS_SELECTOR, "#webhook-form button[type=submit]").click()
    webhook_secret = browser.wait(lambda d: (d.find_elements(By.CSS_SELECTOR, "#webhook-secret") or [None])[0], 10)
    webhook_secret = webhook_secret.text if webhook_secret is not None else ""
    story.expect(webhook_secret.startswith("whsec_"), f"the signing secret shows once: {webhook_secret!r}")
    # The list redraws after the create answers: wait for it rather than read once.
    browser.find("section.webhook[data-status=enabled]")
    endpoint_id = browser.attr("section.webhook[data-status=enabled]", "data-endpoint-id")
    if not story.expect(endpoint_id, "the endpoint is listed, enabled"):
        raise Abort("webhook endpoint")
    story.expect(browser.text("section.webhook .description") == HOSTILE, "a hostile description renders as text")
    browser.no_alert("webhook description")
    story.expect(browser.text("section.webhook .events") == "agent.revoked, agent.balance_low",
                 f"the endpoint's event types: {browser.text('section.webhook .events')!r}")
    # A delivery that failed twice appears with its status, attempts, last HTTP status and latency, without a reload.
    delivery_id = insert_delivery(tenant_id, endpoint_id)
    row = f'section.webhook tr[data-delivery-id="{delivery_id}"]'
    shown, elapsed = within(3.0, lambda: browser.attr(row, "data-status") == "failed")
    story.expect(shown, f"the failed delivery is listed within 3 s ({elapsed:.2f} s)")
    cells = browser.read(row, lambda r: [c.text for c in r.find_elements(By.TAG_NAME, "td")]) or []
    story.expect(cells[:5] == ["agent.revoked", "failed", "2", "503", "42 ms"], f"the delivery's row: {cells}")
    browser.screenshots("webhooks")
    browser.click(row + " button.redeliver")
    pending, elapsed = within(3.0, lambda: browser.attr(row, "data-status") == "pending")
    story.expect(pending, f"redeliver makes the delivery pending ({elapsed:.2f} s)")
    browser.click("section.webhook button.toggle")
    disabled, elapsed = within(3.0, lambda: browser.attr("section.webhook", "data-status") == "disabled")
    story.expect(disabled and browser.text("section.webhook .disabled-reason") == "disabled_by_tenant",
                 f"disabling shows the endpoint disabled by the tenant ({elapsed:.2f} s)")
    browser.click("section.webhook button.toggle")
    enabled, elapsed = within(3.0, lambda: browser.attr("section.webhook", "data-status") == "enabled")
    story.expect(enabled, f"enabling shows it enabled again ({elapsed:.2f} s)")
    driver.refresh()
    browser.find("section.webhook")
    story.expect(not driver.find_elements(By.CSS_SELECTOR, "#webhook-secret") and webhook_secret not in driver.page_source,
                 "after a reload the signing secret is nowhere on the page")

    # Sign out ends the session server-side: the old cookie and its token are refused.
    session_token = browser.cookie()["value"]
    browser.sign_out()
    response, document = story.call("GET", "/v1/dashboard/session", cookies={COOKIE: session_token})
    story.expect(response.status_code == 401, f"the ended session's cookie: {response.status_code} {document}")
    # Identity refuses the ended token at once; the Wallet once its next poll of the revocation feed (250 ms) has it.
    refused, elapsed = within(2.0, lambda: story.call("GET", "/v1/wallet/balances", token=session_token)[0].status_code == 401)
    story.expect(refused, f"the ended session's token is refused by the Wallet ({elapsed:.2f} s)")

    # Finance: reads and exports, cannot change anything.
    browser.sign_in(finance["secret"])
    story.expect(browser.find("#agents-table") is not None, "finance sees the overview")
    story.expect(not driver.find_elements(By.CSS_SELECTOR, "#fund-form, #create-form"), "finance is offered no forms")
    driver.get(story.base + f"/#/agents/{helper['agent']['id']}")
    browser.find("#agent-title")
    story.expect(not driver.find_elements(By.CSS_SELECTOR, "#revoke-agent"), "finance is offered no revoke button")
    csrf = driver.execute_async_script(
        "const done = arguments[0]; fetch('/v1/dashboard/session').then((r) => r.json()).then((j) => done(j.csrfToken));")
    status = browser.fetch("POST", f"/v1/tenants/{tenant_id}/agents/{helper['agent']['id']}/revoke", {"reason": "finance"},
                           {"X-CSRF-Token": csrf})
    story.expect(status == [403, "permission_denied"], f"a finance session cannot revoke: {status}")
    driver.get(story.base + "/#/webhooks")
    story.expect(browser.find(f'section.webhook[data-endpoint-id="{endpoint_id}"] tr[data-delivery-id="{delivery_id}"]') is not None,
                 "finance sees the endpoint and its deliveries")
    story.expect(not driver.find_elements(By.CSS_SELECTOR, "#webhook-form, section.webhook button"),
                 "finance is offered no webhook form and no buttons")
    status = browser.fetch("PATCH", f"/v1/webhooks/{endpoint_id}", {"enabled": False}, {"X-CSRF-Token": csrf})
    story.expect(status == [403, "permission_denied"], f"a finance session cannot disable an endpoint: {status}")
    driver.get(story.base + "/#/finance")
    finance_token = story.token(finance["secret"])
    ledger = 0
    for kind, sign in (("LEDGER_ENTRY_KIND_CAPTURE", 1), ("LEDGER_ENTRY_KIND_REFUND", -1)):
        entries = story.ok("entries", "GET", "/v1/wallet/entries", token=finance_token, query={"kind": kind, "pageSize": 1000})
        ledger += sign * sum(micros(e["amount"]) for e in entries["entries"])
    story.expect(ledger == 5_000_000, f"the ledger holds the two charges: {ledger}")
    # The statement is read from Settlement's copy of the capture feed: wait until it has caught up.
    net = None
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        driver.get(story.base + "/#/finance")
        driver.refresh()
        node = browser.find("#statement-net")
        net = node.get_attribute("data-micros") if node else None
        if net == str(ledger):
            break
        time.sleep(2)
    story.expect(net == str(ledger), f"the statement's net equals the ledger's: {net} vs {ledger}")
    browser.labelled("finance")
    browser.screenshots("finance")
    for old in glob.glob(os.path.join(downloads, "*")):
        os.remove(old)
    driver.find_element(By.CSS_SELECTOR, "#download-csv").click()
    files, _ = within(10.0, lambda: [f for f in glob.glob(os.path.join(downloads, "*.csv"))])
    if story.expect(files, "the statement CSV downloads"):
        time.sleep(0.3)
        with open(files[0], newline="") as handle_file:
            rows = list(csv.DictReader(io.StringIO(handle_file.read())))
        total = sum(micros(r["net"]) for r in rows)
        story.expect(total == ledger, f"the CSV's net sums to the ledger's: {total} vs {ledger}")
    driver.find_element(By.CSS_SELECTOR, "#download-json").click()
    files, _ = within(10.0, lambda: [f for f in glob.glob(os.path.join(downloads, "*.json"))])
    story.expect(files, "the statement JSON downloads")
    story.expect("clean" in (browser.text("#audit-state") or ""), f"reconciliation: {browser.text('#audit-state')}")
    browser.sign_out()

    # An agent sees only itself and its sub-agents: one made with the CLI appears in its page's tree.
    sub_handle = "aaa-sub-" + suffix
    made = cli(["agents", "create-sub", "--parent", helper["agent"]["id"], "--handle", sub_handle], helper["secret"])
    story.expect(made.returncode == 0, f"the CLI creates a sub-agent: {made.returncode} {made.stderr.strip()}")
    browser.sign_in(helper["secret"])
    # The title element is drawn before the agent's data fills it: wait for its text.
    own_title = lambda _: (browser.text("#agent-title") or "").startswith("aaa-helper")
    story.expect(browser.wait(own_title), f"an agent sees its own page: {browser.text('#agent-title')}")
    driver.get(story.base + f"/#/agents/{agent_id}")
    time.sleep(0.5)
    story.expect(browser.wait(own_title), f"an agent cannot open another agent's page: {browser.text('#agent-title')}")
    branch = browser.wait(lambda d: [a.text for a in d.find_elements(By.CSS_SELECTOR, "#agent-tree ul.tree li > a")], 10)
    story.expect(branch == [sub_handle], f"the agent's tree shows its sub-agent: {branch}")
    browser.click("#agent-tree ul.tree li > a")
    story.expect(browser.wait(lambda _: (browser.text("#agent-title") or "").startswith(sub_handle)),
                 f"the agent opens its sub-agent's page: {browser.text('#agent-title')}")
    story.expect(browser.wait(lambda _: "aaa-helper" in (browser.text("#tree-parent") or "")),
                 f"the sub-agent's page names its parent: {browser.text('#tree-parent')}")
    status = browser.fetch("GET", "/v1/wallet/balances", None)
    story.expect(status[0] == 403, f"an agent cannot read the tenant's balances: {status}")
    status = browser.fetch("GET", "/v1/wallet/denials", None)
    story.expect(status[0] == 200, f"an agent reads its own denials: {status}")
    browser.screenshots("agent-self")
    browser.sign_out()


if __name__ == "__main__":
    CLI = ""
    try:
        sys.exit(main())
    except requests.RequestException as error:
        print(f"dashboard browser: cannot reach the gateway: {error}", file=sys.stderr)
        sys.exit(2)
