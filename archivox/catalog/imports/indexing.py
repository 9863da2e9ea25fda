"""Indexing: the search-index text of the written descriptions, segmented (with a second
process's help on big imports) and written as ``catalog.search`` writes it."""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections.abc import Sequence
from typing import Any

from archivox.catalog import search
from archivox.catalog.imports.report import Progress
from archivox.catalog.imports.writing import WRITE_BATCH
from archivox.catalog.models import Description

BACKGROUND_SEGMENT_MIN = 1000  # new rows from which a second process helps segment index text
SEGMENT_CHUNK = 500


class _Segmenter:
    """The search-index text of new descriptions (jieba segmentation: pure Python, and the
    largest single cost of a big import), shared with a second core.

    The text needs no ids, so a forked worker starts on it, chunk by chunk from the front, as
    soon as the file has been checked, while this process writes the rows. Once the rows are
    written this process segments chunks from the back until the two meet. On an idle second
    core that halves the wait; on a busy machine it is no slower than doing it all here. When
    forking is not safe (no fork, or threads that could hold locks) everything is done here."""

    def __init__(self, descriptions: Sequence[Description]) -> None:
        self.descriptions = descriptions
        self.starts = list(range(0, len(descriptions), SEGMENT_CHUNK))
        self.process: multiprocessing.process.BaseProcess | None = None
        self.results: Any = None
        if len(descriptions) < BACKGROUND_SEGMENT_MIN or threading.active_count() > 1:
            return
        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # pragma: no cover - platforms without fork
            return
        search.segment("预热")  # load jieba's dictionary once, before the fork
        self.results = context.Queue()
        self.process = context.Process(
            target=_segment_worker, args=(descriptions, self.starts, self.results), daemon=True
        )
        self.process.start()

    def _chunk(self, start: int) -> list[tuple[str, str]]:
        return [_index_text(d) for d in self.descriptions[start : start + SEGMENT_CHUNK]]

    def texts(self) -> list[tuple[str, str]]:
        """Index text of every description, in order."""
        done: dict[int, list[tuple[str, str]]] = {}
        remaining = list(self.starts)
        while remaining:
            while self.results is not None:
                try:
                    start, texts = self.results.get_nowait()
                except queue.Empty:
                    break
                done[start] = texts
            remaining = [start for start in remaining if start not in done]
            if remaining:
                start = remaining.pop()  # the worker works from the front
                done[start] = self._chunk(start)
        self.cancel()
        return [text for start in self.starts for text in done[start]]

    def cancel(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join()
            self.results.close()
            self.process = None


def _index_text(description: Description) -> tuple[str, str]:
    """Exactly the text ``search.index_descriptions`` writes for a description."""
    return search.index_text(description)


def _segment_worker(descriptions: Sequence[Description], starts: list[int], out: Any) -> None:
    for start in starts:
        out.put((start, [_index_text(d) for d in descriptions[start : start + SEGMENT_CHUNK]]))


def _index(
    descriptions: Sequence[Description],
    texts: Sequence[tuple[str, str]],
    progress: Progress | None,
) -> None:
    """Write the search index rows of ``descriptions`` (their ``texts`` already segmented)."""
    for start in range(0, len(descriptions), WRITE_BATCH):
        rows = [
            (description.pk, title, body)
            for description, (title, body) in zip(
                descriptions[start : start + WRITE_BATCH],
                texts[start : start + WRITE_BATCH],
                strict=True,
            )
        ]
        search.index_rows(rows)
        if progress is not None:
            progress("indexing", start + len(rows), len(descriptions))
