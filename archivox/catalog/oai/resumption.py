"""Paging and resumption tokens: lists are read in a stable key order, and a token carries
the request's arguments and the last key seen, signed (no state kept on the server)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from django.core import signing
from django.db.models import QuerySet

from archivox.catalog.oai.protocol import OAIError

# Unchanged by the split into stage modules, so tokens already handed out stay valid.
RESUMPTION_SIGNING_SALT = "archivox.catalog.oai.resumption-token"


@dataclass(frozen=True)
class Position:
    """Where a list stands: the source being read (0: live records or archives, 1: deleted
    records or collections), the last id seen in it, and how many items went out before."""

    source: int = 0
    last_id: int = 0
    cursor: int = 0
    complete_size: int | None = None


def _take(
    sources: Sequence[QuerySet[Any]], position: Position, size: int
) -> tuple[list[tuple[int, Any]], Position | None]:
    """Up to ``size`` items after ``position`` in id order, and where the next page starts
    (None on the last page). One query per source touched."""
    taken: list[tuple[int, Any]] = []
    for index in range(position.source, len(sources)):
        after = position.last_id if index == position.source else 0
        wanted = size - len(taken)
        rows = list(sources[index].filter(pk__gt=after).order_by("pk")[: wanted + 1])
        taken.extend((index, row) for row in rows[:wanted])
        if len(rows) > wanted:
            last_source, last_row = taken[-1]
            return taken, Position(
                last_source, last_row.pk, position.cursor + len(taken), position.complete_size
            )
    return taken, None


def _token_dump(verb: str, arguments: dict[str, str], position: Position) -> str:
    payload = {
        "verb": verb,
        "args": arguments,
        "at": [position.source, position.last_id],
        "cursor": position.cursor,
        "size": position.complete_size,
    }
    return signing.dumps(payload, salt=RESUMPTION_SIGNING_SALT, compress=True)


def _token_load(verb: str, token: str) -> tuple[dict[str, str], Position]:
    try:
        payload = signing.loads(token, salt=RESUMPTION_SIGNING_SALT)
        if payload["verb"] != verb:
            raise ValueError("the token belongs to another verb")
        arguments = payload["args"]
        source, last_id = payload["at"]
        position = Position(int(source), int(last_id), int(payload["cursor"]), payload["size"])
        if not isinstance(arguments, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in arguments.items()
        ):
            raise ValueError("malformed arguments")
        if position.source not in (0, 1) or position.last_id < 0 or position.cursor < 0:
            raise ValueError("malformed position")
        if position.complete_size is not None and not isinstance(position.complete_size, int):
            raise ValueError("malformed size")
    except (signing.BadSignature, ValueError, KeyError, TypeError) as exc:
        raise OAIError(
            "badResumptionToken", "the resumptionToken is invalid or has expired"
        ) from exc
    return arguments, position


def _resumption_token(
    parent: ET.Element,
    verb: str,
    arguments: dict[str, str],
    resumed: bool,
    nxt: Position | None,
    current: Position,
) -> None:
    """A token for the next page; an empty one closes a list that took more than one page."""
    if nxt is None and not resumed:
        return
    attributes = {"cursor": str(current.cursor)}
    if current.complete_size is not None:
        attributes = {"completeListSize": str(current.complete_size), **attributes}
    element = ET.SubElement(parent, "resumptionToken", attributes)
    if nxt is not None:
        element.text = _token_dump(verb, arguments, nxt)
