"""The question-answering engine: an index loaded once, asked many times."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .answer import AnswerSettings, ReportInfo, TermWeights, compose_answer
from .embed import DEFAULT_EMBEDDER, Embedder, load_embedder
from .errors import IndexUnusableError, InputError
from .generate import Generator, OnToken
from .generated import generated_answer
from .index_writer import ANSWER_TERMS
from .models import Answer, Chunk, Hit
from .question import analyse
from .retrieve import DenseIndex, FusionSettings, KeywordIndex, Mode, Retriever
from .route import ReportScope, route
from .store import read_index
from .tokenize import TOKENIZER_NAME, tokenize

MAX_QUESTION_CHARS = 2000


def _answer_weights(index_dir: Path, chunks: Sequence[Chunk]) -> TermWeights:
    """The answer step's term weights, as the build counted them (counted here for an index
    without them)."""
    path = index_dir / ANSWER_TERMS
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        return TermWeights(data["df"], int(data["chunks"]))
    df: Counter[str] = Counter()
    for chunk in chunks:
        df.update(set(tokenize(chunk.section + "\n" + chunk.text)))
    return TermWeights(df, len(chunks))


def check_question(question: str) -> str:
    """The question stripped, or an InputError saying what is wrong with it."""
    stripped = question.strip() if isinstance(question, str) else ""
    if not stripped:
        raise InputError("问题为空：请输入一个问题。(The question is empty.)")
    if len(stripped) > MAX_QUESTION_CHARS:
        raise InputError(
            f"问题过长（{len(stripped)} 字），请限制在 {MAX_QUESTION_CHARS} 字以内。"
            f"(The question is longer than {MAX_QUESTION_CHARS} characters.)"
        )
    return stripped


class Engine:
    def __init__(
        self,
        index_dir: Path,
        embedder: Embedder | None = None,
        embedder_name: str | None = None,
        fusion: FusionSettings | None = None,
        answer_settings: AnswerSettings | None = None,
        generator: Generator | None = None,
    ) -> None:
        files = read_index(index_dir)
        manifest = files.manifest
        built_with = manifest.get("embedder", {}).get("name", DEFAULT_EMBEDDER)
        wanted = embedder.name if embedder else (embedder_name or built_with)
        if wanted != built_with:
            raise IndexUnusableError(
                f"The index at {index_dir} was built with the embedder {built_with!r}, not "
                f"{wanted!r}. Use --embedder {built_with} or rebuild the index with "
                f"reportqa index --embedder {wanted}."
            )
        if manifest.get("tokenizer") != TOKENIZER_NAME:
            raise IndexUnusableError(
                f"The index at {index_dir} uses the tokenizer {manifest.get('tokenizer')!r}; "
                "rebuild it: reportqa index --force"
            )
        try:
            keyword = KeywordIndex.load(index_dir)
            dense = DenseIndex.load(index_dir)
        except Exception as exc:  # bm25s and faiss raise many kinds of errors on damaged files
            raise IndexUnusableError(
                f"The index at {index_dir} is damaged ({exc}). Rebuild it: reportqa index --force"
            ) from exc
        dim = int(manifest.get("embedder", {}).get("dim", 0))
        if dense.dim != dim:
            raise IndexUnusableError(
                f"The index at {index_dir} holds {dense.dim}-d vectors but its manifest says "
                f"{dim}; rebuild it: reportqa index --force"
            )
        self.index_dir = index_dir
        self.manifest: dict[str, Any] = manifest
        self.chunks = files.chunks
        self.texts = files.texts
        self.embedder = embedder or load_embedder(built_with)
        if self.embedder.dim != dim:
            raise IndexUnusableError(
                f"The embedder gives {self.embedder.dim}-d vectors, the index holds {dim}-d ones."
            )
        self.retriever = Retriever(self.chunks, keyword, dense, self.embedder, fusion)
        self.answer_settings = answer_settings or AnswerSettings()
        self.generator = generator  # None: the extractive composer answers alone
        self.reports = {
            rid: ReportInfo(
                title=entry.get("title", rid),
                places=tuple(entry.get("places", [])),
                years=tuple(entry.get("years", [])),
            )
            for rid, entry in manifest.get("reports", {}).items()
        }
        self.scopes = {
            rid: ReportScope(info.title, info.places, info.years)
            for rid, info in self.reports.items()
        }
        self.weights = _answer_weights(index_dir, self.chunks)

    def _similarity_to(
        self, query: np.ndarray, corpus_stats: tuple[float, float]
    ) -> Callable[[list[str]], list[float]]:
        """How much closer each sentence is to the question than the indexed chunks are on
        average, in standard deviations of the question's similarity to every chunk
        (`corpus_stats`: its mean and standard deviation).

        Raw cosine values differ from one embedding model to another; this relative score does
        not, so one threshold serves every embedder. Sentences are embedded only if asked.
        """
        mean, spread = corpus_stats[0], corpus_stats[1] or 1.0

        def similarity(sentences: list[str]) -> list[float]:
            sims = self.embedder.embed_passages(sentences) @ query
            return [(float(v) - mean) / spread for v in sims]

        return similarity

    def check_reports(self, reports: list[str] | None) -> set[str] | None:
        if not reports:
            return None
        unknown = [r for r in reports if r not in self.reports]
        if unknown:
            raise InputError(
                f"Unknown report(s): {', '.join(unknown)}. Indexed: {', '.join(self.reports)}"
            )
        return set(reports)

    def route(self, question: str) -> set[str] | None:
        """The reports a question names by place or year (None: all of them)."""
        facts = analyse(question)
        return route(question, facts.places, facts.years, self.scopes)

    def retrieve(
        self,
        question: str,
        top_k: int = 5,
        mode: Mode = "hybrid",
        reports: list[str] | None = None,
    ) -> list[Hit]:
        question = check_question(question)
        allowed = self.check_reports(reports) if reports else self.route(question)
        return self.retriever.search(question, top_k, mode, allowed)

    def ask(
        self,
        question: str,
        top_k: int = 5,
        mode: Mode = "hybrid",
        reports: list[str] | None = None,
        on_token: OnToken | None = None,
    ) -> Answer:
        question = check_question(question)
        allowed = self.check_reports(reports) if reports else self.route(question)
        t0 = time.perf_counter()
        similarity = None
        query = None
        if mode != "keyword":
            # One embedding of the question serves the dense leg and the answer step's check.
            query = self.embedder.embed_query(question)
            similarity = self._similarity_to(query, self.retriever.dense.similarity_stats(query))
        hits = self.retriever.search(question, top_k, mode, allowed, query_vector=query)
        t1 = time.perf_counter()
        answer = compose_answer(
            question,
            hits,
            self.texts,
            self.reports,
            self.weights,
            self.answer_settings,
            similarity=similarity,
            all_chunks=self.chunks,
        )
        t2 = time.perf_counter()
        answer.timings_ms = {"retrieve": (t1 - t0) * 1000, "answer": (t2 - t1) * 1000}
        if self.generator is not None:
            answer = generated_answer(
                question, hits, self.reports, answer, self.generator, on_token
            )
            answer.timings_ms["generate"] = (time.perf_counter() - t2) * 1000
        answer.hits = hits
        return answer
