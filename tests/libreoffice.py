"""Printing a workbook through LibreOffice, for the tests that check what a reader would print."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
needs_libreoffice = pytest.mark.skipif(
    LIBREOFFICE is None, reason="LibreOffice is not installed (Debian: libreoffice-calc-nogui)"
)


def print_to_pdf(workbook: Path, outdir: Path) -> Path:
    """The PDF LibreOffice prints of `workbook`, written into `outdir`."""
    assert LIBREOFFICE is not None
    profile = outdir / "lo-profile"  # a private profile: parallel runs do not collide
    done = subprocess.run(
        [
            LIBREOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = outdir / (workbook.stem + ".pdf")
    assert done.returncode == 0 and pdf.exists(), done.stderr
    return pdf
