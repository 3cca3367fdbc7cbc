"""The web app in a real headless Chromium (Debian's package), driven over the DevTools protocol.

One reader's path through the app, then every page checked for accessibility
(labels, contrast, heading order, language) at desktop and phone width.
Skipped only where no Chromium is installed, and never when
``EULA_REQUIRE_SYSTEM_DEPS`` is set (CI): see ``chromium_path`` in conftest.py.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlparse

import pytest

import eula_parse
from cdp import Browser
from conftest_web import DOC, NEW, OLD, Server

from eula_parse.index import ClauseIndex

PHONE = (375, 740)
DESKTOP = (1280, 900)

#: Runs in the page; returns a list of problems (empty when the page passes).
A11Y_CHECK = r"""
(() => {
  const problems = [];
  const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  if (!document.documentElement.getAttribute('lang')) problems.push('no lang attribute on <html>');
  if (!document.title.trim()) problems.push('empty <title>');
  for (const el of document.querySelectorAll('input, select, textarea, button')) {
    if (el.type === 'hidden') continue;
    const byLabel = el.labels && [...el.labels].some(l => l.textContent.trim());
    const named = byLabel || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
                  || (el.tagName === 'BUTTON' && el.textContent.trim());
    if (!named) problems.push(`unlabelled ${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`);
  }
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')];
  if (headings.filter(h => h.tagName === 'H1').length !== 1) problems.push('not exactly one h1');
  let previous = 0;
  for (const h of headings) {
    const level = +h.tagName[1];
    if (level > previous + 1) problems.push(`${h.tagName} "${h.innerText.slice(0, 40)}" after h${previous}`);
    previous = level;
  }
  const rgba = s => (s.match(/[\d.]+/g) || [0, 0, 0, 0]).map(Number).concat([1]).slice(0, 4);
  const lum = c => {
    const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgba(getComputedStyle(el).backgroundColor);
      if (c[3] > 0.5) return c;
    }
    return [255, 255, 255, 1];
  };
  const seen = new Set();
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !visible(el)) continue;
    const style = getComputedStyle(el);
    const fg = rgba(style.color), bg = background(el);
    const [a, b] = [lum(fg), lum(bg)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = +style.fontWeight >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    const key = `${style.color} on ${bg} ${need}`;
    if (ratio < need && !seen.has(key)) {
      seen.add(key);
      problems.push(`contrast ${ratio.toFixed(2)} < ${need}: ${el.tagName.toLowerCase()}.${el.className} "${el.innerText.slice(0, 30)}" (${style.color} on rgb(${bg.slice(0, 3)}))`);
    }
  }
  return problems;
})()
"""


@pytest.fixture(scope="module")
def server(corpus_pair_index):
    with ClauseIndex(corpus_pair_index, create=False) as ix, Server(ix) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser(chromium_path):
    with Browser(chromium_path, width=DESKTOP[0], height=DESKTOP[1]) as b:
        yield b


def check_page(browser: Browser) -> None:
    """The page passes the accessibility check and fits a phone screen without sideways scrolling."""
    assert browser.eval(A11Y_CHECK) == [], browser.url
    browser.viewport(*PHONE, mobile=True)
    try:
        width = browser.eval("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{browser.url}: {width[0]} px wide at phone width {width[1]}"
        assert browser.eval(A11Y_CHECK) == [], browser.url
    finally:
        browser.viewport(*DESKTOP)


def test_reader_path_search_hit_reference_other_version_compare(server, browser, doc_2024, doc_2025):
    expected = eula_parse.diff(doc_2024, doc_2025)
    # 1. Search with two filters: general terms only, and an amount of money of at least 50.
    browser.goto(server.url + "/search")
    check_page(browser)
    browser.eval("""(() => {
        document.getElementById('q').value = 'liability';
        document.getElementById('general').checked = true;
        document.getElementById('entity-1').value = 'money>=50';
    })()""")
    browser.click("#search button[type=submit]")
    query = parse_qs(urlparse(browser.url).query)
    assert query["q"] == ["liability"] and query["general"] == ["1"] and query["entity"] == ["money>=50"]
    hits = browser.eval("[...document.querySelectorAll('li.hit h2 a')].map(a => a.getAttribute('href'))")
    with ClauseIndex(server.app.state.index.path, create=False) as ix:
        wanted = [h.id for h in ix.search("liability", general=True, entity=["money>=50"], limit=20)]
    assert [urlparse(h).path.removeprefix("/node/") for h in hits] == wanted
    check_page(browser)

    # Typing changes the results in place and keeps the URL shareable.
    browser.eval("""(() => { const q = document.getElementById('q'); q.focus(); q.select(); })()""")
    browser.call("Input.insertText", session=True, text="warranty")
    browser.eval("""new Promise(done => { const start = Date.now(); (function wait() {
        if (location.search.includes('q=warranty') || Date.now() - start > 10000) return done();
        setTimeout(wait, 50); })(); })""")
    assert "q=warranty" in browser.url and "general=1" in browser.url
    assert browser.eval("document.getElementById('count').innerText").split()[0].isdigit()
    browser.eval("history.back()")
    browser.goto(server.url + "/search?" + urlencode({"q": "liability", "general": "1", "entity": "money>=50"}))

    # 2. Open the first hit.
    browser.click("li.hit h2 a")
    first = wanted[0]
    assert urlparse(browser.url).path == f"/node/{first}"
    record = doc_2025.get(first)
    assert browser.text("h1") == record.heading
    check_page(browser)

    # 3. Follow a cross-reference.
    xref = next(e for e in record.entities if e.label == "XREF" and e.target)
    target = xref.target[0] if isinstance(xref.target, list) else xref.target
    browser.click("#text a.ent-xref")
    assert urlparse(browser.url).path == f"/node/{target}"
    assert first in browser.text("#referenced-by")  # and it names the clause we came from
    check_page(browser)

    # 4. The same clause in the other version.
    browser.click("#versions li a")
    assert parse_qs(urlparse(browser.url).query)["version"] == [doc_2024.version]
    assert browser.text("h1") == doc_2024.get(target).heading
    check_page(browser)

    # 5. Compare the two versions and read the entity change of the clause we started from.
    browser.click("#versions li a[href^='/compare']")
    assert browser.text("h2#h-changes").startswith(f"{doc_2024.version} → {doc_2025.version}")
    change = next(c for c in expected.changes if c.new_id == first)
    shown = browser.eval("[...document.querySelectorAll('ul.entities li')].map(li => li.innerText)")
    assert [str(e) for e in change.entity_changes][0] in shown
    check_page(browser)


def test_every_page_is_accessible_at_desktop_and_phone_width(server, browser):
    pages = ["/", "/?filter=nothing-matches", f"/document/{DOC}", "/compare",
             "/compare?" + urlencode({"old": OLD, "new": NEW, "kind": ["added", "modified", "renumbered"]}),
             "/history/product/xprotect-corporate/4", "/node/group/xprotect-vms", "/node/product/xprotect-corporate",
             "/node/preamble/2", "/search?q=%22unbalanced", "/node/no/such/clause", "/search?q=product&page=2"]
    for path in pages:
        browser.goto(server.url + path)
        check_page(browser)


def test_the_accessibility_check_catches_what_it_looks_for(browser):
    """The check above would fail a page without a language, a label, a heading level or contrast."""
    bad = ("<!DOCTYPE html><html><head><title>bad</title></head><body><h1>Title</h1><h3>Skipped a level</h3>"
           "<input id='q'><p style='color:#aaaaaa'>pale grey text</p></body></html>")
    browser.goto("data:text/html," + bad.replace("#", "%23"))
    problems = " | ".join(browser.eval(A11Y_CHECK))
    for expected in ("no lang attribute", "unlabelled input#q", 'H3 "Skipped a level" after h1', "contrast 2.32 < 4.5"):
        assert expected in problems
