"""Certified electronic copies: the pages of what was found (or a certificate that nothing
was), each stamped with the archive's utilisation seal text, the reference code, the date and
a verification code with its QR code, then signed (PAdES, pyHanko) with the installation's
key, or the archive's official certificate when one is configured (docs/records-requests.md).

The signing key is made on first use under the var directory
(``var/records_signing/key.pem``, ``cert.pem``); ``ARCHIVOX_RECORDS_SIGNING_KEY`` and
``ARCHIVOX_RECORDS_SIGNING_CERT`` (PEM files, with ``ARCHIVOX_RECORDS_SIGNING_CHAIN`` for the
issuing CA's certificates) point at an official one instead."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import hashlib
import io
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.catalog import selectors as catalog_selectors
from archivox.core.models import Archive, User
from archivox.core.services import audit_record
from archivox.records_requests.codes import code_display, code_generate
from archivox.records_requests.models import CertifiedCopy, RecordsRequest
from archivox.records_requests.services.common import RequestRefused
from archivox.records_requests.services.workflow import _locked, _side, _step

S = RecordsRequest.Status
A4 = (1240, 1754)  # pixels at 150 dpi
FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


# ── the signing key ───────────────────────────────────────────────────────────────────────────


def signing_files() -> tuple[Path, Path, list[Path]]:
    """(key, certificate, chain) in PEM: the configured official ones, else the installation's
    own, made on first use."""
    key = getattr(settings, "RECORDS_SIGNING_KEY", "") or ""
    cert = getattr(settings, "RECORDS_SIGNING_CERT", "") or ""
    chain = [Path(p) for p in getattr(settings, "RECORDS_SIGNING_CHAIN", []) or []]
    if key and cert:
        return Path(key), Path(cert), chain
    folder = Path(settings.VAR_DIR) / "records_signing"
    key_path, cert_path = folder / "key.pem", folder / "cert.pem"
    if not (key_path.exists() and cert_path.exists()):
        _installation_key_make(key_path, cert_path)
    return key_path, cert_path, []


def _installation_key_make(key_path: Path, cert_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Archivox"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Archivox certified copies"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    temporary = key_path.with_suffix(f".{secrets.token_hex(4)}.tmp")
    temporary.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    temporary.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    temporary.replace(key_path)


def pdf_sign(data: bytes) -> bytes:
    """``data`` signed: a PAdES baseline signature (CMS, SHA-256) over the whole file."""
    # pyHanko's synchronous API runs its own event loop, which cannot start in a thread that
    # already has one running (an ASGI worker's, a test's browser driver): sign in another.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _pdf_sign(data)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_pdf_sign, data).result()


def _pdf_sign(data: bytes) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    key, cert, chain = signing_files()
    signer = signers.SimpleSigner.load(
        key_file=str(key), cert_file=str(cert), ca_chain_files=[str(p) for p in chain] or None
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    out = signers.sign_pdf(
        writer,
        signers.PdfSignatureMetadata(
            field_name="ArchivoxCertification",
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason="档案利用证明",
        ),
        signer=signer,
    )
    return out.getvalue()


# ── the pages ─────────────────────────────────────────────────────────────────────────────────


def _font(size: int):
    from PIL import ImageFont

    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def _text_page(lines: list[tuple[str, int]]) -> bytes:
    """A one-page PDF of text lines (text, size), drawn as a picture: any Chinese text, no
    font embedding to get wrong."""
    from PIL import Image, ImageDraw

    page = Image.new("RGB", A4, "white")
    draw = ImageDraw.Draw(page)
    y = 160
    for text, size in lines:
        font = _font(size)
        for chunk in _wrap(text, font, A4[0] - 240, draw):
            draw.text((120, y), chunk, fill="black", font=font)
            y += int(size * 1.6)
        y += size // 2
    out = io.BytesIO()
    page.save(out, "PDF", resolution=150)
    return out.getvalue()


def _wrap(text: str, font, width: int, draw) -> list[str]:
    lines, line = [], ""
    for char in text:
        if draw.textlength(line + char, font=font) > width:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line]


def _stamp(*, seal: str, reference: str, issued: str, code: str, url: str) -> bytes:
    """The stamp laid on every page: seal text, reference code, date, verification code and
    the QR code of the verification page (a one-page PDF, 560×150 pt)."""
    import qrcode
    from PIL import Image, ImageDraw

    scale = 3
    picture = Image.new("RGB", (560 * scale, 150 * scale), "white")
    draw = ImageDraw.Draw(picture)
    draw.rectangle(
        (2, 2, picture.width - 3, picture.height - 3), outline=(180, 20, 20), width=2 * scale
    )
    qr = qrcode.make(url, box_size=4, border=1).get_image().convert("RGB")
    side = picture.height - 16 * scale
    picture.paste(qr.resize((side, side)), (picture.width - side - 8 * scale, 8 * scale))
    big, small = _font(16 * scale), _font(11 * scale)
    draw.text((12 * scale, 10 * scale), seal, fill=(180, 20, 20), font=big)
    y = 40 * scale
    for line in (
        _("Reference code: %(code)s") % {"code": reference},
        _("Issued on: %(date)s") % {"date": issued},
        _("Verification code: %(code)s") % {"code": code},
        url,
    ):
        draw.text((12 * scale, y), line[:70], fill="black", font=small)
        y += 24 * scale
    out = io.BytesIO()
    picture.save(out, "PDF", resolution=72 * scale)
    return out.getvalue()


def _record_pages(request: RecordsRequest, actor: User):
    """The found descriptions' digital objects as one PDF (pikepdf), or a page naming them
    when nothing was digitised (staff then attach the scan to the description first)."""
    import pikepdf
    from PIL import Image

    merged = pikepdf.new()
    for finding in request.findings.select_related("description"):
        for digital in catalog_selectors.digital_object_list_for_staff(
            user=actor, description=finding.description
        ):
            with digital.file.open("rb") as handle:
                content = handle.read()
            if digital.kind == "pdf":
                with pikepdf.open(io.BytesIO(content)) as source:
                    merged.pages.extend(source.pages)
                continue
            with Image.open(io.BytesIO(content)) as picture:
                out = io.BytesIO()
                picture.convert("RGB").save(out, "PDF", resolution=150)
            with pikepdf.open(io.BytesIO(out.getvalue())) as source:
                merged.pages.extend(source.pages)
    if not len(merged.pages):
        lines = [(_("Copy of archival records"), 40)]
        for finding in request.findings.select_related("description"):
            lines.append((f"{finding.description.reference_code}  {finding.description.title}", 26))
        merged.pages.extend(pikepdf.open(io.BytesIO(_text_page(lines))).pages)
    return merged


def _not_found_page(request: RecordsRequest, archive: Archive) -> bytes:
    years = (
        str(request.years_from)
        if request.years_from == request.years_to
        else f"{request.years_from}–{request.years_to}"
    )
    return _text_page(
        [
            (_("Certificate of no record found"), 40),
            (
                _(
                    "At the request of %(name)s, %(archive)s searched its holdings for "
                    "%(category)s records of %(years)s%(place)s and found none."
                )
                % {
                    "name": request.name,
                    "archive": archive,
                    "category": request.get_category_display(),
                    "years": years,
                    "place": f"（{request.district or ''}{request.place or ''}）"
                    if (request.district or request.place)
                    else "",
                },
                26,
            ),
            (str(archive), 26),
            (timezone.localdate().isoformat(), 26),
        ]
    )


def _assemble(pdf, *, archive: Archive, reference: str, code: str) -> tuple[bytes, int]:
    """Stamp every page of ``pdf`` (pikepdf) and save it; (bytes, page count)."""
    import pikepdf

    url = settings.BASE_URL + reverse("records_verify", args=[code])
    stamp_pdf = pikepdf.open(
        io.BytesIO(
            _stamp(
                seal=_("%(archive)s · archives utilisation seal") % {"archive": archive},
                reference=reference or "—",
                issued=timezone.localdate().isoformat(),
                code=code_display(code),
                url=url,
            )
        )
    )
    stamp_page = stamp_pdf.pages[0]
    for page in pdf.pages:
        box = page.mediabox
        left, bottom = float(box[0]), float(box[1])
        width = float(box[2]) - left
        stamp_width = min(280.0, width * 0.6)
        rect = pikepdf.Rectangle(
            left + width - stamp_width - 12,
            bottom + 12,
            left + width - 12,
            bottom + 12 + stamp_width * 150 / 560,
        )
        page.add_overlay(stamp_page, rect)
    pdf.docinfo["/Title"] = f"{archive} {code_display(code)}"
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue(), len(pdf.pages)


@transaction.atomic
def request_issue(*, actor: User, archive: Archive, request_id: int, version: int) -> CertifiedCopy:
    """Issue the certified copy (found) or the certificate of no record (not found), signed;
    the request becomes "issued"."""
    request = _locked(actor=actor, archive=archive, request_id=request_id, version=version)
    _side(request, archive, "worker")
    if request.status not in (S.FOUND, S.NOT_FOUND):
        raise RequestRefused("state", _("Record the search's result before issuing."))
    found = request.status == S.FOUND
    reference = (
        "; ".join(
            f.description.reference_code for f in request.findings.select_related("description")
        )
        if found
        else ""
    )[:300]
    for _attempt in range(5):
        code = code_generate()
        if not CertifiedCopy.objects.filter(verification_code=code).exists():
            break
    pdf = _record_pages(request, actor) if found else None
    if pdf is None:
        import pikepdf

        pdf = pikepdf.open(io.BytesIO(_not_found_page(request, archive)))
    data, pages = _assemble(pdf, archive=archive, reference=reference, code=code)
    signed = pdf_sign(data)
    copy = CertifiedCopy(
        request=request,
        archive=archive,
        kind=CertifiedCopy.Kind.COPY if found else CertifiedCopy.Kind.NOT_FOUND,
        verification_code=code,
        reference_code=reference,
        sha256=hashlib.sha256(signed).hexdigest(),
        page_count=pages,
        issued_by=actor,
    )
    copy.file.save(f"{secrets.token_hex(12)}.pdf", ContentFile(signed), save=False)
    try:
        with transaction.atomic():
            copy.save()
    except IntegrityError as exc:
        raise RequestRefused("retry", _("Please issue again.")) from exc
    _step(actor=actor, archive=archive, request=request, action="issue", status=S.ISSUED)
    return copy


@transaction.atomic
def copy_revoke(*, actor: User, archive: Archive, copy_id: int, reason: str) -> CertifiedCopy:
    """Revoke an issued copy: the verification page then shows it as revoked."""
    from archivox.core.selectors import archive_check_capability
    from archivox.records_requests.selectors import WORK

    archive_check_capability(user=actor, archive=archive, capability=WORK)
    copy = CertifiedCopy.objects.select_for_update().filter(pk=copy_id, archive=archive).first()
    if copy is None:
        raise RequestRefused("unknown", _("No such copy issued by this archive."))
    reason = (reason or "").strip()[:300]
    if not reason:
        raise RequestRefused("message", _("Say why the copy is revoked."))
    if copy.revoked_at is None:
        copy.revoked_at, copy.revoke_reason = timezone.now(), reason
        copy.save(update_fields=["revoked_at", "revoke_reason"])
        audit_record(
            actor=actor,
            action="certified_copy.revoke",
            obj=copy,
            archive=archive,
            after={"reason": reason},
        )
    return copy
