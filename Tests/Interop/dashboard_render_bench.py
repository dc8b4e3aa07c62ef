#!/usr/bin/env python3
"""How fast the dashboard's first page renders for a big tenant: seeds one
tenant with 1,000 agents and 100,000 ledger entries through the gateway's
JSON API (fund, allocate, then charges by every agent, 32 at a time), then
opens the overview in headless Chromium, signed in as the tenant admin, and
prints the browser's navigation timing and the time until the agents table
is drawn (the page's `purser-overview-rendered` mark), best and median of
several loads.

Usage: dashboard_render_bench.py BASE_URL CA_PEM OPERATOR_SECRET [AGENTS] [ENTRIES]
       dashboard_render_bench.py BASE_URL CA_PEM --admin ADMIN_SECRET   (measure an already seeded tenant)
"""
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait


def main():
    if len(sys.argv) not in (4, 5, 6):
        print(__doc__, file=sys.stderr)
        return 2
    base, ca, operator_secret = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    if operator_secret == "--admin":
        return measure(base, sys.argv[4], "an already seeded tenant")
    agents_wanted = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
    entries_wanted = int(sys.argv[5]) if len(sys.argv) > 5 else 100_000
    session = requests.Session()
    session.mount("https://", requests.adapters.HTTPAdapter(pool_connections=64, pool_maxsize=64))

    def call(verb, path, token=None, body=None, key=None, query=None):
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if key:
            headers["Idempotency-Key"] = key
        response = session.request(verb, base + path, json=body, params=query, headers=headers, timeout=60, verify=ca)
        if response.status_code != 200:
            raise SystemExit(f"seeding: {verb} {path} answered {response.status_code} {response.text}")
        return response.json()

    def token(secret):
        return call("POST", "/v1/auth/token", body={"secret": secret})["token"]

    started = time.monotonic()
    suffix = uuid.uuid4().hex[:8]
    operator = token(operator_secret)
    tenant = call("POST", "/v1/tenants", token=operator, body={"slug": "bench-" + suffix, "name": "Bench tenant"})
    tenant_id = tenant["id"]
    admin = call("POST", f"/v1/tenants/{tenant_id}/api-keys", token=operator, body={"role": "API_KEY_ROLE_ADMIN"})["secret"]
    provider = call("POST", "/v1/providers", token=operator,
                    body={"slug": "bench-" + suffix, "name": "Bench provider", "defaultCategory": "search", "categories": ["news", "maps"]})
    provider_id = provider["provider"]["id"]
    admin_token = token(admin)
    # Every agent is funded and given credits; the charges then make up the rest of the entries.
    charges_per_agent = max(0, -(-(entries_wanted - 1 - agents_wanted) // agents_wanted))
    call("POST", "/v1/wallet/fund", token=admin_token, key="bench-fund",
         body={"amount": str(agents_wanted * (charges_per_agent + 10)), "externalReference": "bench"})

    def make_agent(index):
        created = call("POST", f"/v1/tenants/{tenant_id}/agents", token=admin_token, body={"handle": f"agent-{index:04d}-{suffix}"})
        agent_id = created["agent"]["id"]
        call("POST", "/v1/wallet/allocate", token=admin_token, key=f"alloc-{agent_id}",
             body={"agentId": agent_id, "amount": str(charges_per_agent + 10)})
        return created["secret"]

    with ThreadPoolExecutor(32) as pool:
        secrets = list(pool.map(make_agent, range(agents_wanted)))
    print(f"seeding: {agents_wanted} agents funded in {time.monotonic() - started:.0f} s", flush=True)
    categories = ["search", "news", "maps"]

    def spend(secret):
        agent_token = token(secret)
        for n in range(charges_per_agent):
            call("POST", "/v1/wallet/charge", token=agent_token, key=f"c-{n}",
                 body={"amount": "0.25", "providerId": provider_id, "category": categories[n % 3]})

    with ThreadPoolExecutor(32) as pool:
        list(pool.map(spend, secrets))
    entries = 1 + agents_wanted + agents_wanted * charges_per_agent
    print(f"seeding: {entries} entries in {time.monotonic() - started:.0f} s; the admin's secret: {admin}", flush=True)
    return measure(base, admin, f"{entries} entries")


def measure(base, admin, what):

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800"):
        options.add_argument(argument)
    options.accept_insecure_certs = True
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"))
    try:
        driver.get(base + "/")
        field = WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, "secret"))
        field.send_keys(admin)
        field.send_keys(Keys.ENTER)
        WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#agents-table"))
        # The caption counts every agent of the tenant; the table draws a page of them.
        rows = driver.find_element(By.CSS_SELECTOR, "#agents-table caption").text
        samples = []
        for _ in range(7):
            driver.get("about:blank")
            driver.get(base + "/")
            WebDriverWait(driver, 60).until(
                lambda d: d.execute_script("return performance.getEntriesByName('purser-overview-rendered').length") > 0)
            timing = driver.execute_script(
                """
                const n = performance.getEntriesByType('navigation')[0];
                const m = performance.getEntriesByName('purser-overview-rendered')[0];
                return [n.responseEnd, n.domContentLoadedEventEnd, n.loadEventEnd, m.startTime];
                """)
            samples.append(timing)
        with open("/proc/loadavg") as load:
            average = " ".join(load.read().split()[:3])
        print(f"overview ({rows}) over {what}, {len(samples)} loads (ms from navigation start), load average {average}:")
        for index, label in enumerate(("page received", "DOMContentLoaded", "load", "agents table drawn (first render with data)")):
            values = [s[index] for s in samples]
            print(f"  {label}: best {min(values):.0f}, median {statistics.median(values):.0f}, worst {max(values):.0f}")
    finally:
        driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
