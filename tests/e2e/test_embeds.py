"""An embed renders inside an <iframe> on a page of another origin; other pages refuse to be framed.

The other site is a second HTTP server on loopback, reached as ``localhost`` on its own
port while the tracker is ``127.0.0.1`` on another: a different origin on both counts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.scratch_db, pytest.mark.process, pytest.mark.seeded]

SEEDED_PLAN = "mongolia-odra-2018"


@pytest.fixture(scope="module")
def other_site(live_server) -> Iterator[str]:
    """A news site on another origin whose page frames two of the tracker's pages."""
    page = f"""<!doctype html><html lang="en"><head><title>Elsewhere</title></head><body>
<h1>A news site</h1>
<iframe id="scorecard" title="Scorecard" width="800" height="500"
  src="{live_server.url}/embed/plans/{SEEDED_PLAN}/scorecard"></iframe>
<iframe id="gantt" title="Gantt" width="800" height="500"
  src="{live_server.url}/embed/plans/{SEEDED_PLAN}/gantt"></iframe>
<iframe id="plan" title="Plan page" width="800" height="300"
  src="{live_server.url}/plans/{SEEDED_PLAN}"></iframe>
</body></html>""".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_the_embeds_render_in_frames_on_another_origin_and_the_plan_page_does_not(browser, other_site):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    try:
        page = context.new_page()
        page.goto(other_site)
        scorecard = page.frame_locator("#scorecard")
        expect(scorecard.get_by_role("heading", level=1)).to_contain_text("Mongolia")
        expect(scorecard.get_by_role("table")).to_contain_text("Total")
        gantt = page.frame_locator("#gantt")
        expect(gantt.get_by_role("heading", level=1)).to_contain_text("Mongolia")
        expect(gantt.locator("a.hchart-bar").first).to_be_visible()

        # The plan page itself keeps frame-ancestors 'none': the browser shows nothing of it.
        frame = page.frame(url=lambda url: url.endswith(f"/plans/{SEEDED_PLAN}"))
        blocked = frame is None or frame.evaluate("() => document.querySelector('h1') === null "
                                                  "|| !document.body.innerText.includes('Mongolia')")
        assert blocked, "the plan page rendered inside another site's frame"
    finally:
        context.close()
