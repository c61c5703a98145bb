"""Checks a published set's overview.html in a real browser (headless Chromium).

Usage:
  python tests/browser/check_overview.py raw     OUT_DIR SCREENSHOT.png
  python tests/browser/check_overview.py payload OUT_DIR
  python tests/browser/check_overview.py scale   OUT_DIR_OR_PAGE SIZE_BOUND_BYTES [SCREENSHOT.png]
  python tests/browser/check_overview.py shot    OUT_DIR PICTURE.png   (the README's picture)

`raw` checks the page of a set made from raw/: no console error and no
request leaving the file, the network's nodes and edges at both levels against
counts computed here from relationship_scores.parquet, the timeline against
events.parquet, both top-dyads tables against the scores, the evidence of a
dyad chosen in a table (its span highlighted, as in events.parquet) and of an
edge clicked on the canvas, sorting, and the text alternatives; then saves a
screenshot. `payload` checks a set whose names and texts carry script and
HTML payloads: each is shown as text and none runs. `scale` checks a large
set's page: its size bound and a render without error.

Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM); playwright drives it.
"""

import collections
import json
import os
import pathlib
import re
import sys
import time

import pyarrow.compute as pc
import pyarrow.parquet as pq
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
MAX_NODES, MAX_EDGES, TOP_ROWS = 40, 250, 10
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print(f"FAIL: {msg}", file=sys.stderr)
    return cond


def expected_view(scores, level, period):
    """Nodes and edges of a view, computed from the table (not from the page)."""
    rows = [r for r in scores if r["level"] == level and r["directed"] and r["period"] == period]
    weight = collections.Counter()
    for r in rows:
        weight[r["actor_a"]] += r["n_events"]
        weight[r["actor_b"]] += r["n_events"]
    ranked = sorted(weight.items(), key=lambda x: (-x[1], x[0]))
    keep = MAX_NODES - 1 if len(ranked) > MAX_NODES else len(ranked)
    kept = {a for a, _ in ranked[:keep]}
    nodes = keep + (1 if len(ranked) > keep else 0)
    edges = {(r["actor_a"] if r["actor_a"] in kept else None, r["actor_b"] if r["actor_b"] in kept else None) for r in rows}
    edges.discard((None, None))
    coop = sorted([r for r in rows if r["score"] > 0], key=lambda r: (-r["score"], -r["n_events"], r["actor_a"], r["actor_b"]))[:TOP_ROWS]
    conflict = sorted([r for r in rows if r["score"] < 0], key=lambda r: (r["score"], -r["n_events"], r["actor_a"], r["actor_b"]))[:TOP_ROWS]
    return nodes, min(len(edges), MAX_EDGES), coop, conflict


def open_page(browser, page_path):
    """Opens the page from its file with every request outside it refused and recorded."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors, requests = [], []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.startswith(("file:", "data:")):
            return r.continue_()
        requests.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    page.goto(pathlib.Path(page_path).resolve().as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=120_000)
    return page, errors, requests


def attr(page, sel, name):
    return page.get_attribute(sel, name)


# the edges' scale: conflict in reds and oranges, cooperation in blues, neutral in grey.
# An actor type's colour must never read as a score: its hue lies outside both families,
# and it is not a grey.
CONFLICT_HUES = (330, 45)     # degrees, wrapping through 0
COOPERATION_HUES = (185, 235)


def hue_saturation(css):
    import colorsys
    css = css.strip()
    if css.startswith("#"):
        r, g, b = (int(css[i:i + 2], 16) / 255 for i in (1, 3, 5))
    else:
        r, g, b = (int(v) / 255 for v in css[css.index("(") + 1:css.index(")")].split(",")[:3])
    h, _, s = colorsys.rgb_to_hls(r, g, b)
    return h * 360, s


def off_the_scale(css):
    h, s = hue_saturation(css)
    lo, hi = CONFLICT_HUES
    conflict = h >= lo or h < hi
    cooperation = COOPERATION_HUES[0] <= h <= COOPERATION_HUES[1]
    return s >= 0.25 and not conflict and not cooperation


def check_layout(page, periods):
    """What a large set needs: the inputs folded at the end of the run's section, the
    periods grouped by year (months within their year), actor types coloured off the
    edges' scale. `periods` are the page's periods (from its data)."""
    folded = page.evaluate(
        "() => { const t = document.getElementById('inputs'), d = t.closest('details');"
        " const rules = document.getElementById('rules-details');"
        " return [d ? d.id : null, d ? d.open : null,"
        " !!(d && (rules.compareDocumentPosition(d) & Node.DOCUMENT_POSITION_FOLLOWING)),"
        " d ? d.querySelector('summary').textContent : '', d ? d.closest('section').id : null]; }"
    )
    check(folded[:3] == ["inputs-details", False, True], f"inputs not folded after the rule outcomes: {folded}")
    check(folded[4] == "run", f"the inputs left the run's section: {folded}")
    check(re.search(r"Input files: [\d,]+ \(", folded[3] or "") is not None, f"the folded inputs' summary: {folded[3]!r}")
    check(not page.locator("#inputs").is_visible(), "the inputs' hashes are shown unfolded")

    select = page.evaluate(
        "() => Array.from(document.getElementById('period').children).map(c => c.tagName === 'OPTGROUP'"
        " ? [c.label, Array.from(c.children).map(o => o.value)] : c.value)"
    )
    check(select[:1] == ["all"], f"the first period is not all years: {select[:1]}")
    groups = select[1:]
    check(all(isinstance(g, list) for g in groups), f"periods outside a year's group: {groups}")
    labels = [g[0] for g in groups if isinstance(g, list)]
    check(labels == sorted(labels, reverse=True) and all(re.fullmatch(r"\d{4}", y) for y in labels),
          f"year groups not latest first: {labels}")
    for g in groups:
        if not isinstance(g, list):
            continue
        year, values = g
        months = [v for v in values if v != year]
        check(all(v.startswith(year + "-") for v in months), f"{year}: months of another year {months}")
        check(months == sorted(months), f"{year}: months not in calendar order {months}")
        check(values[:1] == [year] or year not in values, f"{year}: the whole year is not first {values}")
    listed = {"all"} | {v for g in groups if isinstance(g, list) for v in g[1]}
    check(listed == set(periods), f"periods listed {sorted(listed)} differ from the page's {sorted(periods)}")

    colours = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('network')).getOption().series[0]"
        ".categories.map(c => [c.name, c.itemStyle && c.itemStyle.color])"
    )
    check(len(colours) > 0, "no actor types in the network")
    for name, colour in colours:
        check(colour is not None and off_the_scale(colour), f"actor type {name} takes {colour}, a colour of the score scale")
    check(len({c for _, c in colours}) == len(colours), f"two actor types share a colour: {colours}")


def page_periods(html):
    text = pathlib.Path(html).read_text(encoding="utf-8")
    start = text.index('<script type="application/json" id="data">') + len('<script type="application/json" id="data">')
    return json.loads(text[start:text.index("</script>", start)])["periods"]


def check_raw(out, shot):
    out = pathlib.Path(out)
    run = pathlib.Path(os.path.realpath(out / "current"))
    scores = pq.read_table(run / "relationship_scores.parquet").to_pylist()
    events = pq.read_table(run / "events.parquet")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        # the shortcut <out>/overview.html opens the current set's page
        page, errors, requests = open_page(browser, out / "overview.html")
        page.wait_for_timeout(1500)
        check_layout(page, page_periods(out / "overview.html"))

        # the network, at both levels
        for level in ("top", "actor"):
            page.select_option("#level", level)
            nodes, edges, coop, conflict = expected_view(scores, level, "all")
            check(attr(page, "#network", "data-level") == level, f"level {level} not shown")
            check(attr(page, "#network", "data-nodes") == str(nodes), f"{level}: {attr(page, '#network', 'data-nodes')} nodes, expected {nodes}")
            check(attr(page, "#network", "data-edges") == str(edges), f"{level}: {attr(page, '#network', 'data-edges')} edges, expected {edges}")
            drawn = page.evaluate(
                "() => { const o = echarts.getInstanceByDom(document.getElementById('network')).getOption().series[0];"
                " return [o.data.length, o.links.length]; }"
            )
            check(drawn == [nodes, edges], f"{level}: the chart draws {drawn}, expected {[nodes, edges]}")
            check(page.locator("#network canvas").count() >= 1, "the network has no canvas")
            # both tables, with the expected dyads in order
            for sel, want in (("#top-coop", coop), ("#top-conflict", conflict)):
                got = page.eval_on_selector_all(
                    f"{sel} tbody th button", "bs => bs.map(b => [b.dataset.a, b.dataset.b])"
                )
                check(got == [[r["actor_a"], r["actor_b"]] for r in want], f"{level} {sel}: {got}")
        nodes_top, edges_top, coop_top, conflict_top = expected_view(scores, "top", "all")
        check(nodes_top > 5 and edges_top > 5 and coop_top and conflict_top, "raw/ has a network worth drawing")

        # a year
        years = sorted({r["period"] for r in scores if r["period"] != "all"})
        page.select_option("#level", "top")
        page.select_option("#period", years[-1])
        n, e, _, _ = expected_view(scores, "top", years[-1])
        check(attr(page, "#network", "data-nodes") == str(n) and attr(page, "#network", "data-edges") == str(e), f"period {years[-1]}")
        page.select_option("#period", "all")

        # the timeline: every event counted once
        check(page.locator("#timeline canvas").count() >= 1, "the timeline is not drawn")
        check(attr(page, "#timeline", "data-events") == str(events.num_rows), f"timeline counts {attr(page, '#timeline', 'data-events')} events of {events.num_rows}")
        months = pc.strftime(events["date_start"], "%Y-%m").to_pylist()
        check(int(attr(page, "#timeline", "data-months")) >= len(set(months)), "timeline months")

        # text alternatives: real tables with headers, charts described
        for sel in ("#top-coop", "#top-conflict", "#ledger", "#inputs", "#problems", "#rejects", "#rules"):
            check(page.locator(f"{sel} thead th").count() >= 3, f"{sel} is not a table with headers")
        check("actors" in (attr(page, "#network", "aria-label") or ""), "the network has no text alternative")
        check(attr(page, "#network", "role") == "img", "network role")
        check(page.locator("#ledger tbody tr").count() == 4, "the ledger has a row per raw table")

        # sorting a table by events
        page.click("#top-coop thead th:nth-child(3) button")
        ns = [int(t.replace(",", "")) for t in page.eval_on_selector_all("#top-coop tbody td:nth-child(3)", "ts => ts.map(t => t.textContent)")]
        check(ns == sorted(ns, reverse=True), f"sorted by events, descending: {ns}")
        check(page.get_attribute("#top-coop thead th:nth-child(3)", "aria-sort") == "descending", "aria-sort")

        # choosing a dyad in a table shows its evidence, span highlighted
        first = coop_top[0]
        page.click(f"#top-coop tbody th button[data-a='{first['actor_a']}'][data-b='{first['actor_b']}']")
        check(attr(page, "#evidence", "data-dyad") == f"{first['actor_a']}->{first['actor_b']}", "the evidence names the dyad chosen")
        marks = page.eval_on_selector_all("#evidence-list li mark", "ms => ms.map(m => m.textContent)")
        mine = events.filter(pc.and_(pc.equal(events["source_top_id"], first["actor_a"]), pc.equal(events["target_top_id"], first["actor_b"])))
        evidence = set(mine["evidence"].to_pylist())
        check(len(marks) == min(len(evidence) and mine.num_rows, 8), f"{len(marks)} reports shown of {mine.num_rows}")
        check(marks and all(m in evidence for m in marks), f"highlighted spans {marks} are not the dyad's evidence")
        quotes = page.eval_on_selector_all("#evidence-list blockquote", "qs => qs.map(q => q.textContent)")
        check(all(len(q) > len(m) for q, m in zip(quotes, marks)), "passages show text around the span")
        check(any(".csv:" in t for t in page.eval_on_selector_all("#evidence-list li div.meta", "ds => ds.map(d => d.textContent)")), "file:line shown")

        # clicking an edge of the canvas shows that dyad's evidence
        page.locator("#network-section").scroll_into_view_if_needed()
        page.wait_for_timeout(3000)  # let the force layout settle
        pos = page.evaluate(
            """() => { const c = echarts.getInstanceByDom(document.getElementById('network'));
            const s = c.getModel().getSeriesByIndex(0), d = s.getData(), g = s.getGraph();
            let best = null;
            g.eachEdge(e => { const a = e.node1.getLayout(), b = e.node2.getLayout();
              const n = e.getModel().option.edge[2];
              if (!best || n > best.n) best = {n: n, a: a, b: b, src: d.getName(e.node1.dataIndex), tgt: d.getName(e.node2.dataIndex)}; });
            const mid = [(best.a[0] + best.b[0]) / 2, (best.a[1] + best.b[1]) / 2];
            const px = c.convertToPixel({seriesIndex: 0}, mid);
            const r = document.getElementById('network').getBoundingClientRect();
            return {x: r.left + px[0], y: r.top + px[1], src: best.src, tgt: best.tgt}; }"""
        )
        # the edge is curved: try points near the chord's middle until one hits it
        hit = False
        for dx, dy in [(0, 0)] + [(dx, dy) for r in (3, 6, 9, 12, 16, 20) for dx, dy in ((0, r), (0, -r), (r, 0), (-r, 0), (r, r), (-r, -r), (r, -r), (-r, r))]:
            page.mouse.click(pos["x"] + dx, pos["y"] + dy)
            if attr(page, "#evidence", "data-dyad") == f"{pos['src']}->{pos['tgt']}":
                hit = True
                break
        check(hit, f"clicking the edge {pos['src']}->{pos['tgt']} did not show its evidence")
        # hovering the edge shows the dyad's score, events and Goldstein sum
        page.wait_for_timeout(400)
        tip = page.evaluate("() => Array.from(document.querySelectorAll('#network div div')).map(d => d.textContent).join(' | ')")
        check(all(w in tip for w in ("score", "events", "Goldstein sum", f"({pos['src']}) → ")), f"edge tooltip: {tip}")
        check(page.locator("#evidence-list li mark").count() >= 1, "the clicked edge's evidence has no highlighted span")

        check(page.locator("#rejects tbody tr").count() >= 1, "the rejects table")
        check(not errors, f"console errors: {errors}")
        check(not requests, f"requests outside the file: {requests}")
        page.click(f"#top-coop tbody th button[data-a='{first['actor_a']}'][data-b='{first['actor_b']}']")
        page.evaluate("() => window.scrollTo(0, 0)")
        pathlib.Path(shot).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=shot, full_page=True)
        print(f"screenshot: {shot}")
        browser.close()


PAYLOADS = [
    '<img src=x onerror="window.__pwned=1">',
    "</script><script>window.__pwned=2</script>",
    "</script><script>window.__pwned=3</script> & <!-- a title",
    '<img src=x onerror="window.__pwned=4"> XSS met SCR',
    "</script><script>window.__pwned=5</script> SCR attacked XSS",
    "\"Quoted' & <b>bold</b> {a|rich}",
]


def check_payload(out):
    out = pathlib.Path(out)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page, errors, requests = open_page(browser, out / "overview.html")
        page.wait_for_timeout(1000)
        # every dyad's evidence, and a tooltip over every node
        shown = page.text_content("body")
        for sel in ("#top-coop", "#top-conflict"):
            for b in page.locator(f"{sel} tbody th button").all():
                b.click()
                page.wait_for_timeout(100)
                text = page.text_content("#evidence")
                check("window.__pwned" in text, f"payload evidence not shown as text after {b.text_content()}")
                check(page.locator("#evidence-list mark").count() >= 1, "no evidence shown")
                shown += text
        for pl in PAYLOADS[:2] + PAYLOADS[3:5]:
            check(pl in shown, f"payload not visible as text: {pl}")
        check(PAYLOADS[2].split(" &")[0] in shown, "the title's payload is not visible as text")
        # hover every node: the tooltip holds the name as text
        page.locator("#network-section").scroll_into_view_if_needed()
        page.wait_for_timeout(2500)
        tips = []
        for _ in range(2):
            pts = page.evaluate(
                """() => { const c = echarts.getInstanceByDom(document.getElementById('network'));
                const d = c.getModel().getSeriesByIndex(0).getData(), r = document.getElementById('network').getBoundingClientRect();
                const out = []; for (let i = 0; i < d.count(); i++) { const px = c.convertToPixel({seriesIndex: 0}, d.getItemLayout(i)); out.push([r.left + px[0], r.top + px[1]]); }
                return out; }"""
            )
            for x, y in pts:
                page.mouse.move(x, y)
                page.wait_for_timeout(300)
                tips.append(page.evaluate("() => Array.from(document.querySelectorAll('#network div')).map(d => d.textContent).join(' ')"))
        tip_text = " ".join(tips)
        check(PAYLOADS[0] in tip_text, f"the tooltip does not show the payload name as text: {tip_text[:300]}")
        # the rejected row's message and hint carry a payload too
        rejects = page.text_content("#rejects tbody")
        check('no actor matches `<img src=x onerror="window.__pwned=7">`' in rejects, f"rejects table: {rejects}")
        check("events.csv:5:3" in rejects and "unknown-actor" in rejects and "did you mean" in rejects, f"rejects table: {rejects}")
        check("unknown-actor" in page.text_content("#problems tbody"), "problems by rule")
        # nothing ran, nothing was added
        check(page.evaluate("() => typeof window.__pwned") == "undefined", "a payload ran")
        check(page.locator("img").count() == 0, "an <img> element was added")
        check(page.locator("b").count() == 0, "a <b> element was added")
        check(page.locator("script").count() == 3, f"{page.locator('script').count()} script elements")
        check(not errors, f"console errors: {errors}")
        check(not requests, f"requests outside the file: {requests}")
        browser.close()


def check_scale(target, bound, shot=None):
    target = pathlib.Path(target)
    html = target / "overview.html" if target.is_dir() else target
    size = html.stat().st_size
    print(f"{html}: {size} bytes (bound {bound})")
    check(size <= int(bound), f"{size} bytes exceed the bound of {bound}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        t0 = time.monotonic()
        page, errors, requests = open_page(browser, html)
        print(f"rendered in {time.monotonic() - t0:.1f} s: {attr(page, '#network', 'data-nodes')} nodes, {attr(page, '#network', 'data-edges')} edges, {attr(page, '#timeline', 'data-events')} events on the timeline")
        check(int(attr(page, "#network", "data-nodes")) <= MAX_NODES, "too many nodes")
        check_layout(page, page_periods(html))
        scores = html.resolve().parent / "relationship_scores.parquet"
        for level in ("top", "actor") if scores.exists() else ():
            rows = pq.read_table(scores, columns=["level", "directed", "period", "actor_a", "actor_b", "n_events", "score"],
                                 filters=[("level", "=", level), ("directed", "=", True), ("period", "=", "all")]).to_pylist()
            nodes, edges, coop, conflict = expected_view(rows, level, "all")
            page.select_option("#level", level)
            got = (attr(page, "#network", "data-nodes"), attr(page, "#network", "data-edges"))
            check(got == (str(nodes), str(edges)), f"{level}: {got} nodes and edges, expected {nodes}, {edges}")
            for sel, want in (("#top-coop", coop), ("#top-conflict", conflict)):
                got = page.eval_on_selector_all(f"{sel} tbody th button", "bs => bs.map(b => [b.dataset.a, b.dataset.b])")
                check(got == [[r["actor_a"], r["actor_b"]] for r in want], f"{level} {sel}: {got}")
            print(f"{level}: {nodes} nodes, {edges} edges, as computed from {len(rows)} rows of {scores.name}")
        page.select_option("#level", "actor")
        page.locator("#top-conflict tbody th button").first.click()
        check(page.locator("#evidence-list li mark").count() >= 1, "no evidence for the top conflictual dyad")
        page.wait_for_timeout(2000)
        check(not errors, f"console errors: {errors}")
        check(not requests, f"requests outside the file: {requests}")
        if shot:
            page.screenshot(path=shot, full_page=False)
        browser.close()


def shot(out, png):
    """The README's picture: the network and the top dyads of a set, one dyad's evidence chosen."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page, errors, _ = open_page(browser, pathlib.Path(out) / "overview.html")
        page.locator("#top-conflict tbody th button").first.click()
        page.evaluate("() => window.scrollTo(0, 0)")
        page.mouse.move(5, 5)
        page.wait_for_timeout(4000)
        top = page.locator("#network-section").bounding_box()["y"]
        bottom = page.locator("#evidence-list").bounding_box()
        page.screenshot(path=png, full_page=True, clip={"x": 0, "y": top - 8, "width": 1400, "height": bottom["y"] + min(bottom["height"], 420) - top})
        check(not errors, f"console errors: {errors}")
        browser.close()


if __name__ == "__main__":
    mode = sys.argv[1]
    {"raw": check_raw, "payload": check_payload, "scale": check_scale, "shot": shot}[mode](*sys.argv[2:])
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print(f"overview {mode}: all checks passed")
