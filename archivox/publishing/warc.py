"""The archive's own record of what it published: per archive and month, one WARC file
(VAR_DIR/warc/<slug>/<slug>-YYYY-MM.warc.gz) holding, for each sent delivery, the payload as
sent, the platform's answer and the published URL as then served (fetched back)."""

from __future__ import annotations

import hashlib
import io
import json
import logging
from pathlib import Path

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archivox.core.models import Archive
from archivox.core.tls import tls_context
from archivox.publishing.models import Delivery, WarcFile

logger = logging.getLogger(__name__)
FETCH_TIMEOUT = 10.0


def warc_root() -> Path:
    return Path(settings.VAR_DIR) / "warc"


def _fetch(url: str) -> tuple[httpx.Response | None, str]:
    try:
        with httpx.Client(
            timeout=FETCH_TIMEOUT, follow_redirects=True, verify=tls_context()
        ) as client:
            return client.get(url, headers={"User-Agent": "Archivox-WARC/1"}), ""
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"


def _records(writer: WARCWriter, delivery: Delivery, served, fetch_error: str) -> list:
    post = delivery.post
    target = delivery.url or (f"urn:archivox:{post.archive.slug}:post:{post.pk}:{delivery.channel}")
    headers = {
        "WARC-Archivox-Channel": delivery.channel,
        "WARC-Archivox-Post": str(post.pk),
        "WARC-Archivox-Remote-Id": delivery.remote_id,
    }
    records = []
    sent = json.dumps(
        {
            "channel": delivery.channel,
            "post": post.pk,
            "title": post.title,
            "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
            "payload": delivery.payload,
        },
        ensure_ascii=False,
    ).encode()
    records.append(
        writer.create_warc_record(
            f"urn:archivox:delivery:{delivery.idempotency_key}:sent",
            "resource",
            payload=io.BytesIO(sent),
            warc_content_type="application/json",
            warc_headers_dict={**headers, "WARC-Archivox-Target": target},
        )
    )
    answer = json.dumps(delivery.response, ensure_ascii=False).encode()
    records.append(
        writer.create_warc_record(
            f"urn:archivox:delivery:{delivery.idempotency_key}:response",
            "metadata",
            payload=io.BytesIO(answer),
            warc_content_type="application/json",
            warc_headers_dict=headers,
        )
    )
    if served is not None:
        http_headers = StatusAndHeaders(
            f"{served.status_code} {served.reason_phrase}",
            [
                (k, v)
                for k, v in served.headers.items()
                if k.lower() not in {"content-encoding", "transfer-encoding", "content-length"}
            ],
            protocol="HTTP/1.1",
        )
        records.append(
            writer.create_warc_record(
                str(served.url),
                "response",
                payload=io.BytesIO(served.content),
                http_headers=http_headers,
                warc_headers_dict=headers,
            )
        )
    elif delivery.url:
        records.append(
            writer.create_warc_record(
                f"urn:archivox:delivery:{delivery.idempotency_key}:fetch-failed",
                "metadata",
                payload=io.BytesIO(f"fetching {delivery.url} failed: {fetch_error}".encode()),
                warc_content_type="text/plain",
                warc_headers_dict=headers,
            )
        )
    return records


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def delivery_archive_write(*, delivery_id: int) -> int:
    """Append a sent delivery to its archive's WARC of the month; returns the records written
    (0 when it was archived already or is not sent)."""
    delivery = Delivery.objects.select_related("post__archive").get(pk=delivery_id)
    if delivery.status != Delivery.Status.SENT or delivery.archived_at is not None:
        return 0
    served, fetch_error = (None, "")
    if delivery.url:
        served, fetch_error = _fetch(delivery.url)
    archive: Archive = delivery.post.archive
    month = timezone.localtime(delivery.sent_at or timezone.now()).strftime("%Y-%m")
    folder = warc_root() / archive.slug
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{archive.slug}-{month}.warc.gz"
    with transaction.atomic():
        # The row lock serialises writers of the same file across worker processes; the read
        # takes it (one query where a get_or_create and a locked read took two, issue 24).
        warc, _created = WarcFile.objects.select_for_update().get_or_create(
            archive=archive, month=month, defaults={"path": str(path)}
        )
        # Claimed by the UPDATE, which locks the row too; nothing to do if another task archived
        # it. Undone with the rest should the writing fail.
        claimed = Delivery.objects.filter(pk=delivery_id, archived_at__isnull=True).update(
            archived_at=timezone.now()
        )
        if not claimed:
            return 0
        with path.open("ab") as handle:
            writer = WARCWriter(handle, gzip=True)
            if warc.record_count == 0 and handle.tell() == 0:
                writer.write_record(
                    writer.create_warcinfo_record(
                        path.name, {"software": "Archivox", "archive": archive.slug}
                    )
                )
                warc.record_count += 1
            records = _records(writer, delivery, served, fetch_error)
            for record in records:
                writer.write_record(record)
        warc.record_count += len(records)
        warc.size = path.stat().st_size
        warc.sha256 = _file_digest(path)
        warc.path = str(path)
        warc.save(update_fields=["record_count", "size", "sha256", "path", "updated_at"])
    return len(records)
