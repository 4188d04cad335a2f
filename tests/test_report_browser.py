"""The HTML report as a person sees it: headless Chromium loads it with no network, shows the
matrix, logs no console error; the screenshot is kept for a human to look at.

Skips when Chromium is not installed; `make report-check` installs it and requires it
(ORACLE_REQUIRE_CHROMIUM=1). The screenshot goes to reports/report-check/report.png
(or $ORACLE_ARTIFACTS).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
if CHROMIUM is None and os.environ.get("ORACLE_REQUIRE_CHROMIUM"):
    raise RuntimeError("ORACLE_REQUIRE_CHROMIUM is set but chromium is not on PATH")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make report-check installs it)")


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless, sandbox off (containers), GPU off, every host unresolvable: nothing is fetched."""
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
               "--enable-logging=stderr", "--v=0", *args, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def test_console_errors_are_detected(tmp_path: Path) -> None:
    """The check below can fail: a page with a script error is caught."""
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>missingFunction();</script></body></html>")
    done = chromium(page, tmp_path / "profile", "--dump-dom")
    assert any("missingFunction" in line for line in console_errors(done.stderr))


def test_report_renders_in_chromium(pipeline: dict[str, Any], rendered: Path, tmp_path: Path) -> None:
    page = rendered / "report.html"  # the session's `oracle report`, rendered once
    dom = chromium(page, tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert not console_errors(dom.stderr)
    cells = re.findall(r'<td class="cell[^"]*"[^>]*><a href="#([^"]+)">', dom.stdout)
    assert len(cells) == 3 * len(pipeline["cases"])  # the matrix, as the browser built it
    assert set(cells) == {c["id"] for c in pipeline["cases"]}

    artifacts = Path(os.environ.get("ORACLE_ARTIFACTS", ROOT / "reports" / "report-check"))
    artifacts.mkdir(parents=True, exist_ok=True)
    shot = artifacts / "report.png"
    done = chromium(page, tmp_path / "profile", "--window-size=1280,2400", f"--screenshot={shot}")
    assert done.returncode == 0 and not console_errors(done.stderr), done.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 50_000  # not a blank page
    shutil.copy(page, artifacts / "report.html")


# Opens every folded section, then records each verdict header (th.v) whose right edge is past the window
_MEASURE = """<script>
document.querySelectorAll('details').forEach(d => { d.open = true; });
const width = document.documentElement.clientWidth, off = [];
let headers = 0;
for (const th of document.querySelectorAll('th.v')) {
  headers += 1;
  const box = th.getBoundingClientRect();
  if (box.right > width + 0.5) off.push(th.closest('table').className + ': ' + th.textContent);
}
document.body.setAttribute('data-measured', JSON.stringify({width, headers, off,
  page: document.documentElement.scrollWidth}));
</script></body>"""


def test_a_1400px_window_shows_every_tables_verdict_columns(tmp_path: Path) -> None:
    import json

    from test_citable_report import cited_run

    out = cited_run(tmp_path / "run")
    from oracle.report.write import write_reports
    from oracle.results import load_results

    write_reports(load_results(out / "results.json"), out)
    page = out / "measured.html"
    page.write_text((out / "report.html").read_text().replace("</body>", _MEASURE))
    dom = chromium(page, tmp_path / "profile", "--window-size=1400,900", "--dump-dom")
    assert dom.returncode == 0 and not console_errors(dom.stderr), dom.stderr[-2000:]
    found = re.search(r"data-measured=\"([^\"]*)\"", dom.stdout)
    assert found, "the measuring script did not run"
    measured = json.loads(found.group(1).replace("&quot;", '"'))
    assert 1300 <= measured["width"] <= 1400
    assert measured["headers"] >= 5  # summary aside: matrix, coverage, ledger headers were measured
    assert measured["off"] == []  # no verdict column needs a horizontal scroll
    assert measured["page"] <= measured["width"]  # the page itself never scrolls sideways: wide tables do
