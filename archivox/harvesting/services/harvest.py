"""Harvest runs: Identify, ListRecords page by page (incremental from the last run's
responseDate), each record added, changed, deleted or skipped with its reason, the union
catalog's index kept in step, and the run's counts and log saved after every page so the
console shows its progress.

A page is one transaction: a failure later in the run keeps what earlier pages brought, and
the repository's ``harvested_until`` moves only when a run completes, so the next run asks
again from where the last complete one started."""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from archivox.catalog.search import segment
from archivox.core.services import audit_record
from archivox.harvesting.metadata import Fields, fields_from
from archivox.harvesting.models import (
    HarvestedRecord,
    HarvestedSearchText,
    HarvestRun,
    Repository,
)
from archivox.harvesting.oai_client import (
    Client,
    HarvestError,
    Limits,
    Page,
    format_datestamp,
)
from archivox.harvesting.services.repositories import check_manage

logger = logging.getLogger(__name__)

MAX_LOG_LINES = 2000
SCHEDULE_INTERVAL = {
    Repository.Schedule.HOURLY: datetime.timedelta(hours=1),
    Repository.Schedule.DAILY: datetime.timedelta(days=1),
    Repository.Schedule.WEEKLY: datetime.timedelta(days=7),
}
# A repository that keeps no deletions, or keeps them only for a while, is harvested in full
# this often: what a full harvest does not see any more is removed from the union catalog.
FULL_HARVEST_EVERY = datetime.timedelta(days=7)
STALE_RUN = datetime.timedelta(hours=6)


def limits_from_settings() -> Limits:
    return Limits(
        timeout=settings.ARCHIVOX_HARVEST_TIMEOUT,
        max_bytes=settings.ARCHIVOX_HARVEST_MAX_BYTES,
        max_depth=settings.ARCHIVOX_HARVEST_MAX_DEPTH,
        max_elements=settings.ARCHIVOX_HARVEST_MAX_ELEMENTS,
        retries=settings.ARCHIVOX_HARVEST_RETRIES,
        max_retry_after=settings.ARCHIVOX_HARVEST_MAX_RETRY_AFTER,
    )


def harvest_start(*, actor: User | None, repository: Repository, full: bool = False) -> HarvestRun:
    """Queue a harvest of ``repository`` (staff asked for it); the worker runs it."""
    from archivox.harvesting import tasks

    check_manage(actor, repository.archive)
    with transaction.atomic():
        run = HarvestRun.objects.create(repository=repository, full=full)
        audit_record(
            actor=actor,
            action="harvest.start",
            obj=repository,
            archive=repository.archive,
            after={"run": run.pk, "full": full},
        )
        transaction.on_commit(lambda: tasks.harvest_run_task(run.pk))
    return run


def harvest_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue the scheduled harvests that are due; returns the runs' ids."""
    from archivox.harvesting import tasks

    now = now or timezone.now()
    queued = []
    for repository in Repository.objects.filter(is_active=True).exclude(
        schedule=Repository.Schedule.MANUAL
    ):
        interval = SCHEDULE_INTERVAL[repository.schedule]
        if repository.last_harvest_at and repository.last_harvest_at > now - interval:
            continue
        # A run still queued or running blocks the next, unless it is so old that its worker
        # must have died with it.
        if repository.runs.filter(
            status__in=[HarvestRun.Status.QUEUED, HarvestRun.Status.RUNNING],
            created_at__gt=now - STALE_RUN,
        ).exists():
            continue
        last_full = (
            repository.runs.filter(full=True, status=HarvestRun.Status.SUCCEEDED)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        full = repository.deleted_record != "persistent" and (
            last_full is None or last_full < now - FULL_HARVEST_EVERY
        )
        run = HarvestRun.objects.create(repository=repository, full=full)
        transaction.on_commit(lambda pk=run.pk: tasks.harvest_run_task(pk))
        queued.append(run.pk)
    return queued


class _Progress:
    """The counts and log of a run, written to its row after every page."""

    def __init__(self, run: HarvestRun, echo: Callable[[str], None] | None) -> None:
        self.run = run
        self.echo = echo
        self.lines: list[str] = [line for line in run.log.splitlines() if line]

    def log(self, line: str) -> None:
        stamped = f"{timezone.now():%H:%M:%S} {line}"
        if len(self.lines) < MAX_LOG_LINES:
            self.lines.append(stamped)
        elif len(self.lines) == MAX_LOG_LINES:
            self.lines.append("… (log truncated)")
        if self.echo:
            self.echo(stamped)

    def save(self, **extra: object) -> None:
        run = self.run
        run.log = "\n".join(self.lines)
        for name, value in extra.items():
            setattr(run, name, value)
        run.save()


def _source_url(repository: Repository, identifier: str) -> str:
    """The record at its source, when it names no address of its own: GetRecord there."""
    query = urlencode(
        {
            "verb": "GetRecord",
            "identifier": identifier,
            "metadataPrefix": repository.metadata_prefix,
        }
    )
    return f"{repository.base_url}?{query}"


def _index_text(fields: Fields) -> tuple[str, str]:
    title = " ".join(segment(f"{fields.reference_code} {fields.title}"))
    body_parts = [
        fields.date_expression,
        fields.creator,
        fields.holder,
        fields.scope_content,
        fields.extent,
        " ".join(fields.subjects),
        " ".join(fields.places),
    ]
    return title, " ".join(segment(" ".join(part for part in body_parts if part)))


def _apply_page(repository: Repository, run: HarvestRun, page: Page, progress: _Progress) -> None:
    identifiers = [raw.header.identifier for raw in page.records if raw.header]
    existing = {
        record.identifier: record
        for record in HarvestedRecord.objects.filter(
            repository=repository, identifier__in=identifiers
        )
    }
    new: dict[str, HarvestedRecord] = {}
    changed: dict[str, HarvestedRecord] = {}
    unchanged: list[int] = []
    deleted: list[int] = []
    fields_of: dict[str, Fields] = {}
    for raw in page.records:
        run.seen += 1
        header = raw.header
        if header is None or raw.error:
            run.errors += 1
            who = header.identifier if header else f"record {raw.position} of page {run.pages}"
            progress.log(f"skipped {who}: {raw.error}")
            continue
        identifier = header.identifier
        if header.deleted:
            new.pop(identifier, None)
            changed.pop(identifier, None)
            if identifier in existing:
                deleted.append(existing.pop(identifier).pk)
            continue
        try:
            fields = fields_from(repository.metadata_prefix, raw.metadata)
        except (ValueError, TypeError) as exc:
            run.errors += 1
            progress.log(f"skipped {identifier}: {exc}")
            continue
        if not fields.source_url:
            fields.source_url = _source_url(repository, identifier)
        digest = fields.content_hash()
        values = {
            **fields.__dict__,
            "datestamp": header.datestamp,
            "set_specs": header.set_specs,
            "content_hash": digest,
            "last_run": run,
        }
        record = existing.get(identifier)
        if record is None:
            new[identifier] = HarvestedRecord(
                repository=repository, identifier=identifier, **values
            )
        elif record.content_hash != digest or record.set_specs != header.set_specs:
            for name, value in values.items():
                setattr(record, name, value)
            changed[identifier] = record
        else:
            unchanged.append(record.pk)
        fields_of[identifier] = fields
    with transaction.atomic():
        if deleted:
            HarvestedRecord.objects.filter(pk__in=deleted).delete()
        created = HarvestedRecord.objects.bulk_create(list(new.values()), batch_size=500)
        if changed:
            HarvestedRecord.objects.bulk_update(
                list(changed.values()),
                [
                    *Fields.__dataclass_fields__,
                    "datestamp",
                    "set_specs",
                    "content_hash",
                    "last_run",
                ],
                batch_size=500,
            )
        if unchanged:
            HarvestedRecord.objects.filter(pk__in=unchanged).update(last_run=run)
        if not all(record.pk for record in created):
            # Backends that do not return ids from a bulk insert: read them back.
            ids = dict(
                HarvestedRecord.objects.filter(
                    repository=repository, identifier__in=list(new)
                ).values_list("identifier", "pk")
            )
            for record in created:
                record.pk = ids[record.identifier]
        rows = [
            HarvestedSearchText(record_id=record.pk, title=title, body=body)
            for record in [*created, *changed.values()]
            for title, body in [_index_text(fields_of[record.identifier])]
        ]
        HarvestedSearchText.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["record"],
            update_fields=["title", "body"],
            batch_size=500,
        )
    run.added += len(created)
    run.changed += len(changed)
    run.deleted += len(deleted)


def _sweep(repository: Repository, run: HarvestRun, progress: _Progress) -> None:
    """After a full harvest of a repository without persistent deletions: what it no longer
    lists is gone at the source."""
    stale = HarvestedRecord.objects.filter(repository=repository).exclude(last_run=run)
    count = stale.count()
    if count:
        stale.delete()
        run.deleted += count
        progress.log(f"{count} records no longer listed by the repository removed")


def harvest_run_execute(
    run_id: int,
    *,
    until: datetime.datetime | None = None,
    limits: Limits | None = None,
    sleep: Callable[[float], None] = time.sleep,
    echo: Callable[[str], None] | None = None,
) -> HarvestRun:
    """Run a queued harvest to its end. Never raises for what the repository does: a run that
    cannot go on is marked failed with the reason, keeping the pages it completed."""
    run = HarvestRun.objects.select_related("repository").get(pk=run_id)
    repository = run.repository
    progress = _Progress(run, echo)
    from_ = None if run.full else repository.harvested_until
    progress.save(
        status=HarvestRun.Status.RUNNING,
        started_at=timezone.now(),
        from_date=from_,
        until_date=until,
    )
    client = Client(
        repository.base_url, limits=limits or limits_from_settings(), log=progress.log, sleep=sleep
    )
    first_response: datetime.datetime | None = None
    try:
        identify = client.identify()
        repository.remote_name = identify["repositoryName"][:300]
        repository.granularity = identify["granularity"][:30]
        repository.deleted_record = identify["deletedRecord"][:12]
        granularity = repository.granularity or "YYYY-MM-DD"
        progress.log(
            f"Identify: {repository.remote_name or '?'}; deletedRecord "
            f"{repository.deleted_record or '?'}; granularity {granularity}"
        )
        for set_spec in repository.set_specs or [""]:
            progress.log(
                f"ListRecords {repository.metadata_prefix}"
                + (f" set {set_spec}" if set_spec else "")
                + (f" from {format_datestamp(from_, granularity)}" if from_ else " (full)")
            )
            for page in client.list_records(
                metadata_prefix=repository.metadata_prefix,
                set_spec=set_spec,
                from_=format_datestamp(from_, granularity) if from_ else "",
                until=format_datestamp(until, granularity) if until else "",
            ):
                first_response = first_response or page.response_date
                run.pages += 1
                _apply_page(repository, run, page, progress)
                progress.log(
                    f"page {run.pages}: {len(page.records)} records; seen {run.seen}, added "
                    f"{run.added}, changed {run.changed}, deleted {run.deleted}, "
                    f"errors {run.errors}"
                )
                progress.save()
        if run.full and repository.deleted_record != "persistent" and not until:
            _sweep(repository, run, progress)
    except HarvestError as exc:
        progress.log(f"failed: {exc}")
        repository.last_harvest_at = timezone.now()
        repository.save()
        progress.save(
            status=HarvestRun.Status.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
        )
        return run
    finally:
        client.close()
    now = timezone.now()
    repository.last_harvest_at = now
    if not until:
        repository.harvested_until = first_response or run.started_at
    repository.save()
    progress.log("done")
    progress.save(status=HarvestRun.Status.SUCCEEDED, finished_at=now)
    return run
