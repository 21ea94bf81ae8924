"""axe-core in every page the browser tests open. `open_page` attaches an `Audit` to each browser
context it creates: axe (node_modules/axe-core, pinned in package.json) and a11y_runner.js are
injected into every document, each document is audited once it has loaded, and the test fails on
any violation of impact serious or critical against the WCAG 2.1 A and AA rules, naming the rule,
the element and the page."""

import re
import warnings
from pathlib import Path
from urllib.parse import urlsplit

from tests.conftest import IN_CI, require_service

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RUNNER = Path(__file__).with_name("a11y_runner.js")
MISSING = (
    "needs axe-core: run `npm ci` in the repository root (Node.js and npm; "
    "`python3 dev.py test` runs it when npm is installed)"
)

# (path with its ids replaced, width) of every page audited in this session: a page a test left
# before its audit ended is visited again at the end of the test, unless a page of its kind has
# already been audited at that width.
_audited_kinds: set[tuple[str, int]] = set()


def require_axe() -> None:
    """Skips (fails under CI=true) without axe-core."""
    require_service(AXE.exists(), MISSING)


def axe_or_warn() -> bool:
    """For `open_page`: under CI the audit is required; elsewhere the journeys still run without it."""
    if AXE.exists():
        return True
    if IN_CI:
        require_service(False, MISSING)
    warnings.warn(f"pages not audited for accessibility: {MISSING}", stacklevel=2)
    return False


def _kind(url: str, width: int) -> tuple[str, int]:
    return re.sub(r"/\d+(?=/)", "/<id>", urlsplit(url).path), width


def describe(reports: list[dict]) -> str:
    lines = []
    for report in reports:
        for violation in report["violations"]:
            lines.append(
                f"{violation['rule']} ({violation['impact']}) on {report['url']} at {report['width']} px, "
                f"lang={report['lang']!r}: {violation['help']} {violation['url']}"
            )
            for node in violation["nodes"]:
                summary = " ".join((node.get("summary") or "").split())
                lines.append(f"    {node['target']}  {node['html'][:200]}\n      {summary[:400]}")
    return "\n".join(lines)


def assert_accessible(page) -> dict:
    """Audits the page as it is now (after a resize, a switch of language, a script's change)."""
    report = page.evaluate("() => window.__a11yAudit()")
    _audited_kinds.add(_kind(report["url"], report["width"]))
    assert not report["violations"], "axe-core found serious or critical violations:\n" + describe([report])
    return report


class Audit:
    def __init__(self):
        self.reports: list[dict] = []
        self.loaded: dict[str, object] = {}

    def attach(self, context) -> None:
        context.add_init_script(path=str(AXE))
        context.add_init_script(path=str(RUNNER))
        context.expose_binding("__a11yReport", lambda source, report: self.reports.append(report))
        context.on("page", self.watch)

    def watch(self, page) -> None:
        page.on("load", lambda loaded: self.loaded.setdefault(loaded.url, loaded.context))

    def finish(self, contexts) -> str:
        """Waits for the audits still running on the open pages, visits again the pages left before
        their audit ended, and describes every violation found ('' when none)."""
        from playwright.sync_api import Error

        for context in contexts:
            for page in context.pages:
                try:
                    report = page.evaluate("() => window.__a11yFirst || null")
                except Error:
                    report = None
                if report:
                    self.reports.append(report)
        audited = {report["url"] for report in self.reports}
        for url, context in list(self.loaded.items()):
            if url in audited or not url.startswith("http"):
                continue
            page = context.new_page()
            if _kind(url, page.viewport_size["width"]) in _audited_kinds:
                page.close()
                continue
            page.goto(url)
            report = page.evaluate("() => window.__a11yFirst || null")
            page.close()
            if report:
                self.reports.append(report)
        failing, seen = [], set()
        for report in self.reports:
            _audited_kinds.add(_kind(report["url"], report["width"]))
            key = (report["url"], report["width"], repr(report["violations"]))
            if report["violations"] and key not in seen:
                seen.add(key)
                failing.append(report)
        return describe(failing)
