"""Checks of an issued PDF by tools that are not Archivox's own: poppler's ``pdfsig`` for the
signature, ``pdftoppm`` and zxing-cpp for the QR code stamped on each page."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

PDFSIG = "/usr/bin/pdfsig"
PDFTOPPM = "/usr/bin/pdftoppm"


def pdfsig_report(data: bytes) -> str:
    """What poppler's ``pdfsig`` says of the signatures of ``data``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "copy.pdf"
        path.write_bytes(data)
        done = subprocess.run(
            [PDFSIG, str(path)], capture_output=True, text=True, timeout=120, check=False
        )
    return done.stdout + done.stderr


def assert_pdfsig_valid(data: bytes) -> str:
    """One signature, valid, covering the whole file (pdfsig cannot be told to trust our own
    certificate without NSS tools, so the certificate's trust is pyHanko's check)."""
    report = pdfsig_report(data)
    assert report.count("Signature #") == 1, report
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Total document signed" in report, report
    return report


def qr_texts(data: bytes) -> list[list[str]]:
    """The QR codes found on each page of ``data`` (rendered at 200 dpi)."""
    import zxingcpp
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "copy.pdf"
        path.write_bytes(data)
        subprocess.run(
            [PDFTOPPM, "-r", "200", "-png", str(path), str(Path(folder) / "page")],
            check=True,
            capture_output=True,
            timeout=120,
        )
        pages = []
        for picture in sorted(Path(folder).glob("page-*.png")):
            with Image.open(picture) as image:
                pages.append(
                    [
                        found.text
                        for found in zxingcpp.read_barcodes(image)
                        if found.format == zxingcpp.BarcodeFormat.QRCode
                    ]
                )
    return pages
