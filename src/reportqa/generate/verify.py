"""Check a generated answer against the passages it was given: citations, figures, coverage.

Pure functions. A generated answer is trusted only as far as these checks go: every `[n]` names a
passage that was given, every figure occurs in a passage its sentence cites, and every sentence
cites something. Wording is not checked; figures are, because an invented figure is the error
that costs a reader most.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportqa.answer.injection import quotes_instruction, without_instructions
from reportqa.lang import zh
from reportqa.records import CITATION_MARKER_ANY_FORM

NO_ANSWER = "报告中没有相关内容"

# A figure: a number with its unit (万/亿 and a counter, %, a date part), or a Chinese numeral
# with a counter. Checking the unit with the number catches "120件" turned into "120万元".
_ARABIC = zh.ARABIC_FIGURE
_CHINESE = zh.CHINESE_FIGURE
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;\n]*")
_ONLY_CITATIONS = re.compile(r"^\s*(?:" + CITATION_MARKER_ANY_FORM.pattern + r"\s*)+")


def normalise(text: str) -> str:
    """Spaces dropped and full-width signs made half-width, so "50.6 ％" matches "50.6%"."""
    return re.sub(r"\s+", "", text).replace("％", "%").replace("，", ",")


def figures(text: str) -> list[str]:
    """The figures of `text`, citation markers excluded, normalised."""
    bare = CITATION_MARKER_ANY_FORM.sub(" ", text)
    found = [m.group() for m in _ARABIC.finditer(bare)] + [
        m.group() for m in _CHINESE.finditer(bare)
    ]
    return [normalise(f) for f in found if f.strip()]


def occurs(figure: str, passage: str) -> bool:
    """`figure` in `passage` as a whole number: "12件" is not in "112件", "3.5%" not in "13.5%"."""
    pattern = r"(?<![\d.])" + re.escape(figure)
    if figure[-1].isdigit():
        pattern += r"(?![\d.]\d)"
    return re.search(pattern, normalise(passage)) is not None


def sentences(answer: str) -> list[str]:
    """Sentences of `answer`; citations placed after the full stop ("…件。[1]") stay with it."""
    out: list[str] = []
    for piece in _SENTENCE.findall(answer):
        lead = _ONLY_CITATIONS.match(piece)
        if lead and out:
            out[-1] += lead.group()
            piece = piece[lead.end() :]
        if piece.strip(" \t\n。！？；!?;"):
            out.append(piece)
    return out


def cited(text: str) -> list[int]:
    return [int(n) for n in CITATION_MARKER_ANY_FORM.findall(text)]


def is_no_answer(answer: str) -> bool:
    """The generator said the passages do not answer the question (and claims nothing else)."""
    return NO_ANSWER in answer and not cited(answer) and not figures(answer.replace(NO_ANSWER, ""))


def verify(answer: str, passages: Sequence[str]) -> tuple[bool, list[str]]:
    """(verified, problems) for `answer` given `passages` as numbered [1]..[k] in the prompt."""
    problems: list[str] = []
    if not answer.strip():
        return False, ["empty answer"]
    if is_no_answer(answer):
        return True, []
    for sentence in sentences(answer):
        short = sentence.strip()[:40]
        numbers = cited(sentence)
        unknown = sorted({n for n in numbers if not 1 <= n <= len(passages)})
        for n in unknown:
            problems.append(f"[{n}] names no given passage (1..{len(passages)}): {short}")
        known = [passages[n - 1] for n in dict.fromkeys(numbers) if 1 <= n <= len(passages)]
        if not numbers:
            problems.append(f"sentence cites no passage: {short}")
            continue
        # Instruction-like text in a passage is data, not evidence: a figure found only there
        # does not count, and repeating such text is not an answer.
        evidence = [without_instructions(p) for p in known]
        for figure in dict.fromkeys(figures(sentence)):
            if not any(occurs(figure, p) for p in evidence):
                where = (
                    "only inside instruction-like text in"
                    if any(occurs(figure, p) for p in known)
                    else "not in"
                )
                problems.append(f"figure {figure} is {where} the cited passage(s): {short}")
        for passage in known:
            quoted = quotes_instruction(sentence, passage)
            if quoted:
                problems.append(
                    f"repeats instruction-like text of a passage ({quoted[:30]}): {short}"
                )
    return not problems, problems
