"""``prakerja-monitor replica`` as a user runs it: robots.txt and the first listing
page of every platform, in its contract shape, over real HTTP."""

import json
import subprocess
import sys
import time
import urllib.request

import pytest
from smtp_server import free_port

FIRST_PAGES = {
    "bukalapak": ("/kartu-prakerja", "bl-product-card"),
    "maubelajarapa": ("/kartuprakerja/", ["a", "post-title"][1]),
    "pijarmahir": (
        "/api/v1/courses?category=kartu-prakerja&page=1&limit=8",
        '"courses"',
    ),
    "pintaria": ("/kartuprakerja", "prakerja-listing__count"),
    "sekolahmu": ("/kartuprakerja/", "window.__NUXT__="),
    "sisnaker": ("/pelatihan", "dataTables_info"),
    "skillacademy": (
        "/api/skillacademy/discovery/search?searchQuery=prakerja&page=1&pageSize=20",
        '"totalCourse"',
    ),
    "tokopedia": ("/discovery/kartu-prakerja/", "window.__cache="),
}


def get(url):
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


@pytest.fixture(scope="module")
def served():
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "monitor.cli",
            "replica",
            "--port",
            str(port),
            "--as-of",
            "2020-07-02",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    root = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60  # up when it answers, however loaded
    while True:
        try:
            get(root + "/robots.txt")
            break
        except OSError:
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "the replica did not answer"
            time.sleep(0.1)
    yield root
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.parametrize("slug", sorted(FIRST_PAGES))
def test_robots_and_first_listing_page(served, slug):
    status, robots = get(f"{served}/{slug}/robots.txt")
    assert status == 200 and "User-agent" in robots
    path, marker = FIRST_PAGES[slug]
    status, body = get(f"{served}/{slug}{path}")
    assert status == 200 and marker in body


def test_truth_names_violations_on_two_platforms_and_none_before_the_halt(served):
    _, after = get(served + "/__replica/truth?as_of=2020-07-02")
    violating = {
        s for s, rows in json.loads(after).items() if any(r["violation"] for r in rows)
    }
    assert len(violating) >= 2
    _, before = get(served + "/__replica/truth?as_of=2020-06-29")
    assert not any(r["violation"] for rows in json.loads(before).values() for r in rows)
