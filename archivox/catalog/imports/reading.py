"""Reading the file: its name and its bytes (size-limited), and what it is by its content:
plainly not text, XML (EAD) or else CSV."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import IO, Any

MAX_IMPORT_BYTES = 256 * 1024 * 1024

# Files that are plainly not text, recognised by their first bytes.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one: save it as CSV UTF-8)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (.xls or .doc)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"RIFF", "a RIFF file (WebP, WAV or AVI)"),
    (b"\x7fELF", "a program"),
    (b"\xff\xfe", "UTF-16 text (save it as UTF-8)"),
    (b"\xfe\xff", "UTF-16 text (save it as UTF-8)"),
)


def _name_of(file_path_or_fileobj: str | Path | IO[Any]) -> str:
    if isinstance(file_path_or_fileobj, str | Path):
        return Path(file_path_or_fileobj).name
    return Path(str(getattr(file_path_or_fileobj, "name", "") or "upload")).name


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def _read(file_path_or_fileobj: str | Path | IO[Any]) -> tuple[str, bytes]:
    """The file's name (for the report and the audit entry) and its bytes, size-limited."""
    if isinstance(file_path_or_fileobj, str | Path):
        path = Path(file_path_or_fileobj)
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise _TooLarge(size)
        return path.name, path.read_bytes()
    name = _name_of(file_path_or_fileobj)
    content = file_path_or_fileobj.read(MAX_IMPORT_BYTES + 1)
    if isinstance(content, str):
        content = content.encode("utf-8")
    if len(content) > MAX_IMPORT_BYTES:
        raise _TooLarge(len(content))
    return name, content


def _sniff_binary(data: bytes) -> str | None:
    """What the file is if it is plainly not text, else None."""
    for signature, what in SIGNATURES:
        if data.startswith(signature):
            return what
    if b"\0" in data[:65536]:
        return "binary data"
    return None


def _looks_like_xml(data: bytes) -> bool:
    return data.removeprefix(codecs.BOM_UTF8).lstrip()[:1] == b"<"


def detect_format(data: bytes) -> str:
    """ "ead" for XML content, else "csv"; by content, never by the file's name."""
    return "ead" if _looks_like_xml(data) else "csv"
