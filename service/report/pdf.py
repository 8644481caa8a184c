"""The report as PDF: headless Chromium prints the HTML file (no network: everything is inline)."""

import shutil
import subprocess
import tempfile
from pathlib import Path

# Headless, offline Chromium: no sandbox (runs as root here), no network of its own.
HEADLESS_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
PRINT_ARGS = (
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=3000",  # let plotly draw before printing
)


class PdfError(RuntimeError):
    """Chromium is missing or could not print the report."""


def find_chromium() -> Path | None:
    """Debian's chromium (or google-chrome) on PATH."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def print_pdf(html: Path, pdf: Path, *, chromium: Path | None = None, timeout_s: float = 120.0) -> Path:
    """Print `html` to `pdf` with headless Chromium; PdfError saying what went wrong."""
    browser = chromium or find_chromium()
    if browser is None:
        raise PdfError("no Chromium found for --pdf (apt-get install chromium); the XLSX and HTML were written")
    with tempfile.TemporaryDirectory(prefix="wqmon-pdf-") as profile:
        command = [
            str(browser),
            *HEADLESS_ARGS,
            *PRINT_ARGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf.resolve()}",
            html.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"{browser} did not finish printing {html} within {timeout_s:.0f} s") from None
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        raise PdfError(f"{browser} could not print {html} (exit {done.returncode}): {' | '.join(tail)}")
    return pdf


def report_pdf(html: str, *, chromium: Path | None = None, timeout_s: float = 120.0) -> bytes:
    """The PDF of a self-contained report page (`html`), printed in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="wqmon-report-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(html, encoding="utf-8")
        return print_pdf(page, Path(folder) / "report.pdf", chromium=chromium, timeout_s=timeout_s).read_bytes()
