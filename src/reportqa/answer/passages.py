"""What the answer step reads: the retrieved passages and, around them, their reports."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from reportqa.records import Chunk, Hit, ReportInfo

# A report's chunks with their index rows, in report order.
ChunksOf = Callable[[str], Iterable[tuple[int, Chunk]]]


@dataclass(frozen=True)
class Passages:
    """The retrieved passages, best first, with the texts and metadata of their reports (a
    sentence is cut from its report's text at the passage's offsets; the checks read the report's
    places and years)."""

    hits: list[Hit]
    texts: Mapping[str, str]
    reports: Mapping[str, ReportInfo]
    # The other chunks of a passage's report: a list's items may lie outside the retrieved
    # passages. None: list questions are answered like any other.
    chunks_of: ChunksOf | None = None
    # The passages ranked next, read only when the best ones give no answer: the sentence that
    # answers may sit in a passage retrieval ranked sixth or fifteenth (a long opening paragraph
    # above it, a paraphrase sharing few words with it).
    reserve: Sequence[Hit] = ()


def chunks_in(chunks: Iterable[Chunk]) -> ChunksOf:
    """`chunks_of` over a plain list of chunks (an index's chunk file has its own)."""
    rows: dict[str, list[tuple[int, Chunk]]] = {}
    for row, chunk in enumerate(chunks):
        rows.setdefault(chunk.report, []).append((row, chunk))
    return lambda report: rows.get(report, [])
