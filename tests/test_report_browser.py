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
