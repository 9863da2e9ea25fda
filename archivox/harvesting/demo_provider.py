"""A stand-alone OAI-PMH provider for the union-catalog demo and tests, built on pyoai's server
(an implementation independent of ours): it serves records from a YAML file (Suzhou's garden
archives in ``data/demo/union/``) or from a list, in ``oai_dc``, with sets, deletions and
resumption tokens, from its own process or thread.

pyoai is a development dependency (``.[dev]``), imported here only when a provider starts."""

from __future__ import annotations

import dataclasses
import datetime
import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import yaml


@dataclasses.dataclass
class DemoRecord:
    identifier: str
    datestamp: datetime.datetime
    fields: dict[str, list[str]]
    sets: list[str] = dataclasses.field(default_factory=list)
    deleted: bool = False


@dataclasses.dataclass
class DemoRepository:
    name: str
    records: list[DemoRecord]
    sets: dict[str, str] = dataclasses.field(default_factory=dict)
    deleted_record: str = "persistent"
    admin_email: str = "oai@example.org"


def load_yaml(path: Path) -> DemoRepository:
    """The repository a demo file describes (see data/demo/README.md, union/)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    prefix = data["identifier_prefix"]
    datestamp = datetime.datetime.fromisoformat(str(data.get("datestamp", "2026-01-01T00:00:00")))
    records = []
    for entry in data["records"]:
        fields = {
            "title": [entry["title"]],
            "creator": [entry["creator"]] if entry.get("creator") else [],
            "subject": list(entry.get("subjects", [])),
            "description": [entry["description"]] if entry.get("description") else [],
            "publisher": [data["holder"]],
            "date": [str(entry["date"])] if entry.get("date") else [],
            "type": [entry.get("level", "file")],
            # {site} becomes the provider's own address when it starts: it serves the records'
            # pages too, so the union catalog links back to a real page.
            "identifier": [entry["code"], f"{{site}}/records/{entry['code']}"],
            "coverage": list(entry.get("places", [])),
            "relation": [entry["manifest"]] if entry.get("manifest") else [],
            "rights": [data.get("rights", "")] if data.get("rights") else [],
        }
        records.append(
            DemoRecord(
                identifier=f"{prefix}{entry['code']}",
                datestamp=datestamp,
                fields=fields,
                sets=list(entry.get("sets", [])),
            )
        )
    return DemoRepository(
        name=data["repository_name"], records=records, sets=dict(data.get("sets", {}))
    )


class _Provider:
    """pyoai's IOAIPMH interface over a DemoRepository (read at each request, so a test may
    change it between harvests)."""

    def __init__(self, repository: DemoRepository, base_url: str) -> None:
        self.repository = repository
        self.base_url = base_url

    def identify(self) -> Any:
        from oaipmh import common

        return common.Identify(
            repositoryName=self.repository.name,
            baseURL=self.base_url,
            protocolVersion="2.0",
            adminEmails=[self.repository.admin_email],
            earliestDatestamp=datetime.datetime(2000, 1, 1),
            deletedRecord=self.repository.deleted_record,
            granularity="YYYY-MM-DDThh:mm:ssZ",
            compression=["identity"],
            toolkit_description=False,
        )

    def listMetadataFormats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:
        return [
            (
                "oai_dc",
                "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
                "http://www.openarchives.org/OAI/2.0/oai_dc/",
            )
        ]

    def listSets(self, cursor: int = 0, batch_size: int = 10) -> list[tuple[str, str, str]]:
        return [(spec, name, "") for spec, name in self.repository.sets.items()]

    def _matching(self, set: str | None, from_: Any, until: Any) -> list[DemoRecord]:
        found = []
        for record in self.repository.records:
            if set and set not in record.sets:
                continue
            if from_ is not None and record.datestamp < from_:
                continue
            if until is not None and record.datestamp > until:
                continue
            found.append(record)
        return found

    def _header(self, record: DemoRecord) -> Any:
        from oaipmh import common

        return common.Header(None, record.identifier, record.datestamp, record.sets, record.deleted)

    def listRecords(
        self,
        metadataPrefix: str,
        set: str | None = None,
        from_: Any = None,
        until: Any = None,
    ) -> list[tuple[Any, Any, None]]:
        from oaipmh import common, error

        self._check_prefix(metadataPrefix, error)
        records = self._matching(set, from_, until)
        if not records:
            raise error.NoRecordsMatchError("no records match")
        return [
            (
                self._header(record),
                None if record.deleted else common.Metadata(None, record.fields),
                None,
            )
            for record in records
        ]

    def listIdentifiers(
        self,
        metadataPrefix: str,
        set: str | None = None,
        from_: Any = None,
        until: Any = None,
    ) -> list[Any]:
        return [header for header, _, _ in self.listRecords(metadataPrefix, set, from_, until)]

    def getRecord(self, metadataPrefix: str, identifier: str) -> tuple[Any, Any, None]:
        from oaipmh import common, error

        self._check_prefix(metadataPrefix, error)
        for record in self.repository.records:
            if record.identifier == identifier:
                metadata = None if record.deleted else common.Metadata(None, record.fields)
                return self._header(record), metadata, None
        raise error.IdDoesNotExistError(identifier)

    @staticmethod
    def _check_prefix(prefix: str, error: Any) -> None:
        if prefix != "oai_dc":
            raise error.CannotDisseminateFormatError(prefix)


def _server(repository: DemoRepository, base_url: str, batch_size: int) -> Any:
    import urllib.parse
    import warnings

    with warnings.catch_warnings():
        # pyoai imports the cgi module, deprecated since Python 3.11.
        warnings.simplefilter("ignore", DeprecationWarning)
        import cgi

        from oaipmh import metadata, server

    # pyoai 2.5.0 (the newest on our package index) decodes its resumption tokens with
    # cgi.parse_qs, which Python 3.8 removed (2.5.1 calls urllib's); give it urllib's.
    if not hasattr(cgi, "parse_qs"):
        cgi.parse_qs = urllib.parse.parse_qs

    registry = metadata.MetadataRegistry()
    registry.registerWriter("oai_dc", server.oai_dc_writer)
    return server.Server(
        _Provider(repository, base_url), registry, resumption_batch_size=batch_size
    )


class DemoSite:
    """A demo repository as its own site answers it at ``site`` (``{site}/oai`` and
    ``{site}/records/<code>``), whatever serves the requests: ``DemoProvider``'s own HTTP server,
    or the sandbox's route in our server (``/sandbox/oai/<name>/``, see archivox.sandbox)."""

    def __init__(self, repository: DemoRepository, site: str, *, batch_size: int = 10) -> None:
        self.repository = repository
        self.site = site
        self.base_url = f"{site}/oai"
        for record in repository.records:
            record.fields = {
                name: [value.replace("{site}", site) for value in values]
                for name, values in record.fields.items()
            }
        self.oai_server = _server(repository, self.base_url, batch_size)

    def oai_response(self, params: dict[str, str]) -> bytes:
        body = self.oai_server.handleRequest(params)
        return body if isinstance(body, bytes) else body.encode("utf-8")

    def record_page(self, code: str) -> str | None:
        """A record's page at the source, as the union catalog links to it."""
        for record in self.repository.records:
            if not record.deleted and code in record.fields.get("identifier", []):
                title = html.escape(record.fields["title"][0])
                rows = "".join(
                    f"<p>{html.escape(value)}</p>"
                    for name in ("publisher", "date", "description")
                    for value in record.fields.get(name, [])
                )
                return (
                    f'<!doctype html><html lang="zh-Hans"><meta charset="utf-8"><title>{title}'
                    f"</title><h1>{title}</h1><p>{html.escape(self.repository.name)}</p>{rows}"
                )
        return None


class DemoProvider:
    """Serves ``repository`` at http://host:port{prefix}/oai until ``stop()``."""

    def __init__(
        self,
        repository: DemoRepository,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        batch_size: int = 10,
        prefix: str = "",
    ) -> None:
        self.repository = repository
        prefix = prefix.rstrip("/")
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                path = parts.path
                if prefix:
                    if not path.startswith(prefix + "/"):
                        self.send_error(404)
                        return
                    path = path.removeprefix(prefix)
                if path.startswith("/records/"):
                    page = provider.site.record_page(unquote(path.removeprefix("/records/")))
                    if page is None:
                        self.send_error(404)
                        return
                    payload, content_type = page.encode("utf-8"), "text/html; charset=utf-8"
                elif path == "/oai":
                    payload = provider.site.oai_response(dict(parse_qsl(parts.query)))
                    content_type = "text/xml; charset=utf-8"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        shown = f"[{host}]" if ":" in host else host
        self.site = DemoSite(
            repository,
            f"http://{shown}:{self.httpd.server_address[1]}{prefix}",
            batch_size=batch_size,
        )
        self.base_url = self.site.base_url
        self.thread: threading.Thread | None = None

    def record_page(self, code: str) -> str | None:
        return self.site.record_page(code)

    def start(self) -> DemoProvider:
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
