"""Reading a request: the verb and its arguments checked against the protocol, and
from/until turned into a ``Window`` of datestamps."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from archivox.catalog.oai.protocol import DATESTAMP_FORMAT, OAIError

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


# verb: (required arguments, optional arguments, whether resumptionToken is accepted)
VERB_ARGUMENTS: dict[str, tuple[frozenset[str], frozenset[str], bool]] = {
    "Identify": (frozenset(), frozenset(), False),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"}), False),
    "ListSets": (frozenset(), frozenset(), True),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset(), False),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
}


@dataclass(frozen=True)
class Window:
    """A from/until selection: ``start <= datestamp < end`` (until is inclusive to its
    granularity, so the exclusive end is one second or one day after it)."""

    start: datetime.datetime | None = None
    end: datetime.datetime | None = None

    def description_filter(self) -> Q:
        local_zone = timezone.get_current_timezone()
        condition = Q()
        if self.start is not None:
            local = timezone.localtime(self.start, local_zone)
            # The first local day whose midnight is not before start.
            first_day = local.date() + datetime.timedelta(days=local.time() != datetime.time())
            condition &= Q(updated_at__gte=self.start) | Q(
                effective_closed_until__gte=first_day - datetime.timedelta(days=1)
            )
        if self.end is not None:
            local = timezone.localtime(self.end, local_zone)
            # The last local day whose midnight is before end.
            last_day = local.date() - datetime.timedelta(days=local.time() == datetime.time())
            condition &= Q(updated_at__lt=self.end) & (
                Q(effective_closed_until__isnull=True)
                | Q(effective_closed_until__lte=last_day - datetime.timedelta(days=1))
            )
        return condition

    def deleted_filter(self) -> Q:
        condition = Q()
        if self.start is not None:
            condition &= Q(deleted_at__gte=self.start)
        if self.end is not None:
            condition &= Q(deleted_at__lt=self.end)
        return condition


def _parse_datestamp(value: str, name: str) -> tuple[datetime.datetime, str]:
    try:
        if DAY.fullmatch(value):
            day = datetime.date.fromisoformat(value)
            return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC), "day"
        if SECOND.fullmatch(value):
            moment = datetime.datetime.strptime(value, DATESTAMP_FORMAT)
            return moment.replace(tzinfo=datetime.UTC), "second"
    except ValueError:
        pass
    raise OAIError(
        "badArgument", f"{name}={value!r} is not a date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)"
    )


def parse_window(from_: str | None, until: str | None) -> Window:
    start = end = None
    if from_ is not None:
        start, from_granularity = _parse_datestamp(from_, "from")
    if until is not None:
        until_start, until_granularity = _parse_datestamp(until, "until")
        step = (
            datetime.timedelta(days=1)
            if until_granularity == "day"
            else datetime.timedelta(seconds=1)
        )
        try:
            end = until_start + step
        except OverflowError:
            end = None
        if from_ is not None:
            if from_granularity != until_granularity:
                raise OAIError("badArgument", "from and until must have the same granularity")
            if start > until_start:
                raise OAIError("badArgument", "from is later than until")
    window = Window(start, end)
    try:
        window.description_filter()
    except (OverflowError, ValueError) as exc:
        raise OAIError("badArgument", "from or until is out of range") from exc
    return window


def parse_arguments(params: QueryDict) -> tuple[str, dict[str, str]]:
    """The verb and its arguments, checked against the protocol (badVerb, badArgument)."""
    verbs = params.getlist("verb")
    if not verbs:
        raise OAIError("badVerb", "the verb argument is missing")
    if len(verbs) > 1:
        raise OAIError("badVerb", "the verb argument is repeated")
    verb = verbs[0]
    if verb not in VERB_ARGUMENTS:
        raise OAIError("badVerb", f"{verb!r} is not an OAI-PMH verb")
    repeated = sorted(key for key in params if len(params.getlist(key)) > 1)
    if repeated:
        raise OAIError("badArgument", f"repeated argument: {', '.join(repeated)}")
    arguments = {key: params[key] for key in params if key != "verb"}
    required, optional, resumable = VERB_ARGUMENTS[verb]
    if resumable and "resumptionToken" in arguments:
        if len(arguments) > 1:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument")
        return verb, arguments
    illegal = sorted(set(arguments) - required - optional)
    if illegal:
        raise OAIError("badArgument", f"illegal argument for {verb}: {', '.join(illegal)}")
    missing = sorted(required - set(arguments))
    if missing:
        raise OAIError("badArgument", f"missing argument for {verb}: {', '.join(missing)}")
    return verb, arguments
