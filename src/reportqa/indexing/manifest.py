"""The index's manifest as typed records: what `manifest.json` holds, read and written in one place.

`Manifest.from_json` / `to_json` translate between these records and the JSON on disk, whose
format is unchanged: an index written before these records existed loads as it is, and a manifest
written now has the same keys in the same order. Everything else handles the records, never the
JSON: a wrong type in the file is found once, here, with the field it is in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from reportqa.ingest.metadata import ReportMeta
from reportqa.ingest.parse import ChunkSettings
from reportqa.ingest.read import sidecar_problem


class ManifestError(ValueError):
    """The manifest's JSON does not have the shape of a manifest (the message says where)."""


@dataclass(frozen=True)
class EmbedderInfo:
    """The embedding model an index was built with and the width of its vectors."""

    name: str
    dim: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "dim": self.dim}


@dataclass(frozen=True)
class BuildSettings:
    """What an index's vectors and chunks depend on besides the reports: a build whose settings
    differ from the index's rebuilds every report."""

    format_version: int
    embedder_name: str  # EmbedderInfo.name (the width is known only once the model is loaded)
    tokenizer: str
    chunker: ChunkSettings

    def to_json(self) -> dict[str, Any]:
        """The settings as one JSON object: what the key of a resumed build's saved vectors is
        made from (resume.py), spelt as it always was so that saved vectors stay usable."""
        return {
            "format_version": self.format_version,
            "embedder": self.embedder_name,
            "tokenizer": self.tokenizer,
            "chunker": self.chunker.to_json(),
        }


@dataclass(frozen=True)
class ReportEntry:
    """One indexed report: its file, checksum, sizes, rows in the index, and detected metadata.

    The metadata fields are `ReportMeta`'s (`meta()` gives them back as one); `rows` are the first
    row of the report's chunks and the row after its last.
    """

    file: str
    path: str  # absolute path of the file indexed, named in the command that rebuilds the index
    sha256: str
    chars: int
    text_bytes: int  # size of reports/ID.txt, checked when the index is opened
    chunks: int
    rows: tuple[int, int]
    title: str
    places: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    kind: str = ""
    issuer: str = ""
    sources: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None  # provenance given by the report's sidecar
    pages: int | None = None  # for a PDF

    @classmethod
    def of(
        cls,
        meta: ReportMeta,
        *,
        file: str,
        path: str,
        sha256: str,
        chars: int,
        text_bytes: int,
        rows: tuple[int, int],
        source: str | None = None,
        pages: int | None = None,
    ) -> ReportEntry:
        return cls(
            file=file,
            path=path,
            sha256=sha256,
            chars=chars,
            text_bytes=text_bytes,
            chunks=rows[1] - rows[0],
            rows=rows,
            title=meta.title,
            places=tuple(meta.places),
            years=tuple(meta.years),
            kind=meta.kind,
            issuer=meta.issuer,
            sources=dict(meta.sources),
            source=source,
            pages=pages,
        )

    def meta(self) -> ReportMeta:
        return ReportMeta(
            title=self.title,
            places=list(self.places),
            years=list(self.years),
            kind=self.kind,
            issuer=self.issuer,
            sources=dict(self.sources),
        )

    def with_rows(self, rows: tuple[int, int]) -> ReportEntry:
        """The same report at other rows (another report was taken out before it)."""
        return replace(self, rows=rows, chunks=rows[1] - rows[0])

    def to_json(self) -> dict[str, Any]:
        # Key order as the manifest has always had it, so that an unchanged index rewrites the
        # same bytes.
        return {
            "file": self.file,
            "path": self.path,
            "sha256": self.sha256,
            "chars": self.chars,
            "text_bytes": self.text_bytes,
            "chunks": self.chunks,
            "rows": list(self.rows),
            **self.meta().to_dict(),
            **({"source": self.source} if self.source is not None else {}),
            **({"pages": self.pages} if self.pages is not None else {}),
        }

    @classmethod
    def from_json(cls, report_id: str, data: Any) -> ReportEntry:
        if not isinstance(data, dict):
            raise ManifestError(f"the entry of {report_id} is not an object")
        # An index written before sidecars were checked may hold metadata of the wrong type.
        problem = sidecar_problem(data)
        if problem:
            raise ManifestError(f"unusable metadata for {report_id}: {problem}")
        try:
            start, end = (int(r) for r in data["rows"])
            sources = data.get("sources") or {}
            pages = data.get("pages")
            return cls(
                file=str(data.get("file", "")),
                path=str(data.get("path", "")),
                sha256=str(data.get("sha256", "")),
                chars=int(data.get("chars", 0)),
                text_bytes=int(data.get("text_bytes", -1)),
                chunks=int(data.get("chunks", end - start)),
                rows=(start, end),
                title=str(data.get("title") or report_id),
                places=tuple(data.get("places") or ()),
                years=tuple(data.get("years") or ()),
                kind=str(data.get("kind", "")),
                issuer=str(data.get("issuer", "")),
                sources={str(k): str(v) for k, v in dict(sources).items()},
                source=None if data.get("source") is None else str(data["source"]),
                pages=None if pages is None else int(pages),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ManifestError(f"the entry of {report_id} is damaged ({exc!r})") from exc


@dataclass(frozen=True)
class Manifest:
    """What `manifest.json` says of an index: its settings, its reports, its files."""

    format_version: int
    embedder: EmbedderInfo
    tokenizer: str
    chunker: ChunkSettings
    reports: Mapping[str, ReportEntry]  # in row order
    chunk_count: int
    reportqa_version: str = ""
    built_at: str = ""
    # Size of every file but the manifest when the index was written (None in older indexes).
    files: Mapping[str, int] | None = None

    @property
    def settings(self) -> BuildSettings:
        return BuildSettings(self.format_version, self.embedder.name, self.tokenizer, self.chunker)

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "embedder": self.embedder.to_json(),
            "tokenizer": self.tokenizer,
            "chunker": self.chunker.to_json(),
            "reportqa_version": self.reportqa_version,
            "built_at": self.built_at,
            "chunk_count": self.chunk_count,
            "reports": {rid: entry.to_json() for rid, entry in self.reports.items()},
            **({"files": dict(self.files)} if self.files is not None else {}),
        }

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        """The manifest in `data` (parsed JSON); ManifestError names what does not fit.

        Only the format version is read first: a manifest of another version may have another
        shape, and its reader says so with the version (see store.read_index).
        """
        if not isinstance(data, dict):
            raise ManifestError("not a JSON object")
        reports = data.get("reports", {})
        if not isinstance(reports, dict):
            raise ManifestError('"reports" is not an object')
        entries = {str(rid): ReportEntry.from_json(str(rid), e) for rid, e in reports.items()}
        try:
            embedder = data.get("embedder") or {}
            chunker = data.get("chunker") or {}
            files = data.get("files")
            return cls(
                format_version=int(data["format_version"]),
                embedder=EmbedderInfo(str(embedder["name"]), int(embedder.get("dim", 0))),
                tokenizer=str(data.get("tokenizer", "")),
                chunker=ChunkSettings.from_json(chunker),
                reports=entries,
                chunk_count=int(data.get("chunk_count", 0)),
                reportqa_version=str(data.get("reportqa_version", "")),
                built_at=str(data.get("built_at", "")),
                files=(
                    {str(k): int(v) for k, v in files.items()} if isinstance(files, dict) else None
                ),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ManifestError(f"damaged ({exc!r})") from exc


def report_rows(manifest: Manifest) -> list[dict[str, Any]]:
    """One row per indexed report, in id order, with what a person wants to see of it."""
    rows = []
    for rid, entry in sorted(manifest.reports.items()):
        rows.append(
            {
                "id": rid,
                "title": entry.title,
                "issuer": entry.issuer,
                "places": list(entry.places),
                "years": list(entry.years),
                "kind": entry.kind,
                "chunks": entry.chunks,
                "chars": entry.chars,
                "pages": entry.pages,
                "file": entry.file,
                # where each field came from: sidecar, title line, file name or body
                "sources": dict(entry.sources),
            }
        )
    return rows
