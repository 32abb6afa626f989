"""The web chat as people use it, in Debian's Chromium against a real `reportqa serve`: light and dark
mode, a 390 px phone, keyboard focus, copying, input while an answer streams, follow-ups, feedback,
the original document view, and a server restart.

One server for the module (restarted once, by the last test); streaming is slowed a little so that
typing during an answer is reliably "during".
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web_server import CHROMIUM, CHROMIUM_ARGS, Served, reportqa

QUESTION = "2024年镜湖区全区新收行政复议案件多少件？"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
# Screenshots to look at (light, dark, phone); the README's is taken by test_web_app.py.
SHOTS = Path(tempfile.gettempdir()) / "reportqa-ui-shots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]

# WCAG contrast of each visible element's text against the background it is drawn on (the
# ancestors' background colours composited), computed in the page.
CONTRAST_JS = """
(selectors) => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) { return null; }
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (t, b) => ({r: t.r * t.a + b.r * (1 - t.a), g: t.g * t.a + b.g * (1 - t.a),
    b: t.b * t.a + b.b * (1 - t.a), a: 1});
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) { break; } }
    }
    let base = {r: 255, g: 255, b: 255, a: 1};
    for (let i = layers.length - 1; i >= 0; i--) { base = over(layers[i], base); }
    return base;
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const out = [];
  for (const sel of selectors) {
    for (const el of document.querySelectorAll(sel)) {
      const r = el.getBoundingClientRect();
      if (r.width < 2 || r.height < 2 || !(el.innerText || '').trim()) { continue; }
      if (el.closest('.rqa-hidden-control')) { continue; }
      const bg = background(el);
      const fg0 = parse(getComputedStyle(el).color);
      const fg = fg0.a < 1 ? over(fg0, bg) : fg0;
      const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      out.push({sel, text: el.innerText.trim().slice(0, 24), ratio: (hi + 0.05) / (lo + 0.05),
                opacity: getComputedStyle(el).opacity});
    }
  }
  return out;
}
"""
CHECKED = [
    "h1",
    ".rqa-title + p",
    ".rqa-question",
    ".rqa-answer",
    "a.rqa-cite",
    ".rqa-rewrite",
    ".rqa-refusal-title",
    ".rqa-refusal",
    ".rqa-where",
    ".rqa-where a",
    ".rqa-src-head",
    ".rqa-src-section",
    ".rqa-passage",
    ".rqa-sources mark",
    ".rqa-context summary",
    "button.rqa-tool",
    "#rqa-ask",
    "[data-testid='block-info']",
    "#rqa-counter",
    ".rqa-problem",
    "button.rqa-example",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, index_dir: Path) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("webui")
    env = {
        "REPORTQA_FEEDBACK": str(root / "feedback.jsonl"),
        "REPORTQA_STREAM_DELAY_S": "0.3",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    server = Served(index_dir, env)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser: Any, served: Served, scheme: str = "light", viewport: Any = DESKTOP) -> Any:
    # An English browser: the page must still be Chinese throughout.
    context = browser.new_context(
        viewport=viewport, color_scheme=scheme, locale="en-US", accept_downloads=True
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url.rstrip("/"))
    page = context.new_page()
    page.goto(served.url)
    page.locator("#rqa-question textarea").wait_for(timeout=30_000)
    return page


def _ask(page: Any, question: str) -> None:
    box = page.locator("#rqa-question textarea")
    box.fill(question)
    box.press("Enter")


def _answered(page: Any, count: int) -> None:
    """Wait until `count` answers (or refusals) have finished streaming."""
    from playwright.sync_api import expect

    expect(page.locator("#rqa-chat .rqa-msg")).to_have_count(count, timeout=40_000)
    expect(page.locator("#rqa-ask")).to_be_enabled(timeout=20_000)


@pytest.mark.parametrize(
    ("scheme", "viewport"),
    [("light", DESKTOP), ("dark", DESKTOP), ("light", PHONE), ("dark", PHONE)],
    ids=["light", "dark", "light-390", "dark-390"],
)
def test_page_in_each_theme_and_width(
    browser: Any, served: Served, scheme: str, viewport: Any
) -> None:
    """Readable (contrast), accessible, plain, copyable; a citation opens in place on a phone and
    moves the focus to its source on a wide screen."""
    from playwright.sync_api import expect

    page = _page(browser, served, scheme, viewport)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page).to_have_title("政府报告问答 · reportqa")
    assert page.locator("h1").count() == 1
    assert page.evaluate("document.body.classList.contains('dark')") == (scheme == "dark")

    _ask(page, QUESTION)
    _answered(page, 1)
    _citation_in_place_or_focused(page, phone=viewport == PHONE)
    _ask(page, "那2023年呢？")
    _answered(page, 2)
    expect(page.locator("#rqa-chat .rqa-refusal-title")).to_have_text("报告中没有答案")

    # An English question: a Chinese message with an example, and nothing added to the chat.
    _ask(page, "How many administrative review cases?")
    expect(page.locator(".rqa-problem")).to_contain_text("请用中文提问", timeout=20_000)
    expect(page.locator(".rqa-problem")).to_contain_text("例如：")
    expect(page.locator("#rqa-counter")).to_have_text("37 / 2000 字")
    assert page.locator("#rqa-chat .rqa-question").count() == 2
    expect(page.locator("#rqa-question textarea")).to_have_value(
        "How many administrative review cases?"
    )

    # Plain language: 第N段 and a link to the original, not character offsets.
    page.locator("#rqa-sources details.rqa-older summary").first.click()
    where = page.locator("#rqa-src-1-1 .rqa-where")
    expect(where).to_contain_text("第 23 段")
    expect(where.locator("a")).to_have_text("查看原文（新窗口）")
    assert "字符" not in page.locator("#rqa-sources").inner_text()
    assert page.locator("#rqa-src-1-1").get_attribute("data-start") is not None

    page.wait_for_timeout(400)  # let the last transition settle before measuring colours
    measured = page.evaluate(CONTRAST_JS, CHECKED)
    seen = {m["sel"] for m in measured}
    for needed in ["h1", ".rqa-refusal-title", ".rqa-rewrite", ".rqa-sources mark", ".rqa-where"]:
        assert needed in seen, f"{needed} not measured"
    assert "#rqa-ask" in seen
    low = [m for m in measured if m["ratio"] < 4.5]
    assert low == [], f"contrast below 4.5:1 in {scheme}: {low}"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{scheme}-{viewport['width']}.png"), full_page=True)

    _copies_are_plain_text_and_markdown(page)
    page.context.close()


def _citation_in_place_or_focused(page: Any, phone: bool) -> None:
    from playwright.sync_api import expect

    marker = page.locator("#rqa-chat a.rqa-cite").first
    if not phone:
        marker.click()
        source = page.locator("#rqa-src-1-1")
        expect(source).to_be_focused()
        expect(source.locator("blockquote mark").first).to_be_in_viewport()
        source.locator("button.rqa-back").click()
        assert page.evaluate("document.activeElement.classList.contains('rqa-cite')")
        return
    marker.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    marker.click()
    inline = page.locator("#rqa-chat .rqa-inline")
    expect(inline).to_be_visible()
    expect(inline.locator("mark").first).to_contain_text("120件")
    expect(inline).to_contain_text("第 23 段")
    expect(inline).to_be_in_viewport()
    assert abs(page.evaluate("window.scrollY") - before) < 300  # no jump to the sources
    assert page.evaluate("document.activeElement.classList.contains('rqa-inline')")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"inline-{page.viewport_size['width']}.png"))
    inline.locator("button.rqa-inline-close").click()
    expect(inline).to_have_count(0)
    assert page.evaluate("document.activeElement.classList.contains('rqa-cite')")


def _copies_are_plain_text_and_markdown(page: Any) -> None:
    page.locator("#rqa-chat button.rqa-copy").first.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"问：{QUESTION}\n答：2024年全区新收行政复议案件120件")
    assert "来源：\n[1] 《镜湖区人民政府关于2024年法治政府建设情况的报告》" in copied
    assert "第 23 段" in copied
    assert "<" not in copied and "rqa-" not in copied

    page.locator("#rqa-copy-all").click()
    everything = page.evaluate("navigator.clipboard.readText()")
    assert "120件" in everything and "报告中没有答案" in everything and "来源：" in everything
    assert "<div" not in everything

    with page.expect_download() as info:
        page.locator("#rqa-export").click()
    download = info.value
    assert download.suggested_filename.endswith(".md")
    markdown = Path(download.path()).read_text(encoding="utf-8")
    assert markdown.startswith("# 政府报告问答 · 对话记录")
    assert f"## 问：{QUESTION}" in markdown
    assert "1. 《镜湖区人民政府关于2024年法治政府建设情况的报告》" in markdown
    assert "   > " in markdown and "**报告中没有答案。**" in markdown


def test_typing_while_an_answer_streams_is_kept(browser: Any, served: Served) -> None:
    from playwright.sync_api import expect

    page = _page(browser, served, "light", PHONE)
    box = page.locator("#rqa-question textarea")
    ask = page.locator("#rqa-ask")
    _ask(page, QUESTION)
    expect(ask).to_be_disabled(timeout=20_000)
    expect(ask).to_have_text("回答中…")
    # While it streams: type the next question, press Enter and double-click the button.
    box.fill("码上知是什么？")
    box.press("Enter")
    ask.dblclick(force=True)
    _answered(page, 1)
    expect(box).to_have_value("码上知是什么？")
    assert page.locator("#rqa-chat .rqa-question").count() == 1
    assert page.locator("#rqa-chat .rqa-error").count() == 0
    assert "问题为空" not in page.locator("#rqa-status").inner_text()

    ask.click()  # now it is asked
    _answered(page, 2)
    expect(page.locator("#rqa-chat .rqa-question").last).to_have_text("码上知是什么？")
    expect(box).to_have_value("")
    counter = page.locator("#rqa-counter")
    expect(counter).to_have_text("0 / 2000 字")

    _ask(page, "问" * 2001)  # over the limit: counted, flagged, explained, kept
    expect(counter).to_have_text("2001 / 2000 字")
    expect(counter).to_have_class("rqa-over")
    expect(page.locator(".rqa-problem")).to_contain_text("问题过长（2001 字）")
    assert page.locator("#rqa-chat .rqa-question").count() == 2
    page.context.close()


def test_follow_up_resolves_it_and_can_be_asked_as_new(browser: Any, served: Served) -> None:
    from playwright.sync_api import expect

    page = _page(browser, served, "dark", PHONE)
    _ask(page, "码上知是什么？")
    _answered(page, 1)
    _ask(page, "它是哪个部门推出的？")
    _answered(page, 2)
    note = page.locator("#rqa-chat .rqa-msg").last.locator(".rqa-rewrite")
    expect(note).to_contain_text("结合上文理解为：码上知是哪个部门推出的？")
    note.locator("button.rqa-asnew").click()
    _answered(page, 3)
    expect(page.locator("#rqa-chat .rqa-question").last).to_have_text("它是哪个部门推出的？")
    assert page.locator("#rqa-chat .rqa-msg").last.locator(".rqa-rewrite").count() == 0
    page.context.close()


def test_link_opens_the_original_document_at_the_passage(browser: Any, served: Served) -> None:
    from playwright.sync_api import expect

    page = _page(browser, served, "light", DESKTOP)
    _ask(page, QUESTION)
    _answered(page, 1)
    source = page.locator("#rqa-src-1-1")
    with page.context.expect_page() as opened:
        source.locator(".rqa-where a").click()
    doc = opened.value
    doc.wait_for_load_state()
    assert doc.evaluate("document.documentElement.lang") == "zh-CN"
    here = doc.locator("#rqa-here")
    expect(here).to_be_in_viewport()
    expect(here).to_contain_text("23")
    expect(here.locator("mark.rqa-doc-quote")).to_contain_text("120件")
    missing = page.request.get(served.url + "rqa/doc/no-such-report")
    assert missing.status == 404 and "未找到报告" in missing.text()
    page.context.close()


def test_feedback_is_stored_with_a_comment_and_exported(browser: Any, served: Served) -> None:
    from playwright.sync_api import expect

    page = _page(browser, served, "dark", PHONE)
    _ask(page, QUESTION)
    _answered(page, 1)
    page.locator('#rqa-chat button[aria-label="没有帮助"]').first.click()
    expect(page.locator("#rqa-feedback-note")).to_contain_text("感谢您的评价", timeout=20_000)
    comment = page.locator("#rqa-comment textarea")
    comment.fill("想知道的是2023年的数字")
    page.locator("#rqa-comment-send").click()
    expect(page.locator("#rqa-feedback-note")).to_contain_text("说明已保存", timeout=20_000)
    page.context.close()

    path = Path(served.env["REPORTQA_FEEDBACK"])
    result = subprocess.run(
        [reportqa(), "feedback", "--feedback", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    records = [json.loads(line) for line in result.stdout.splitlines()]
    mine = [r for r in records if r["comment"] == "想知道的是2023年的数字"]
    assert len(mine) == 1
    assert mine[0]["rating"] == "down" and mine[0]["question"] == QUESTION
    assert "120件" in mine[0]["answer"] and mine[0]["citations"][0]["report"] == "jinghu-2024-fazhi"
    assert len(path.read_text(encoding="utf-8").splitlines()) >= 2  # vote, then comment


def test_conversation_survives_a_refresh_and_a_server_restart(browser: Any, served: Served) -> None:
    """Last in the module: it restarts the server."""
    from playwright.sync_api import expect

    page = _page(browser, served, "light", DESKTOP)
    _ask(page, QUESTION)
    _answered(page, 1)
    page.reload()
    expect(page.locator("#rqa-chat .rqa-answer")).to_contain_text("120件", timeout=30_000)
    expect(page.locator("#rqa-src-1-1")).to_be_visible()

    served.stop()
    banner = page.locator("#rqa-conn")
    expect(banner).to_contain_text("连接已断开", timeout=15_000)
    expect(page.locator("#rqa-chat .rqa-answer")).to_contain_text("120件")
    _ask(page, "码上知是什么？")  # while the server is away: held, not lost
    expect(banner).to_contain_text("问题未发送")
    expect(page.locator("#rqa-question textarea")).to_have_value("码上知是什么？")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "offline.png"))
    served.start()
    expect(banner).to_contain_text("已重新连接", timeout=20_000)

    page.locator("#rqa-question textarea").press("Enter")
    _answered(page, 2)
    questions = page.locator("#rqa-chat .rqa-question")
    expect(questions).to_have_count(2)
    expect(questions.first).to_have_text(QUESTION)
    page.reload()
    expect(page.locator("#rqa-chat .rqa-question")).to_have_count(2, timeout=30_000)
    page.context.close()
