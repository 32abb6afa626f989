"""The question-answering engine: an index loaded once, asked many times."""

from __future__ import annotations

import os
import shlex
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from reportqa.answer import smalltalk
from reportqa.answer.compose import compose_answer
from reportqa.answer.inputs import clean_question, report_ids
from reportqa.answer.passages import ChunksOf, Passages, chunks_in
from reportqa.answer.question import QuestionFacts, analyse, learn_place_names
from reportqa.answer.refusal import refusal
from reportqa.answer.scoring import TermWeights
from reportqa.answer.settings import AnswerSettings
from reportqa.errors import IndexUnusableError, InputError
from reportqa.generate.backends import Generator, OnToken
from reportqa.generate.checked import generated_answer
from reportqa.indexing.answer_terms import read_answer_df
from reportqa.indexing.chunkfile import ChunkFile
from reportqa.indexing.embed import (
    Embedder,
    canonical_embedder_name,
    load_embedder,
)
from reportqa.indexing.hints import rebuild_command, rebuild_hint
from reportqa.indexing.manifest import Manifest
from reportqa.indexing.store import read_index, readable_folder
from reportqa.indexing.tokenize import TOKENIZER_NAME
from reportqa.lang import zh
from reportqa.records import Answer, Hit, ReportInfo
from reportqa.search.backend import SearchBackend, SimilarityStats
from reportqa.search.retrieve import DenseIndex, FusionSettings, KeywordIndex, Mode, Retriever
from reportqa.search.route import mentions_place, route

MAX_QUESTION_CHARS = 2000


def check_question(question: str) -> str:
    """The question stripped, or an InputError saying what is wrong with it."""
    if not isinstance(question, str):
        raise InputError(
            f"问题必须是文字。(The question must be text, not {type(question).__name__}.)"
        )
    stripped = clean_question(question).strip()
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
        folder = readable_folder(index_dir)  # the previous index, if a swap died half-way
        files = read_index(folder)
        manifest = files.manifest
        built_with = manifest.embedder.name
        # REPORTQA_EMBEDDER asks for an embedder just as --embedder does, so it is held to the
        # index's embedder too rather than silently ignored.
        requested = embedder_name or os.environ.get("REPORTQA_EMBEDDER")
        wanted = embedder.name if embedder else canonical_embedder_name(requested or built_with)
        if wanted != built_with:
            source = "--embedder" if embedder_name or embedder else "REPORTQA_EMBEDDER"
            raise IndexUnusableError(
                f"The index at {index_dir} was built with the embedder {built_with!r}, not "
                f"{wanted!r} (asked for by {source}). Use --embedder {built_with} (or unset "
                f"REPORTQA_EMBEDDER), or rebuild the index: {rebuild_command(index_dir)} "
                f"--embedder {shlex.quote(wanted)}"
            )
        if manifest.tokenizer != TOKENIZER_NAME:
            raise IndexUnusableError(
                f"The index at {index_dir} uses the tokenizer {manifest.tokenizer!r}. "
                f"{rebuild_hint(index_dir)}"
            )
        try:
            keyword = KeywordIndex.load(folder)
            dense = DenseIndex.load(folder)
        except Exception as exc:  # bm25s and faiss raise many kinds of errors on damaged files
            raise IndexUnusableError(
                f"The index at {index_dir} is damaged ({exc}). {rebuild_hint(index_dir)}"
            ) from exc
        dim = manifest.embedder.dim
        if dense.dim != dim:
            raise IndexUnusableError(
                f"The index at {index_dir} holds {dense.dim}-d vectors but its manifest says "
                f"{dim}. {rebuild_hint(index_dir)}"
            )
        self.index_dir = index_dir
        self.manifest: Manifest = manifest
        self.chunks = files.chunks
        # A report's chunks with their rows: a list's items may lie outside the passages found.
        self.chunks_of: ChunksOf = (
            self.chunks.chunks_of if isinstance(self.chunks, ChunkFile) else chunks_in(self.chunks)
        )
        self.texts = files.texts
        self.embedder = embedder or load_embedder(built_with)
        if self.embedder.dim != dim:
            raise IndexUnusableError(
                f"The embedder gives {self.embedder.dim}-d vectors, the index holds {dim}-d ones."
            )
        self.retriever = Retriever(self.chunks, keyword, dense, fusion)
        # Where candidates come from: the retriever above, or another backend put in its place
        # (reportqa.search.milvus_backend) over the same chunks.
        self.backend: SearchBackend = self.retriever
        self.answer_settings = answer_settings or AnswerSettings()
        self.generator = generator  # None: the extractive composer answers alone
        self.reports = {
            rid: ReportInfo(
                title=entry.title, places=entry.places, years=entry.years, kind=entry.kind
            )
            for rid, entry in manifest.reports.items()
        }
        # The places of the indexed reports are places wherever a question names them.
        learn_place_names(sorted({p for info in self.reports.values() for p in info.places}))
        try:
            # As the build counted them: opening an index re-tokenises no chunk.
            self.weights = TermWeights(read_answer_df(folder), len(self.chunks))
        except (OSError, ValueError, KeyError) as exc:
            raise IndexUnusableError(
                f"The index at {index_dir} is damaged ({exc}). {rebuild_hint(index_dir)}"
            ) from exc

    def _similarity_to(
        self, query: np.ndarray, corpus: SimilarityStats
    ) -> Callable[[list[str]], list[float]]:
        """How much closer each sentence is to the question than the indexed chunks are on
        average, in standard deviations of the question's similarity to every chunk (`corpus`:
        their mean and standard deviation).

        Raw cosine values differ from one embedding model to another; this relative score does
        not, so one threshold serves every embedder. Sentences are embedded only if asked.
        """
        mean, spread = corpus.mean, corpus.std or 1.0

        def similarity(sentences: list[str]) -> list[float]:
            sims = self.embedder.embed_passages(sentences) @ query
            return [(float(v) - mean) / spread for v in sims]

        return similarity

    def check_reports(self, reports: list[str] | None) -> set[str] | None:
        reports = report_ids(reports)
        if not reports:
            return None
        unknown = [r for r in reports if r not in self.reports]
        if unknown:
            # Chinese for the reader of the chat and the API, English kept for the command line;
            # the indexed ids listed once, and only the first ten (an index may hold thousands).
            listed = ", ".join(list(self.reports)[:10])
            more = ", …" if len(self.reports) > 10 else ""
            raise InputError(
                f"没有这份报告：{'、'.join(unknown)}。(Unknown report(s): {', '.join(unknown)}.) "
                f"已收录 / Indexed ({len(self.reports)}): {listed}{more}"
            )
        return set(reports)

    def route(self, facts: QuestionFacts) -> set[str] | None:
        """The reports a question names by place or year (None: all of them)."""
        return route(facts.text, facts.places, facts.years, self.reports)

    def query_vector(self, question: str, mode: Mode) -> np.ndarray | None:
        """The question's embedding, for the dense leg and the answer step's semantic check
        (None: keyword retrieval needs none)."""
        return self.embedder.embed_query(question) if mode != "keyword" else None

    def retrieve(
        self,
        question: str,
        top_k: int = 5,
        mode: Mode = "hybrid",
        reports: list[str] | None = None,
    ) -> list[Hit]:
        """The passages retrieved for a question (as `ask` retrieves them, without the aliases
        of the indicators it names)."""
        question = check_question(question)
        allowed = self.check_reports(reports) if reports else self.route(analyse(question))
        query = self.query_vector(question, mode)
        return self.backend.candidates(question, query, allowed, top_k, mode).hits

    def not_about_reports(self, question: str) -> Answer | None:
        """A help text or a polite refusal for a question that is not about the reports."""
        kind = smalltalk.classify(question)
        if kind is None:
            return None
        titles = [info.title for info in self.reports.values()]
        return Answer(
            question=question,
            answer=smalltalk.reply(kind, titles),
            refused=True,
            citations=[],
            checks=[{"check": "about_reports", "passed": False, "reason": kind}],
        )

    def filter_excludes(self, facts: QuestionFacts, allowed: set[str]) -> Answer | None:
        """A refusal naming the report filter when the question asks about a place that none of
        the chosen reports is about (but some other indexed report may be)."""
        if not facts.places:
            return None
        question = facts.text
        scopes = [self.reports[r] for r in allowed]
        if any(not s.places or mentions_place(question, facts.places, s) for s in scopes):
            return None
        titles = "、".join(f"《{s.title}》" for s in scopes)
        answer = refusal(
            question,
            f"已限定只在{titles}中查找，该报告不涉及{facts.places[0]}；请取消“限定报告”后再问",
        )
        answer.checks = [{"check": "report_filter", "passed": False, "reason": facts.places[0]}]
        return answer

    def ask(
        self,
        question: str,
        top_k: int = 5,
        mode: Mode = "hybrid",
        reports: list[str] | None = None,
        on_token: OnToken | None = None,
    ) -> Answer:
        asked = check_question(question)
        # Traditional characters are asked in simplified form; the answer keeps the user's wording.
        question = zh.to_simplified(asked)
        # What the question asks (years, places, terms), worked out once: routing, the keyword
        # query and the answer step all read these facts.
        facts = analyse(question)
        early = self.not_about_reports(question)
        allowed = self.check_reports(reports) if reports else self.route(facts)
        if early is None and reports and allowed is not None:
            early = self.filter_excludes(facts, allowed)
        if early is not None:
            early.question = asked
            early.timings_ms = {"retrieve": 0.0, "answer": 0.0}
            return early
        t0 = time.perf_counter()
        # One embedding of the question serves the dense leg and the answer step's check.
        query = self.query_vector(question, mode)
        # The keyword leg also searches the names reports print for the indicators asked ("GDP"
        # is printed as 地区生产总值).
        searched = "，".join([question, *facts.aliases]) if facts.aliases else question
        # The passages ranked after the top_k are kept for the answer step's second pass.
        depth = max(top_k, self.answer_settings.second_pass_hits)
        found = self.backend.candidates(searched, query, allowed, depth, mode)
        hits, reserve = found.hits[:top_k], found.hits[top_k:]
        similarity = (
            self._similarity_to(query, found.similarity)
            if query is not None and found.similarity is not None
            else None
        )
        t1 = time.perf_counter()
        passages = self.passages(hits, reserve)
        answer = compose_answer(
            question, facts, passages, self.weights, self.answer_settings, similarity=similarity
        )
        answer.question = asked
        t2 = time.perf_counter()
        answer.timings_ms = {"retrieve": (t1 - t0) * 1000, "answer": (t2 - t1) * 1000}
        if self.generator is not None:
            answer = generated_answer(
                question, hits, passages.reports, answer, self.generator, on_token
            )
            answer.timings_ms["generate"] = (time.perf_counter() - t2) * 1000
        answer.hits = answer.hits or hits  # the answer step's second pass read more
        return answer

    def passages(self, hits: list[Hit], reserve: Sequence[Hit] = ()) -> Passages:
        """The hits with what the answer step reads of their reports, and no more."""
        used = dict.fromkeys(hit.chunk.report for hit in [*hits, *reserve])
        return Passages(
            hits,
            texts={rid: self.texts[rid] for rid in used},
            reports={rid: self.reports[rid] for rid in used},
            chunks_of=self.chunks_of,
            reserve=reserve,
        )
