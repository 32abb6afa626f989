"""The evaluation runner and `reportqa eval` against real indexes built from seeds/."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from paths import EVAL_DIR, SEED_REPORT, SEEDS
from reportqa.cli.main import main
from reportqa.engine import Engine
from reportqa.evaluation.runner import (
    EvalQuestion,
    load_questions,
    run_eval,
    write_outputs,
)
from reportqa.indexing.embed import Embedder
from reportqa.records import Answer
from reportqa.search.retrieve import Mode

SPLIT_FILES = [EVAL_DIR / "dev.jsonl", EVAL_DIR / "test.jsonl"]

# The floor CI keeps on answer accuracy (hybrid, the chat's default) over the dev and test
# questions about the six seed reports, on an index of those six (fast; the 107-report evaluation
# is `make eval`). Measured 0.926 with the default settings; 0.85 leaves room for a few questions
# to move between runs, not for a real regression. Raise it as answers improve.
ACCURACY_FLOOR = 0.85

SMALL_SET = [
    {
        "id": "t-number",
        "question": "2024年通过创优营商环境平台办结了多少件问题？",
        "answer": "612件",
        "must_contain": ["612件"],
        "gold_spans": ["2024年通过创优营商环境平台办结各类问题共计612件"],
        "type": "number",
    },
    {
        "id": "t-number-2",
        "question": "2024年镜湖区区政府常务会会前学法组织了几次？学了多少件法律法规政策？",
        "answer": "会前学法6次，学习各领域法律法规政策10余件",
        "must_contain": ["6次", "10余件"],
        "gold_spans": ["组织区政府常务会会前学法6次,学习各领域法律法规政策10余件"],
        "type": "number",
    },
    {
        "id": "t-fact",
        "question": "镜湖区打造的党员干部教育培训品牌叫什么？",
        "answer": "“周末课堂”",
        "must_contain": ["周末课堂"],
        "gold_spans": ["深化“周末课堂”党员干部教育培训品牌打造"],
        "type": "fact",
    },
    {
        "id": "t-fact-2",
        "question": "镜湖区深化“枫桥经验”推深做实的是什么工作法？",
        "answer": "“六尺巷工作法”",
        "must_contain": ["六尺巷工作法"],
        "gold_spans": ["深化“枫桥经验”,推深做实“六尺巷工作法”,及时妥善化解各类矛盾纠纷"],
        "type": "fact",
    },
    {
        "id": "t-paraphrase",
        "question": "镜湖区2024年给困难群众免费打官司的案子有多少件？",
        "answer": "受理法律援助案件644件",
        "must_contain": ["644件"],
        "gold_spans": ["2024年受理法律援助案件644件,为困难群体挽回经济损失660余万元"],
        "type": "paraphrase",
    },
    {
        "id": "t-unanswerable",
        "question": "镜湖区2023年通过创优营商环境平台办结了多少件问题？",
        "answer": "文中未提及",
        "must_contain": [],
        "gold_spans": [],
        "type": "unanswerable",
    },
]

SUMMARY_KEYS = {
    "questions",
    "answerable",
    "unanswerable",
    "accuracy",
    "answerable_accuracy",
    "hit@1",
    "hit@3",
    "hit@5",
    "mrr@10",
    "ndcg@10",
    "citation_precision",
    "citation_recall",
    "unanswerable_refused",
    "answerable_refused",
    "chitchat",
    "first_citation_right_report",
    "top1_right_report",
    "chitchat_uncited",
    "latency_p50_ms",
    "latency_p95_ms",
}
# Metrics that do not apply to the small set (no chit-chat question in it).
NOT_APPLICABLE = {"chitchat_uncited"}


@pytest.fixture(scope="module")
def engine(seed_index: Path, embedder: Embedder) -> Engine:
    return Engine(seed_index, embedder=embedder)


@pytest.fixture(scope="module")
def questions_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("questions") / "questions.jsonl"
    lines = [json.dumps({**q, "report": SEED_REPORT.name}, ensure_ascii=False) for q in SMALL_SET]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_runner_writes_the_four_files(engine: Engine, questions_file: Path, tmp_path: Path) -> None:
    questions = load_questions(questions_file)
    run = run_eval(engine, questions, mode="hybrid", top_k=5, progress=False)
    paths = write_outputs([run], tmp_path, {"questions_file": str(questions_file)})
    for name in ("summary.json", "answers.jsonl", "report.md", "metrics.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert set(paths) == {"summary", "answers", "report", "chart"}

    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["questions_file"] == str(questions_file)
    hybrid = summary["runs"]["hybrid"]
    assert {"overall", "by_type", "by_report", "failures"} <= set(hybrid)
    overall = hybrid["overall"]
    assert set(overall) == SUMMARY_KEYS
    assert (overall["questions"], overall["answerable"], overall["unanswerable"]) == (6, 5, 1)
    for key in (
        SUMMARY_KEYS - {"questions", "answerable", "unanswerable", "chitchat"} - NOT_APPLICABLE
    ):
        assert overall[key] is not None, key
        if not key.startswith("latency"):
            assert 0.0 <= overall[key] <= 1.0, key
    assert overall["latency_p95_ms"] >= overall["latency_p50_ms"] > 0
    # These questions quote the report closely: the evidence is found near the top.
    assert overall["hit@5"] >= 0.8
    assert overall["accuracy"] >= 0.5
    assert set(hybrid["by_type"]) == {"number", "fact", "paraphrase", "unanswerable"}
    assert set(hybrid["by_report"]) == {"jinghu-2024-fazhi"}
    assert sum(hybrid["failures"].values()) == round(6 * (1 - overall["accuracy"]))

    records = [json.loads(line) for line in (tmp_path / "answers.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == [q["id"] for q in SMALL_SET]
    for r in records:
        assert r["mode"] == "hybrid"
        assert 0 < len(r["retrieved"]) <= 10
        assert {"chunk_id", "section", "start", "end", "relevant"} <= set(r["retrieved"][0])
        assert r["refused"] or r["citations"]
        assert all("relevant" in c and "text" in c for c in r["citations"])

    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    for heading in ("### Overall", "### By type", "### By report", "### Worst failures"):
        assert heading in report


def test_the_answer_step_is_a_parameter(engine: Engine, questions_file: Path) -> None:
    def always_refuse(question: str, top_k: int, mode: Mode) -> Answer:
        return Answer(question=question, answer="报告中没有。", refused=True, citations=[])

    run = run_eval(engine, load_questions(questions_file), answer_fn=always_refuse, progress=False)
    overall = run.summary()["overall"]
    assert overall["accuracy"] == pytest.approx(1 / 6)  # only the unanswerable one is right
    assert overall["answerable_refused"] == 1.0
    assert overall["unanswerable_refused"] == 1.0
    assert overall["citation_recall"] == 0.0
    assert overall["citation_precision"] is None
    # Retrieval is measured on its own, whatever the answer step does.
    assert overall["hit@5"] >= 0.8


def test_errors_are_recorded_not_raised(engine: Engine) -> None:
    q = EvalQuestion("t-long", "问" * 5000, "x", ("x",), ("x" * 20,), "fact", SEED_REPORT.name)
    run = run_eval(engine, [q], progress=False)
    assert run.records[0].failure == "error"
    assert run.summary()["overall"]["accuracy"] == 0.0


@pytest.mark.parametrize(("floor", "code"), [("1.01", 1), ("0.0", 0)])
def test_cli_min_accuracy(
    seed_index: Path, questions_file: Path, tmp_path: Path, floor: str, code: int
) -> None:
    args = ["eval", str(questions_file), "--index-dir", str(seed_index), "--out", str(tmp_path)]
    result = CliRunner().invoke(main, [*args, "--min-accuracy", floor, "--no-progress"])
    assert result.exit_code == code, result.output
    assert "| hybrid |" in result.output
    assert (tmp_path / "summary.json").is_file()
    if code:
        assert "below the floor" in result.output


def test_cli_compares_all_retrievers(
    seed_index: Path, questions_file: Path, tmp_path: Path
) -> None:
    args = ["eval", str(questions_file), "--index-dir", str(seed_index), "--out", str(tmp_path)]
    result = CliRunner().invoke(main, [*args, "--retriever", "all", "--no-progress"])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert list(summary["runs"]) == ["hybrid", "dense", "keyword"]
    assert "## Retrievers compared" in (tmp_path / "report.md").read_text(encoding="utf-8")
    lines = (tmp_path / "answers.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 * len(SMALL_SET)


def test_cli_missing_index(questions_file: Path, tmp_path: Path) -> None:
    args = ["eval", str(questions_file), "--index-dir", str(tmp_path / "none")]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out"), "--no-progress"])
    assert result.exit_code == 1
    assert "Error:" in result.output


def seed_questions(tmp_path: Path) -> list[Path]:
    """dev and test restricted to the six seed reports (no corpus report, no chit-chat), each
    written under its split's name so that the two are still reported apart."""
    seeds = {p.name for p in (SEEDS).glob("*.txt")}
    paths = []
    for source in SPLIT_FILES:
        lines = source.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if line.strip() and json.loads(line)["report"] in seeds]
        path = tmp_path / source.name
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.eval
def test_accuracy_floor_on_the_seed_questions(all_index: Path, tmp_path: Path) -> None:
    """CI's regression gate: dev and test questions on the seed reports through
    `reportqa eval --min-accuracy`, over an index of the six seed reports."""
    out = tmp_path / "out"
    files = [str(p) for p in seed_questions(tmp_path)]
    args = ["eval", *files, "--index-dir", str(all_index), "--out", str(out)]
    result = CliRunner().invoke(
        main, [*args, "--min-accuracy", str(ACCURACY_FLOOR), "--no-progress"]
    )
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    hybrid = summary["runs"]["hybrid"]
    assert result.exit_code == 0, result.output
    assert summary["skipped_questions"] == 0
    assert hybrid["overall"]["questions"] == 175
    assert list(hybrid["by_split"]) == ["dev", "test"]
    assert hybrid["overall"]["accuracy"] >= ACCURACY_FLOOR
