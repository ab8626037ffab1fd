#!/usr/bin/env python3
"""Drive a report's HTML file in Debian's chromium (headless, through Playwright) and check what a reader does.

    .venv/bin/python scripts/browser_check.py REPORT.html SCREENSHOT_DIR [--chromium /usr/bin/chromium]

Checks, each an assertion with a message: the page opens from file:// with no request outside the file and no
console error; hovering a result target shows the tooltip (role="tooltip") with its id; clicking it highlights
every target of that id on the comparison's pages (more than one: the views and the result strip); a result of an
HNSW search draws its route from the entry point across levels, with its picture in the tooltip; a vector of an IVF
search marks its list's cell; an id typed in the find box is marked on every page; the words of the pages can be
found; the replay
slider moves through layer-0 steps (nodes marked as scored, the popped one marked, the step shown); → moves to the
next page in the table of contents; the dark switch flips the theme. Screenshots of these states go to
SCREENSHOT_DIR. Prints one JSON line of what it saw; exits non-zero on the first failed check.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from playwright.sync_api import sync_playwright


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("html")
    parser.add_argument("shots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    os.makedirs(args.shots, exist_ok=True)
    url = "file://" + os.path.abspath(args.html)
    seen = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        requests, errors = [], []
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        page.wait_for_load_state("load")
        outside = [r for r in requests if r != url]
        assert not outside, f"requests outside the file: {outside[:5]}"
        assert not errors, f"console errors: {errors[:5]}"
        page.screenshot(path=os.path.join(args.shots, "1-opened.png"))

        # Hover a ranked result target: the tooltip names it.
        target = page.locator('.hit[data-rank="1"]').first
        target.scroll_into_view_if_needed()
        identifier = target.get_attribute("data-id")
        target.hover(force=True)
        tip = page.locator('[role="tooltip"]')
        assert tip.is_visible(), "the tooltip is not shown on hover"
        assert identifier in tip.inner_text(), f"the tooltip does not name {identifier}: {tip.inner_text()!r}"
        seen["tooltip"] = tip.inner_text().replace("\n", " | ")
        page.screenshot(path=os.path.join(args.shots, "2-tooltip.png"))

        # Click it: the same id is highlighted on the comparison's pages, and nothing else is.
        target.click(force=True)
        highlighted = page.locator(".hit.on")
        count = highlighted.count()
        assert count >= 2, f"clicking {identifier} highlighted {count} targets"
        ids = set(highlighted.evaluate_all("nodes => nodes.map(n => n.getAttribute('data-id'))"))
        assert ids == {identifier}, f"highlighted other ids: {ids}"
        pages = set(highlighted.evaluate_all("nodes => nodes.map(n => n.closest('.page').id)"))
        seen["highlighted"] = {"id": identifier, "targets": count, "pages": sorted(pages)}
        page.screenshot(path=os.path.join(args.shots, "3-highlighted.png"))

        # A result of an HNSW search: clicking it draws its route from the entry point (through the nodes it was
        # scored from, level by level) and marks the nodes on it.
        node = page.locator('.hit[data-step][data-rank="1"]').first
        node.scroll_into_view_if_needed()
        node.click(force=True)
        routes = page.locator(".route").count()
        on_route = page.locator(".hit.path").count()
        assert routes >= 1 and on_route >= 3, f"route: {routes} lines through {on_route} nodes"
        levels = set(page.locator(".hit.path").evaluate_all("nodes => nodes.map(n => n.getAttribute('data-level'))"))
        assert len(levels) >= 2, f"the route stays on levels {levels}"
        seen["route"] = {"id": node.get_attribute("data-id"), "lines": routes, "nodes": on_route, "levels": sorted(levels)}
        node.hover(force=True)
        assert page.locator("#tip img").count() == 1, "the tooltip shows no picture"
        node.locator("xpath=ancestor::section").screenshot(path=os.path.join(args.shots, "6-route.png"))
        node.click(force=True)
        assert page.locator(".route").count() == 0, "a second click does not clear the route"

        # A vector of an IVF search: its list's cell is marked with it.
        vector = page.locator('.hit[data-related][data-rank="1"]').first
        vector.scroll_into_view_if_needed()
        vector.click(force=True)
        lists = set(page.locator(".hit.rel").evaluate_all("nodes => nodes.map(n => n.getAttribute('data-id'))"))
        # The lists its targets name (each side of a comparison of two indexes names its own).
        wanted = set(sum(page.locator(".hit.on[data-related]").evaluate_all(
            "nodes => nodes.map(n => n.getAttribute('data-related').split('|'))"), []))
        assert lists and lists == wanted, f"clicking {vector.get_attribute('data-id')} marked lists {lists}, not {wanted}"
        seen["list"] = sorted(lists)
        # And a list's cell marks the vectors scanned in it.
        cell = page.locator(f'polygon.hit[data-id="{sorted(wanted)[0]}"]').first
        cell.click(force=True)
        members = set(page.locator(".hit.rel").evaluate_all("nodes => nodes.map(n => n.getAttribute('data-related'))"))
        assert members and members == {sorted(wanted)[0]}, f"clicking {sorted(wanted)[0]} marked vectors of {members}"
        cell.click(force=True)
        vector.locator("xpath=ancestor::section").screenshot(path=os.path.join(args.shots, "7-list.png"))
        vector.click(force=True)

        # The replay slider: step 2 of the first HNSW search.
        slider = page.locator(".replay input").first
        slider.scroll_into_view_if_needed()
        slider.fill("2")
        view = slider.get_attribute("data-view")
        scope = slider.locator("xpath=ancestor::section").locator(f'.hit[data-step][data-view="{view}"]')
        marked = scope.evaluate_all(
            "nodes => ({seen: nodes.filter(n => n.classList.contains('seen')).length,"
            " later: nodes.filter(n => n.classList.contains('later')).length,"
            " current: nodes.filter(n => n.classList.contains('current')).length})")
        shown = slider.locator("xpath=ancestor::label").locator("output").inner_text()
        assert shown == "2", f"the slider shows step {shown}"
        # → on the focused slider moves it a step, not to the next page.
        slider.focus()
        slider.press("ArrowRight")
        shown = slider.locator("xpath=ancestor::label").locator("output").inner_text()
        assert shown == "3", f"→ on the slider shows step {shown}"
        slider.fill("2")
        assert marked["seen"] > 0 and marked["later"] > 0 and marked["current"] == 1, f"replay at step 2: {marked}"
        note = slider.locator("xpath=ancestor::div[@class='replay']").locator(".step-note").inner_text()
        current = scope.evaluate_all("nodes => nodes.filter(n => n.classList.contains('current')).map(n => n.getAttribute('data-id'))")
        assert note.startswith(f"Step 2: popped {current[0]} (distance "), f"the step says {note!r}"
        seen["step"] = note
        seen["replay"] = marked
        slider.locator("xpath=ancestor::section").screenshot(path=os.path.join(args.shots, "4-replay.png"))

        # Keyboard on targets: one tab stop per page; → moves to the next target (its tooltip shown), and the page
        # stays where it is.
        first = page.locator('.hit[tabindex="0"]').first.element_handle()
        first.focus()
        here = first.evaluate("n => n.closest('section').id")
        page.keyboard.press("ArrowRight")
        focused = page.evaluate("document.activeElement.getAttribute('data-id') + '|' + document.activeElement.getAttribute('tabindex')")
        following = first.evaluate("n => { const all = [...n.ownerSVGElement.querySelectorAll('.hit')]; return all[all.indexOf(n) + 1].getAttribute('data-id'); }")
        assert focused == f"{following}|0", f"→ on a target focused {focused}, not {following}"
        assert page.locator("#tip").inner_text().startswith(following), "the focused target's tooltip is not shown"
        # (Turning the page would focus the next page's section; the contents' marker follows scrolling, so it is
        # not what is checked.)
        there = page.evaluate("document.activeElement.closest('section').id")
        assert there == here, f"→ on a target went from {here} to {there}"

        # Keyboard: → goes to the next page in the contents.
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.keyboard.press("Home")
        before = page.locator('nav a[aria-current="true"]').get_attribute("href")
        page.keyboard.press("ArrowRight")
        after = page.locator('nav a[aria-current="true"]').get_attribute("href")
        assert (before, after) == ("#page-1", "#page-2"), f"→ moved from {before} to {after}"

        # Find an id from the contents: every target of it is marked, on every page, and its first page shown.
        page.locator("#seek-id").fill(identifier.removeprefix("id "))
        page.locator("#seek-id").press("Enter")
        found = page.locator(".hit.on")
        marked = set(found.evaluate_all("nodes => nodes.map(n => n.getAttribute('data-id'))"))
        everywhere = page.locator(f'.hit[data-id="{identifier}"]').count()
        assert marked == {identifier} and found.count() == everywhere, f"find {identifier}: {found.count()} of {everywhere} marked"
        note = page.locator("#seek-note").inner_text()
        assert note.startswith(f"{identifier}: {everywhere} targets"), f"find said {note!r}"
        seen["find"] = note
        page.screenshot(path=os.path.join(args.shots, "8-find.png"))
        page.locator("#seek-id").fill("no such id")
        page.locator("#seek-id").press("Enter")
        assert page.locator(".hit.on").count() == 0 and "No target" in page.locator("#seek-note").inner_text()
        # Keys typed there are not page moves (the focus stays in the box; turning the page would focus a page).
        page.locator("#seek-id").press("j")
        assert page.evaluate("document.activeElement.id") == "seek-id", "typing j moved the page"
        assert page.locator("#seek-id").input_value() == "no such idj"

        # The words can be found and selected (the drawing is glyph outlines; the text layer over it is text).
        assert page.evaluate("window.find('nprobe')"), "find does not reach the words of the pages"
        selected = page.evaluate("window.getSelection().toString()")
        assert selected == "nprobe", f"find selected {selected!r}"
        page.evaluate("window.getSelection().removeAllRanges()")

        # The theme switch.
        page.locator("#theme").click()
        assert page.evaluate("document.body.classList.contains('dark')"), "the dark switch did nothing"
        page.screenshot(path=os.path.join(args.shots, "5-dark.png"))
        assert not errors, f"console errors: {errors[:5]}"
        browser.close()
    print(json.dumps(seen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
