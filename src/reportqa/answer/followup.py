"""Follow-up questions in a chat: rewrite an elliptical question into a standalone one.

Retrieval and the answer step see one question at a time, so a question that leans on the previous
turn ("那2023年呢？", "其中调解结案多少件？") is rewritten with the parts it leaves out:

- a question that only swaps a year or a place ("那2023年呢？", "光明区呢？") becomes the previous
  question with that year or place replaced;
- "其中…" asks about a part of the previous question's topic: topic + "中" + the new ask;
- another elliptical question (a lead particle such as 那么/另外, a trailing 呢, or a bare ask such
  as "多少件？") is attached to the previous topic when it is short, and otherwise inherits only the
  previous question's years and places (its scope);
- a pronoun standing for the previous subject ("它是哪个部门推出的？") is replaced by that subject.

A question that names its own subject ("码上知是什么？", "你好") stands on its own and is returned
unchanged, however short. A rewrite never piles up: it joins the new question to the previous turn's
topic only, so a chain of follow-ups does not merge into one ever longer question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportqa.answer.question import find_places
from reportqa.lang import zh

# Particles that open a question continuing the previous one. "那" is a particle only when it is not
# the start of a demonstrative ("那些", "那个", "那里"), which carries content of its own.
_LEAD = re.compile(r"^(?:那么|那(?![些个里样])|其中|另外|此外|还有|以及|并且)[，,、\s]*")
_PART_OF = "其中"
_TRAILING = re.compile(r"[\s？?。.!！，,；;…]+$")
_NE = re.compile(r"呢$")
_YEAR = zh.YEAR_WITH_SUFFIX
_YEAR_DIGITS = zh.BARE_YEAR
# Interrogatives and fillers carry no subject; what remains after removing them is the content.
_ASK = zh.ASK
_FILLER = zh.FILLER
_NON_WORD = re.compile(r"[^\w]|_", re.UNICODE)
# A counter left over after the interrogative ("多少件" -> "件") is not a subject.
_COUNTER_ONLY = re.compile(
    r"(?:件|个|次|人次|人|元|万元|亿元|万|亿|条|项|家|所|名|倍|天|户|台|套|场|份|起|宗|批|篇|部|种|类)?"
)
# Pronouns for the previous subject: 它/它们 anywhere but in 其它 (= 其他), 其 opening the question
# (其中, 其他, 其它, 其余, 其实 and 其次 are words of their own).
_PRONOUN = re.compile(r"(?<!其)它们|(?<!其)它|^其(?![中他余它实次])")
# A lead-particle question this short is a sub-question of the previous topic; a longer one is a
# new question in the same scope.
ATTACH_CONTENT = 6


@dataclass(frozen=True)
class _Parts:
    lead: str  # the opening particle, "" when none
    ends_with_ne: bool
    core: str  # the question without the particle, 呢 and final punctuation
    years: list[str]  # four-digit years, in order
    places: list[str]
    content: str  # core without years, places, interrogatives and fillers


def _years(text: str) -> list[str]:
    return list(dict.fromkeys(_YEAR_DIGITS.findall(text)))


def _parse(question: str) -> _Parts:
    text = question.strip()
    lead_match = _LEAD.match(text)
    lead = lead_match.group().strip("，,、 ") if lead_match else ""
    if lead_match:
        text = text[lead_match.end() :]
    text = _TRAILING.sub("", text)
    ends_with_ne = bool(_NE.search(text))
    core = _NE.sub("", text)
    core = _TRAILING.sub("", core)
    places = find_places(core) if core else []
    content = _YEAR.sub("", core)
    for place in places:
        content = content.replace(place, "")
    content = _FILLER.sub("", _ASK.sub("", content))
    content = _NON_WORD.sub("", content)
    if _COUNTER_ONLY.fullmatch(content):
        content = ""
    return _Parts(lead, ends_with_ne, core, _years(core), places, content)


def has_pronoun(question: str) -> bool:
    return bool(_PRONOUN.search(question.strip()))


def is_elliptical(question: str) -> bool:
    """Whether the question leans on a previous turn rather than standing on its own.

    Only what grammar shows counts: a lead particle, a trailing 呢, a pronoun, or no content at all
    besides a year, a place and an interrogative. A short question with a subject of its own
    ("码上知是什么？") is not a follow-up.
    """
    parts = _parse(question)
    if parts.lead or parts.ends_with_ne or has_pronoun(question):
        return True
    return not parts.content and bool(question.strip())


def split_topic(question: str) -> tuple[str, str]:
    """(topic, ask): "2024年全区新收行政复议案件多少件？" -> ("2024年全区新收行政复议案件", "多少件？")."""
    text = question.strip()
    match = _ASK.search(text)
    if match and match.start() > 0:
        return text[: match.start()].rstrip("，, "), text[match.start() :]
    return _TRAILING.sub("", text), "？"


def _substitute(previous: str, parts: _Parts) -> str:
    """The previous question with the new question's years and places swapped in or added."""
    result = previous.strip()
    old_years = _years(result)
    prefix = ""
    for i, year in enumerate(parts.years):
        if i < len(old_years):
            result = result.replace(old_years[i], year, 1)
        else:
            prefix += f"{year}年"
    old_places = find_places(result)
    for i, place in enumerate(parts.places):
        if i < len(old_places):
            result = result.replace(old_places[i], place, 1)
        else:
            prefix += place
    return prefix + result


def _scope(previous: str, parts: _Parts) -> str:
    """The previous question's years and places that the new question does not name, as a prefix."""
    years = "" if parts.years else "".join(f"{y}年" for y in _years(previous))
    places = "" if parts.places else "".join(find_places(previous))
    return years + places


@dataclass(frozen=True)
class Understood:
    """A question as understood in its conversation, and what the next follow-up may lean on."""

    question: str  # standalone: what retrieval and the answer step see
    topic: str  # the subject of this turn, without any aspect a follow-up appended to it
    rewritten: bool


def standalone(question: str) -> Understood:
    return Understood(question, split_topic(question)[0], False)


def understand(question: str, previous: Understood | None) -> Understood:
    """The question rewritten to stand alone, given the previous turn as it was understood.

    A follow-up is joined to the previous turn's topic, never to the aspects earlier follow-ups
    added to it, so a rewrite holds at most the previous turn and the new question.
    """
    if previous is None or not previous.question.strip() or not question.strip():
        return standalone(question)
    if not is_elliptical(question):
        return standalone(question)
    parts = _parse(question)
    topic = _substitute(previous.topic, parts)
    if has_pronoun(question) and not parts.lead and not parts.ends_with_ne:
        # "它是哪个部门推出的？": the pronoun stands for the previous subject.
        resolved = _PRONOUN.sub(lambda _: previous.topic, question.strip(), count=1)
        return Understood(resolved, split_topic(resolved)[0], True)
    if not parts.content:
        # Only a year or a place was given: ask the previous question about it.
        return Understood(_substitute(previous.question, parts), topic, True)
    _, ask = split_topic(previous.question)
    # Years and places of the new question already sit in `topic`; drop them from what is appended.
    rest = _YEAR.sub("", parts.core)
    for place in parts.places:
        rest = rest.replace(place, "")
    rest = _PRONOUN.sub("", rest).strip("，, ")
    end = "？" if _ASK.search(rest) else ask
    if parts.lead == _PART_OF:
        return Understood(f"{topic}中{rest}{end}", topic, True)
    if parts.ends_with_ne or (parts.lead and len(parts.content) <= ATTACH_CONTENT):
        return Understood(f"{topic}，{rest}{end}", topic, True)
    # A longer question: it names its own subject and only inherits the previous scope.
    resolved = f"{_scope(previous.question, parts)}{parts.core}？"
    return Understood(resolved, split_topic(resolved)[0], True)


def contextualize(question: str, previous_question: str | None) -> str:
    """The question rewritten to stand alone, given the previous question of the conversation."""
    previous = standalone(previous_question) if previous_question else None
    return understand(question, previous).question
