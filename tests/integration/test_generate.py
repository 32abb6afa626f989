"""Generated answers end to end: a tiny local model, and a real OpenAI-compatible HTTP server.

The tiny model is random, so nothing here judges its replies; the tests check the plumbing
(prompt, streaming, HTTP, time-outs, errors) and that the verifier decides what the user sees.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from paths import EVAL_DIR, SEED_REPORT
from reportqa.engine import Engine
from reportqa.errors import ReportQAError
from reportqa.generate.backends import (
    SYSTEM_PROMPT,
    Messages,
    OpenAIGenerator,
    Passage,
    TransformersGenerator,
    build_prompt,
    load_generator,
)
from reportqa.generate.checked import passages_for
from reportqa.generate.verify import verify
from reportqa.indexing.embed import Embedder

SLOW_S = 3.0
QUESTION = "2024年镜湖区全区新收行政复议案件多少件？"


# --- a tiny causal language model, made here -------------------------------------------------


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-layer random GPT-2 with a character-level tokenizer and a chat template."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    seed_text = SEED_REPORT.read_text("utf-8")
    chars = sorted(set(seed_text + SYSTEM_PROMPT + "[]0123456789%《》：\n"))
    vocab = {"<unk>": 0, "<eos>": 1, **{c: i + 2 for i, c in enumerate(chars)}}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Split(Regex("."), "isolated")
    core.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, unk_token="<unk>", eos_token="<eos>", pad_token="<eos>"
    )
    tokenizer.chat_template = (
        "{% for m in messages %}{{ m['role'] }}：{{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}assistant：{% endif %}"
    )
    config = GPT2Config(
        vocab_size=len(vocab), n_positions=4096, n_embd=16, n_layer=1, n_head=2, eos_token_id=1
    )
    folder = tmp_path_factory.mktemp("tiny-lm")
    tokenizer.save_pretrained(folder)
    GPT2LMHeadModel(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_generator(tiny_model: Path) -> TransformersGenerator:
    return TransformersGenerator(str(tiny_model), max_new_tokens=12)


@pytest.fixture(scope="module")
def engine(seed_index: Path, embedder: Embedder) -> Iterator[Engine]:
    engine = Engine(seed_index, embedder=embedder)
    yield engine
    engine.generator = None


def test_a_missing_local_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReportQAError, match="not available locally"):
        TransformersGenerator(str(tmp_path / "nothing-here"))


def test_the_tiny_model_streams_what_it_returns(tiny_generator: TransformersGenerator) -> None:
    messages = build_prompt(QUESTION, [Passage("报告", "", "全区新收行政复议案件120件。")])
    assert tiny_generator.prompt_text(messages).startswith("system：你是")
    tokens: list[str] = []
    reply = tiny_generator.generate(messages, on_token=tokens.append)
    assert reply == "".join(tokens)


def test_the_extractive_json_is_unchanged(engine: Engine) -> None:
    engine.generator = None
    data = engine.ask(QUESTION).to_dict()
    assert set(data) == {"question", "answer", "refused", "citations", "timings_ms", "checks"}


def _check_verdict(engine: Engine, reply: str, answer: Any, extractive: Any) -> None:
    """What the user sees follows the verifier's verdict on the raw reply."""
    passages = [p.render() for p in passages_for(answer.hits, engine.reports)]
    ok, problems = verify(reply, passages)
    data = answer.to_dict()
    assert data["verified"] is ok and data["problems"] == problems
    if not ok:
        assert data["answer"] == extractive.answer and data["notice"]
        assert data["citations"] == [c.to_dict() for c in extractive.citations]


def test_the_engine_with_the_tiny_model(
    engine: Engine, tiny_generator: TransformersGenerator
) -> None:
    engine.generator = None
    extractive = engine.ask(QUESTION)
    engine.generator = tiny_generator
    tokens: list[str] = []
    answer = engine.ask(QUESTION, on_token=tokens.append)
    assert answer.generator == "transformers" and "generate" in answer.timings_ms
    _check_verdict(engine, "".join(tokens), answer, extractive)


# --- a real OpenAI-compatible server on a local port ------------------------------------------


@dataclass
class Script:
    """What the server does next: 'model' runs the tiny model; the others are fixed behaviours."""

    mode: str = "model"
    delay_s: float = 0.0
    requests: int = 0
    last_body: dict[str, Any] | None = None


def _first_passage_sentence(messages: Messages) -> str:
    """The first sentence of passage [1], cited: a sound answer by construction."""
    body = messages[-1]["content"].split("[1] ", 1)[1].split("\n", 2)[1]
    return re.split(r"(?<=。)", body)[0].rstrip("。") + "[1]。"


def _reply_for(script: Script, messages: Messages, model: TransformersGenerator) -> Iterator[str]:
    if script.mode == "good":
        yield from re.findall(r".{1,4}", _first_passage_sentence(messages), re.S)
    elif script.mode == "bad_figure":
        yield from ["全区新收行政复议案件", "987654件", "[1]。"]
    elif script.mode == "bad_citation":
        yield from ["全区新收行政复议案件", "[9]。"]
    else:
        pieces: list[str] = []
        model.generate(messages, on_token=pieces.append)
        yield from pieces


def _handler(script: Script, model: TransformersGenerator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep the test output clean
            pass

        def do_POST(self) -> None:
            script.requests += 1
            if self.path != "/v1/chat/completions":
                self.send_error(404)
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            script.last_body = body
            time.sleep(script.delay_s)
            if script.mode == "error":
                self.send_error(500, "model crashed")
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            try:
                for piece in _reply_for(script, body["messages"], model):
                    event = {"choices": [{"index": 0, "delta": {"content": piece}}]}
                    line = f"data: {json.dumps(event, ensure_ascii=False)}\n\n"
                    self.wfile.write(line.encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its time-out): what the slow mode is for

    return Handler


@pytest.fixture(scope="module")
def server(tiny_generator: TransformersGenerator) -> Iterator[tuple[str, Script]]:
    script = Script()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script, tiny_generator))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def ask_via_server(
    engine: Engine, server: tuple[str, Script], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str, float], tuple[Any, Any, str]]]:
    url, script = server
    monkeypatch.setenv("REPORTQA_OPENAI_BASE_URL", url)
    monkeypatch.setenv("REPORTQA_OPENAI_MODEL", "tiny")
    monkeypatch.setenv("REPORTQA_OPENAI_API_KEY", "secret")

    def ask(mode: str, timeout_s: float = 10.0) -> tuple[Any, Any, str]:
        script.mode, script.delay_s = mode, (SLOW_S if mode == "slow" else 0.0)
        engine.generator = None
        extractive = engine.ask(QUESTION)
        engine.generator = OpenAIGenerator(timeout_s=timeout_s)
        tokens: list[str] = []
        answer = engine.ask(QUESTION, on_token=tokens.append)
        return answer, extractive, "".join(tokens)

    yield ask
    engine.generator = None


def test_a_good_cited_answer_from_the_server_is_shown(ask_via_server: Any) -> None:
    answer, extractive, reply = ask_via_server("good")
    data = answer.to_dict()
    assert data["generator"] == "openai" and data["verified"] is True and data["problems"] == []
    assert data["answer"] == reply and data["answer"].endswith("[1]。")
    hit = answer.hits[0].chunk
    assert [(c["n"], c["report"], c["start"], c["end"]) for c in data["citations"]] == [
        (1, hit.report, hit.start, hit.end)
    ]
    assert data["citations"][0]["text"] == hit.text


def test_the_request_is_an_openai_chat_completion(
    ask_via_server: Any, server: tuple[str, Script]
) -> None:
    ask_via_server("good")
    body = server[1].last_body
    assert body is not None and body["model"] == "tiny" and body["stream"] is True
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert QUESTION in body["messages"][1]["content"]


@pytest.mark.parametrize(
    ("mode", "problem"),
    [("bad_figure", "figure 987654件"), ("bad_citation", "[9] names no given passage")],
)
def test_an_unsound_answer_falls_back_to_the_extractive_one(
    ask_via_server: Any, mode: str, problem: str
) -> None:
    answer, extractive, _ = ask_via_server(mode)
    data = answer.to_dict()
    assert data["verified"] is False and any(problem in p for p in data["problems"])
    assert data["answer"] == extractive.answer and "未通过核验" in data["notice"]
    assert data["citations"] == [c.to_dict() for c in extractive.citations]


@pytest.mark.parametrize(("mode", "problem"), [("slow", "timed out"), ("error", "HTTP 500")])
def test_a_slow_or_failing_server_falls_back(ask_via_server: Any, mode: str, problem: str) -> None:
    answer, extractive, _ = ask_via_server(mode, timeout_s=0.5)
    # The client's time-out, not the slow server, ends the wait.
    assert answer.timings_ms["generate"] < SLOW_S * 1000 / 2
    data = answer.to_dict()
    assert data["verified"] is False and problem in data["problems"][0]
    assert data["answer"] == extractive.answer and "语言模型未能回答" in data["notice"]


def test_the_tiny_model_behind_the_server(ask_via_server: Any, engine: Engine) -> None:
    answer, extractive, reply = ask_via_server("model")
    assert answer.generator == "openai"
    _check_verdict(engine, reply, answer, extractive)


# --- the command line ---------------------------------------------------------------------------


def test_ask_and_eval_with_the_openai_generator(
    seed_index: Path,
    server: tuple[str, Script],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from reportqa.cli.main import main

    url, script = server
    monkeypatch.setenv("REPORTQA_OPENAI_BASE_URL", url)
    script.mode, script.delay_s = "good", 0.0
    runner = CliRunner()
    asked = runner.invoke(
        main, ["ask", QUESTION, "--index-dir", str(seed_index), "--generator", "openai", "--json"]
    )
    assert asked.exit_code == 0, asked.output
    data = json.loads(asked.stdout)
    assert data["generator"] == "openai" and data["verified"] is True

    script.mode = "bad_figure"
    questions = tmp_path / "questions.jsonl"
    item = {"id": "q1", "question": QUESTION, "must_contain": ["120"], "type": "figure"}
    questions.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    monkeypatch.setenv("REPORTQA_GENERATOR", "openai")
    out = tmp_path / "out"
    args = [str(questions), "--index-dir", str(seed_index), "--out", str(out), "--no-progress"]
    evaluated = runner.invoke(main, ["eval", *args])
    assert evaluated.exit_code == 0, evaluated.output
    assert "verifier rejected hybrid 100.0%" in evaluated.stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["generator"] == "openai" and summary["verifier_rejected"] == {"hybrid": 1.0}


def test_the_transformers_generator_from_the_environment(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORTQA_TRANSFORMERS_MODEL", str(tiny_model))
    monkeypatch.setenv("REPORTQA_MAX_NEW_TOKENS", "3")
    generator = load_generator("transformers")
    assert isinstance(generator, TransformersGenerator) and generator.max_new_tokens == 3


def test_the_chat_says_why_it_shows_the_extractive_answer(
    engine: Engine, server: tuple[str, Script], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.chat import Chat, ChatState

    url, script = server
    script.mode, script.delay_s = "bad_figure", 0.0
    engine.generator = OpenAIGenerator(base_url=url, timeout_s=10)
    try:
        *_, (messages, _, _, _) = Chat(engine, stream_delay_s=0).respond(
            QUESTION, None, ChatState()
        )
    finally:
        engine.generator = None
    assert "未通过核验" in messages[-1]["content"] and "[1]" in messages[-1]["content"]


def test_the_chat_shows_the_draft_then_the_verified_answer(
    engine: Engine, server: tuple[str, Script]
) -> None:
    from ui.chat import Chat, ChatState

    url, script = server
    script.mode, script.delay_s = "good", 0.0
    engine.generator = OpenAIGenerator(base_url=url, timeout_s=10)
    try:
        steps = list(Chat(engine, stream_delay_s=0).respond(QUESTION, None, ChatState()))
    finally:
        engine.generator = None
    shown = [step[0][-1]["content"] for step in steps]
    drafts = [s for s in shown if "核验前" in s]
    assert len(drafts) > 1 and len(drafts[-1]) > len(drafts[0])  # it builds up
    assert "核验前" not in shown[-1] and "[1]" in shown[-1] and "未通过核验" not in shown[-1]


def test_quoted_answers_pass_the_verifier(engine: Engine) -> None:
    """The verifier does not reject text taken from the passages: the extractive answers, with
    their citations renumbered to the passages' places in the prompt, all pass."""
    lines = (EVAL_DIR / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if "jinghu-2024-fazhi" in line][:8]
    engine.generator = None
    checked = 0
    for item in items:
        answer = engine.ask(item["question"])
        where = {(h.chunk.report, h.chunk.start): i for i, h in enumerate(answer.hits, start=1)}
        place = {c.n: where.get((c.report, c.start)) for c in answer.citations}
        if answer.refused or None in place.values():
            continue
        text = re.sub(r"\[(\d+)\]", lambda m, p=place: f"[{p[int(m.group(1))]}]", answer.answer)
        passages = [p.render() for p in passages_for(answer.hits, engine.reports)]
        assert verify(text, passages) == (True, []), answer.answer
        checked += 1
    assert checked >= 4
