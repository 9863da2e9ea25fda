"""Certified copies checked from outside Archivox: poppler's ``pdfsig`` validates the signature
(and sees a changed byte), every page carries the stamp's QR code of ``/verify/<code>``, an
official certificate plugged in by the settings of docs/records-requests.md signs instead of
the installation's key, and a revoked copy is shown as revoked by the page and the API."""

import datetime
import io

import pytest
from django.conf import settings as django_settings

from archivox.catalog.services import digital_object_add
from archivox.records_requests import selectors
from archivox.records_requests.models import CertifiedCopy
from archivox.records_requests.services import copies, workflow
from tests.records_requests.conftest import apply
from tests.records_requests.pdf_checks import assert_pdfsig_valid, pdfsig_report, qr_texts
from tests.records_requests.test_workflow import step, validate_signature


def two_page_pdf() -> bytes:
    from PIL import Image

    pages = [Image.new("RGB", (600, 800), colour) for colour in ("white", "lightyellow")]
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=72, save_all=True, append_images=pages[1:])
    return out.getvalue()


def issue_found(nanjing, xuanwu, desk, district, make_description, *, scan: bytes | None = None):
    request = apply(nanjing)
    found = make_description(
        "XW-HY-1980-0031", title="1980年结婚登记", archive=xuanwu, access_level="confidential"
    )
    if scan is not None:
        digital_object_add(actor=None, description=found, content=scan, original_name="scan.pdf")
    step(workflow.request_verify, desk, nanjing, request, decision="accept")
    step(workflow.request_forward, desk, nanjing, request, holding_slug="xuanwu")
    step(
        workflow.request_finding_add, district, xuanwu, request, reference_code=found.reference_code
    )
    step(workflow.request_result, district, xuanwu, request, found=True)
    return step(copies.request_issue, district, xuanwu, request)


def test_pdfsig_validates_the_copy_and_sees_a_changed_byte(
    nanjing, xuanwu, kinds, desk, district, make_description
):
    copy = issue_found(nanjing, xuanwu, desk, district, make_description)
    data = copy.file.open("rb").read()
    report = assert_pdfsig_valid(data)
    assert "Archivox certified copies" in report and "SHA-256" in report
    # One byte of the signed content changed: pdfsig no longer calls it valid.
    changed = bytearray(data)
    changed[len(changed) // 3] ^= 0x01
    assert "Signature is Valid." not in pdfsig_report(bytes(changed))


def test_every_page_is_stamped_with_the_qr_code_of_its_verification_page(
    nanjing, xuanwu, kinds, desk, district, make_description
):
    copy = issue_found(nanjing, xuanwu, desk, district, make_description, scan=two_page_pdf())
    data = copy.file.open("rb").read()
    assert copy.page_count == 2
    url = f"{django_settings.BASE_URL}/verify/{copy.verification_code}"
    assert qr_texts(data) == [[url], [url]]
    assert_pdfsig_valid(data)


def test_the_not_found_certificate_is_stamped_and_signed(nanjing, xuanwu, kinds, desk, district):
    request = apply(nanjing)
    step(workflow.request_verify, desk, nanjing, request, decision="accept")
    step(workflow.request_forward, desk, nanjing, request, holding_slug="xuanwu")
    step(workflow.request_result, district, xuanwu, request, found=False)
    copy = step(copies.request_issue, district, xuanwu, request)
    assert copy.kind == CertifiedCopy.Kind.NOT_FOUND and copy.page_count == 1
    data = copy.file.open("rb").read()
    assert qr_texts(data) == [[f"{django_settings.BASE_URL}/verify/{copy.verification_code}"]]
    assert_pdfsig_valid(data)


def _official_certificate(folder):
    """A province CA and the archive's seal certificate it issued (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def name(common):
        return x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Jiangsu Seal CA"),
                x509.NameAttribute(NameOID.COMMON_NAME, common),
            ]
        )

    def usage(*, ca):
        return x509.KeyUsage(
            digital_signature=True,
            content_commitment=not ca,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=ca,
            crl_sign=ca,
            encipher_only=False,
            decipher_only=False,
        )

    ca_key, seal_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Jiangsu Seal Root"))
        .issuer_name(name("Jiangsu Seal Root"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(ca=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    seal = (
        x509.CertificateBuilder()
        .subject_name(name("Xuanwu District Archives utilisation seal"))
        .issuer_name(ca.subject)
        .public_key(seal_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(ca=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    paths = {name: folder / f"{name}.pem" for name in ("key", "cert", "ca")}
    paths["key"].write_bytes(
        seal_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    paths["cert"].write_bytes(seal.public_bytes(serialization.Encoding.PEM))
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return paths


def test_an_official_certificate_plugged_in_by_the_settings_signs_the_copy(
    settings, tmp_path, nanjing, xuanwu, kinds, desk, district, make_description
):
    """docs/records-requests.md: ARCHIVOX_RECORDS_SIGNING_KEY, _CERT and _CHAIN."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko_certvalidator import ValidationContext

    paths = _official_certificate(tmp_path)
    settings.RECORDS_SIGNING_KEY = str(paths["key"])
    settings.RECORDS_SIGNING_CERT = str(paths["cert"])
    settings.RECORDS_SIGNING_CHAIN = [str(paths["ca"])]
    copy = issue_found(nanjing, xuanwu, desk, district, make_description)
    data = copy.file.open("rb").read()
    report = assert_pdfsig_valid(data)
    assert "Xuanwu District Archives utilisation seal" in report
    assert "Archivox certified copies" not in report
    # Trusted through the province CA alone (the seal certificate is not a trust root).
    status = validate_signature(
        data, ValidationContext(trust_roots=[load_cert_from_pemder(str(paths["ca"]))])
    )
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    # The installation's own key was never made.
    assert not (tmp_path / "var" / "records_signing").exists()


@pytest.mark.parametrize("where", ["page", "api"])
def test_a_revoked_copy_is_shown_revoked_and_an_unknown_code_finds_nothing(
    client, where, nanjing, xuanwu, kinds, desk, district, make_description
):
    copy = issue_found(nanjing, xuanwu, desk, district, make_description)
    code = copy.verification_code
    url = f"/verify/{code}" if where == "page" else f"/api/v1/records/verify/{code}"
    before = client.get(url)
    assert before.status_code == 200
    copies.copy_revoke(actor=district, archive=xuanwu, copy_id=copy.pk, reason="误出具")
    after = client.get(url)
    assert after.status_code == 200
    if where == "page":
        assert b'data-verdict="valid"' in before.content
        text = after.content.decode()
        assert 'data-verdict="revoked"' in text and 'data-verdict="valid"' not in text
        assert copy.sha256 in text and "XW-HY-1980-0031" in text
        assert "1980年结婚登记" not in text  # the record itself is never shown
    else:
        assert before.json()["revoked"] is False and after.json()["revoked"] is True
        assert after.json()["sha256"] == copy.sha256
    # Revoking twice changes nothing; a code that was never issued is simply unknown.
    copies.copy_revoke(actor=district, archive=xuanwu, copy_id=copy.pk, reason="again")
    copy.refresh_from_db()
    assert copy.revoke_reason == "误出具"
    unknown = client.get(url.replace(code, "ABCDEFGHJKMNPQRS"))
    assert unknown.status_code == 404
    # The person's page no longer offers the revoked copy.
    assert selectors.copies_for_person(copy.request) == []
