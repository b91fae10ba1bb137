"""HTTP as clients expect it, on the real server: HEAD, Allow, CORS, security headers, bounded and typed
input (FHIR bodies of every wrong shape), a slow request that stalls nothing, a busy port in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import httpx
import pytest

from servers import free_port, running_server

SYSTEM = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
OPERATIONS = ["/fhir/CodeSystem/$lookup", "/fhir/CodeSystem/$validate-code", "/fhir/ValueSet/$validate-code",
              "/fhir/ValueSet/$expand", "/fhir/ConceptMap/$translate"]  # fmt: skip
PAGES = ["/", "/search?q=oxygen", "/codes/E1390", "/codes/E1390/history", "/releases", "/diff/2020-07/2020-10",
         "/categories/E0000-E9999"]  # fmt: skip


@pytest.fixture(scope="module")
def server(served_store):
    with running_server(served_store) as url:
        yield url


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server, timeout=60) as http:
        yield http


def _get_routes(client: httpx.Client) -> list[str]:
    """A real URL for every GET route in the OpenAPI document, and the pages."""
    urls = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        if "get" in operations:
            query = {"from": "2020-07", "to": "2020-10"} if path.endswith("/diff") else {}
            if any(p.get("required") and p["name"] == "code" for p in operations["get"].get("parameters", [])):
                query["code"] = "E1390"
            code = "J0696" if path.endswith("/price") else "E1390"  # a Part B drug code has a price
            url = (
                path.replace("{code}", code).replace("{resource_id}", "hcpcs-2020-10").replace("{ndc}", "00143-9857-25")
            )
            urls.append(str(httpx.URL(url, params=query)))
    return urls + PAGES + ["/openapi.json", "/docs"]


def test_head_answers_every_get_route_like_get_without_a_body(client):
    urls = _get_routes(client)
    assert len(urls) > 20
    for url in urls:
        got, head = client.get(url), client.head(url)
        assert got.status_code == 200, url
        assert head.status_code == 200, url
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers["content-length"] == got.headers["content-length"]


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [("DELETE", "/api/v1/releases", "GET, HEAD"), ("POST", "/api/v1/codes/E1390", "GET, HEAD"),
     ("PUT", "/fhir/CodeSystem/$lookup", "GET, HEAD, POST"), ("PATCH", "/codes/E1390", "GET, HEAD")],
)  # fmt: skip
def test_405_says_which_methods_are_allowed(client, method, url, allowed):
    answer = client.request(method, url)
    assert answer.status_code == 405
    assert answer.headers["allow"] == allowed


def test_security_headers(client):
    for url in ["/api/v1/codes/E1390", "/fhir/metadata", "/api/v1/codes/NOPE1", *PAGES]:
        headers = client.get(url).headers
        assert headers["x-content-type-options"] == "nosniff", url
        assert headers["referrer-policy"] == "no-referrer", url
    for url in PAGES:
        policy = client.get(url).headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, url
    assert "content-security-policy" not in client.get("/api/v1/releases").headers


def test_pages_work_under_their_security_policy(server, browser):
    """Real Chromium enforces the CSP: the suggestion script must still run."""
    page = browser.new_page()
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text
            else None)  # fmt: skip
    page.goto(f"{server}/")
    page.fill("#q", "oxygen concentr")
    page.wait_for_selector("#suggestions [role=option]", timeout=15_000)
    assert not blocked


def test_cors_is_open_to_any_origin_on_the_apis_by_default(client):
    origin = {"Origin": "https://widget.example"}
    assert client.get("/api/hcpcs/v3/search?terms=oxygen", headers=origin).headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/fhir/CodeSystem/$lookup",
        headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-origin" not in client.get("/codes/E1390", headers=origin).headers


@pytest.mark.parametrize(("option", "origin", "allowed"), [
    ("https://app.example", "https://app.example", "https://app.example"),
    ("https://app.example", "https://other.example", None),
    ("none", "https://app.example", None),
])  # fmt: skip
def test_cors_origins_are_configurable(full_store, option, origin, allowed):
    with running_server(full_store, "--cors", option) as url:
        headers = httpx.get(f"{url}/api/v1/releases", headers={"Origin": origin}, timeout=60).headers
    assert headers.get("access-control-allow-origin") == allowed


def _is_outcome(answer: httpx.Response, status: int) -> bool:
    body = answer.json()
    return (
        answer.status_code == status
        and answer.headers["content-type"] == "application/fhir+json"
        and body["resourceType"] == "OperationOutcome"
        and bool(body["issue"][0]["diagnostics"])
    )


BAD_BODIES = {
    "parameter null": {"resourceType": "Parameters", "parameter": None},
    "parameter a number": {"resourceType": "Parameters", "parameter": 7},
    "parameter a string": {"resourceType": "Parameters", "parameter": "code=E1390"},
    "items not objects": {"resourceType": "Parameters", "parameter": [1, "two", None]},
    "name a list": {"resourceType": "Parameters", "parameter": [{"name": ["code"], "valueCode": "E1390"}]},
    "name a number": {"resourceType": "Parameters", "parameter": [{"name": 3, "valueCode": "E1390"}]},
    "value an object": {"resourceType": "Parameters", "parameter": [{"name": "code", "valueString": {"a": 1}}]},
    "value a list": {"resourceType": "Parameters", "parameter": [{"name": "code", "valueCode": ["E1390"]}]},
    "two values": {
        "resourceType": "Parameters",
        "parameter": [{"name": "code", "valueCode": "E1", "valueString": "E"}],
    },
    "no value": {"resourceType": "Parameters", "parameter": [{"name": "code"}]},
    "boolean as code": {"resourceType": "Parameters", "parameter": [{"name": "code", "valueBoolean": True}]},
    "wrong resource": {"resourceType": "Patient", "parameter": []},
    "a list": [{"resourceType": "Parameters"}],
    "null": None,
}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_wrong_fhir_body_is_a_400_operation_outcome(client, operation):
    headers = {"Content-Type": "application/fhir+json"}
    for shape, body in BAD_BODIES.items():
        if operation.endswith("$expand") and shape in (
            "value an object",
            "value a list",
            "two values",
            "no value",
            "boolean as code",
            "name a list",
            "name a number",
        ):
            body = json.loads(json.dumps(body).replace('"code"', '"filter"'))  # a parameter $expand reads
        answer = client.post(operation, content=json.dumps(body), headers=headers)
        assert _is_outcome(answer, 400), (shape, answer.status_code, answer.text)
    deep = "[" * 10_000 + "]" * 10_000
    for content, kind in [(deep, headers), ("{not json", headers), (b"\xff\xfe\x00", headers),
                          ("", headers), ("code=E1390", {"Content-Type": "text/plain"})]:  # fmt: skip
        answer = client.post(operation, content=content, headers=kind)
        assert _is_outcome(answer, 400), (content[:20], answer.status_code, answer.text)


def test_fhir_parameters_are_bounded(client):
    long_filter = client.get("/fhir/ValueSet/$expand", params={"filter": "oxygen " * 100})
    assert _is_outcome(long_filter, 400) and "filter" in long_filter.json()["issue"][0]["diagnostics"]
    big = json.dumps({"resourceType": "Parameters", "parameter": [{"name": "x", "valueString": "a" * 100_000}]})
    too_large = client.post(OPERATIONS[0], content=big, headers={"Content-Type": "application/fhir+json"})
    assert _is_outcome(too_large, 413)

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(100):
            yield b" " * 1024

    streamed = client.post(OPERATIONS[0], content=chunks(), headers={"Content-Type": "application/fhir+json"})
    assert _is_outcome(streamed, 413)
    assert client.get("/api/v1/search", params={"q": "x" * 501}).status_code == 400


def test_fhir_post_bodies_that_are_right_are_answered(client):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "code", "valueCode": "E1390"}, {"name": "system", "valueUri": SYSTEM},
        {"name": "includeDesignations", "valueBoolean": True}, {"name": "displayLanguage", "part": []}]}  # fmt: skip
    answer = client.post(OPERATIONS[0], json=body, headers={"Content-Type": "application/fhir+json"})
    assert answer.status_code == 200, answer.text
    expand = {"resourceType": "Parameters", "parameter": [{"name": "filter", "valueString": "oxygen"},
                                                           {"name": "count", "valueInteger": 3}]}  # fmt: skip
    expanded = client.post(OPERATIONS[3], json=expand, headers={"Content-Type": "application/fhir+json"})
    assert len(expanded.json()["expansion"]["contains"]) == 3
    form = client.post(OPERATIONS[1], data={"code": "E1390", "url": SYSTEM})
    assert form.json()["parameter"][1] == {"name": "result", "valueBoolean": True}


def test_a_slow_request_does_not_stall_the_others(full_store):
    """One worker: four slow answers at once (field-level diffs of whole releases) and a quick one."""
    with running_server(full_store, workers=1) as url, httpx.Client(base_url=url, timeout=120) as client:
        slow_times: list[float] = []

        def slow() -> None:
            started = time.monotonic()
            assert client.get("/api/v1/diff", params={"from": "2019-01", "to": "2020-10"}).status_code == 200
            slow_times.append(time.monotonic() - started)

        client.get("/api/v1/releases")
        threads = [threading.Thread(target=slow) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(0.05)
        started = time.monotonic()
        assert client.get("/api/v1/releases").status_code == 200
        quick = time.monotonic() - started
        for thread in threads:
            thread.join()
    assert len(slow_times) == 4
    assert quick < min(slow_times) / 4, (quick, slow_times)


def test_serve_reports_a_busy_port_in_one_line(full_store):
    port = free_port()
    with running_server(full_store, port=port):
        busy = subprocess.run([sys.executable, "-m", "hcpcs", "--db", str(full_store), "serve", "--port", str(port)],
                              capture_output=True, text=True, timeout=120)  # fmt: skip
    assert busy.returncode == 2
    assert busy.stderr == f"error: cannot listen on 127.0.0.1:{port}: address already in use\n"


def test_serve_runs_one_worker_per_core_by_default(full_store):
    serving = subprocess.Popen([sys.executable, "-m", "hcpcs", "--db", str(full_store), "serve", "--port",
                                str(free_port())], stderr=subprocess.PIPE, text=True, env={**os.environ})  # fmt: skip
    try:
        line = serving.stderr.readline()
    finally:
        serving.terminate()
        serving.wait(timeout=30)
    cores = len(os.sched_getaffinity(0))
    assert f" with {cores} worker{'s' if cores > 1 else ''} " in line, line
