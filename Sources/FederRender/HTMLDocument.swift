import CCairo
import FederLayout
import Foundation

/// One self-contained HTML file of every page: each page is the SVG cairo draws for it (glyphs and pictures embedded,
/// so no font, image or script is fetched from anywhere), inline, with a table of contents, keyboard navigation
/// (→ / ← or j / k between pages, Home / End), a light / dark switch and print styles. The same scenes give the same
/// bytes.
enum HTMLDocument {
    /// The page's SVG, as cairo writes it, with every id (and every reference to one) prefixed by `prefix`, so the
    /// pages' glyph and clip definitions do not collide in one document.
    static func svg(_ scene: Scene, prefix: String) throws -> (markup: String, warnings: [String]) {
        let sink = CairoDataSink()
        guard
            let surface = cairo_svg_surface_create_for_stream(CairoDataSink.write, sink.closure, scene.size.width, scene.size.height)
        else {
            throw RenderError.cairo(status: "no surface", path: "HTML page")
        }
        cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PT)
        guard let context = cairo_create(surface) else {
            cairo_surface_destroy(surface)
            throw RenderError.cairo(status: "no context", path: "HTML page")
        }
        let canvas = CairoCanvas(context: context, pixelsPerPoint: 2)
        canvas.draw(scene)
        cairo_show_page(context)
        cairo_destroy(context)
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        cairo_surface_destroy(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw RenderError.cairo(status: String(cString: cairo_status_to_string(status)), path: "HTML page")
        }
        var markup = String(decoding: sink.data, as: UTF8.self)
        // Inline SVG needs no XML declaration.
        if markup.hasPrefix("<?xml"), let end = markup.range(of: "?>") { markup = String(markup[end.upperBound...]) }
        return (prefixed(markup, with: prefix), canvas.warnings)
    }

    /// `id="x"` → `id="p-x"`, and `#x` in `href` and `url(…)` the same way.
    static func prefixed(_ markup: String, with prefix: String) -> String {
        let rules = [
            (##"id="([^"]+)""##, "id=\"\(prefix)$1\""),
            (##"href="#([^"]+)""##, "href=\"#\(prefix)$1\""),
            (##"url\(#([^)]+)\)"##, "url(#\(prefix)$1)"),
        ]
        var text = markup
        for (pattern, template) in rules {
            guard let expression = try? NSRegularExpression(pattern: pattern) else { continue }
            text = expression.stringByReplacingMatches(
                in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
        }
        return text
    }

    /// Every target of the scene (through groups), in drawing order.
    static func hits(_ marks: [Mark]) -> [HitMark] {
        marks.flatMap { mark -> [HitMark] in
            switch mark {
            case .hit(let hit): return [hit]
            case .group(let inner, _): return hits(inner)
            default: return []
            }
        }
    }

    /// The targets over a page, in the page's own coordinates: one focusable shape each, with `data-id`, one
    /// `data-` attribute per field and an accessible name.
    static func overlay(_ scene: Scene, images: [String: Int] = [:]) -> (targets: String, controls: String) {
        let targets = hits(scene.marks)
        guard !targets.isEmpty else { return ("", "") }
        func number(_ value: Double) -> String { String(format: "%.2f", value) }
        var lines = [
            "<svg class=\"hits\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(number(scene.size.width)) \(number(scene.size.height))\" aria-hidden=\"false\">"
        ]
        for (position, target) in targets.enumerated() {
            let fields = target.fields.map { field -> String in
                let name = field.name.lowercased().replacingOccurrences(of: " ", with: "-").filter {
                    $0.isLetter || $0.isNumber || $0 == "-"
                }
                return " data-\(name)=\"\(escape(field.value))\""
            }.joined()
            let label = ([target.id] + target.fields.map { "\($0.name) \($0.value)" }).joined(separator: ", ")
            var links = target.view.map { " data-view=\"\(escape($0))\"" } ?? ""
            if let from = target.from { links += " data-from=\"\(escape(from))\"" }
            if !target.related.isEmpty { links += " data-related=\"\(escape(target.related.joined(separator: "|")))\"" }
            if let image = target.image, let index = images[image] { links += " data-image=\"\(index)\"" }
            // One tab stop per page's targets (the first); arrow keys move between them (a roving tab index).
            let common =
                "class=\"hit\" tabindex=\"\(position == 0 ? 0 : -1)\" data-id=\"\(escape(target.id))\"\(fields)\(links) aria-label=\"\(escape(label))\""
            if let polygon = target.polygon {
                let points = polygon.map { "\(number($0.x)),\(number($0.y))" }.joined(separator: " ")
                lines.append("<polygon \(common) points=\"\(points)\"/>")
            } else if let rect = target.rect {
                lines.append(
                    "<rect \(common) x=\"\(number(rect.x))\" y=\"\(number(rect.y))\" width=\"\(number(rect.width))\" height=\"\(number(rect.height))\" rx=\"3\"/>"
                )
            } else {
                lines.append(
                    "<circle \(common) cx=\"\(number(target.center.x))\" cy=\"\(number(target.center.y))\" r=\"\(number(target.radius))\"/>"
                )
            }
        }
        lines.append("</svg>")
        var controls: [String] = []
        // A replay slider under the page for each HNSW search on it (its layer-0 targets carry their steps).
        var views: [String: Int] = [:]
        var order: [String] = []
        for target in targets {
            let steps = target.fields.filter { $0.name == "step" || $0.name == "popped" }.compactMap { Int($0.value) }
            guard let view = target.view, !steps.isEmpty else { continue }
            if views[view] == nil { order.append(view) }
            views[view] = max(views[view] ?? 0, steps.max() ?? 0)
        }
        for (position, view) in order.enumerated() {
            let last = views[view] ?? 0
            let side = order.count > 1 ? (position == 0 ? " (left)" : " (right)") : ""
            controls.append(
                "<div class=\"replay\"><label>HNSW layer-0 replay\(side): step <output>\(last)</output> of \(last) "
                    + "<input type=\"range\" min=\"0\" max=\"\(last)\" value=\"\(last)\" data-view=\"\(escape(view))\"></label>"
                    + "<p class=\"step-note\" aria-live=\"polite\">Drag to replay: each step pops the best candidate and scores its "
                    + "neighbours (blue: admitted to the candidates, grey: scored and rejected).</p></div>")
        }
        return (lines.joined(separator: "\n"), controls.joined(separator: "\n"))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;"
        ).replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The pictures the targets show in their tooltips: each file once (in first-use order, at most `limit`), as a
    /// data URI of its thumbnail (longer side ≤ 96 pixels; PNG or JPEG, whichever is smaller); a file that cannot
    /// be read is left out.
    static func mediaTable(_ scenes: [Scene], limit: Int = 4000) -> (index: [String: Int], uris: [String]) {
        var index: [String: Int] = [:]
        var uris: [String] = []
        var failed: Set<String> = []
        for scene in scenes {
            for target in hits(scene.marks) {
                guard let path = target.image, index[path] == nil, !failed.contains(path), uris.count < limit else { continue }
                guard let thumbnail = try? Thumbnail.load(path: path, maxPixels: 96), let png = thumbnail.pngData() else {
                    failed.insert(path)
                    continue
                }
                index[path] = uris.count
                // The smaller of PNG (drawings, few colours) and JPEG (photos).
                if let jpeg = thumbnail.encodedJPEG(), jpeg.count < png.count {
                    uris.append("data:image/jpeg;base64," + jpeg.base64EncodedString())
                } else {
                    uris.append("data:image/png;base64," + png.base64EncodedString())
                }
            }
        }
        return (index, uris)
    }

    /// Glyph outlines shared by every page: cairo writes each page's glyphs as its own `<symbol>`s, the same outlines
    /// page after page. Each distinct outline is kept once (`g0`, `g1`, … in first-use order) in `shared`, and the
    /// pages' references to theirs are pointed at it.
    struct GlyphSharing {
        var shared: [String] = []
        private var byBody: [String: String] = [:]

        /// `markup` with its glyph symbols taken out and its `href`s to them replaced by the shared ids.
        mutating func share(_ markup: String) -> String {
            var kept = ""
            kept.reserveCapacity(markup.utf8.count)
            var renamed: [String: String] = [:]
            var rest = markup[...]
            while let open = rest.range(of: "<symbol") {
                guard let close = rest.range(of: "</symbol>", range: open.upperBound..<rest.endIndex),
                    let tagEnd = rest.range(of: ">", range: open.upperBound..<close.lowerBound),
                    let idStart = rest.range(of: "id=\"", range: open.upperBound..<tagEnd.lowerBound),
                    let idEnd = rest.range(of: "\"", range: idStart.upperBound..<tagEnd.lowerBound)
                else { break }
                kept += rest[..<open.lowerBound]
                let id = String(rest[idStart.upperBound..<idEnd.lowerBound])
                let body = String(rest[tagEnd.upperBound..<close.lowerBound])
                let attributes = String(rest[open.upperBound..<idStart.lowerBound]) + String(rest[idEnd.upperBound..<tagEnd.lowerBound])
                let key = attributes + "\u{0}" + body
                if let existing = byBody[key] {
                    renamed[id] = existing
                } else {
                    let name = "g\(shared.count)"
                    byBody[key] = name
                    renamed[id] = name
                    shared.append("<symbol id=\"\(name)\"\(attributes)>\(body)</symbol>")
                }
                rest = rest[close.upperBound...]
            }
            kept += rest
            guard !renamed.isEmpty else { return kept }
            // Point the uses at the shared symbols.
            var result = ""
            result.reserveCapacity(kept.utf8.count)
            var tail = kept[...]
            let marker = "href=\"#"
            while let found = tail.range(of: marker) {
                result += tail[..<found.upperBound]
                tail = tail[found.upperBound...]
                guard let quote = tail.firstIndex(of: "\"") else { break }
                let id = String(tail[..<quote])
                result += renamed[id] ?? id
                tail = tail[quote...]
            }
            result += tail
            return result
        }

        /// A hidden SVG holding the shared symbols.
        var definitions: String {
            guard !shared.isEmpty else { return "" }
            return "<svg class=\"glyphs\" xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
                + "width=\"0\" height=\"0\" aria-hidden=\"true\"><defs>\n" + shared.joined(separator: "\n") + "\n</defs></svg>\n"
        }
    }

    /// The whole document.
    static func render(_ scenes: [Scene], title: String) throws -> (data: Data, warnings: [String]) {
        var warnings: [String] = []
        var pages = ""
        var contents = ""
        var section = "feder-report"
        var group = 0
        var lastGroup: String?
        let media = mediaTable(scenes)
        var glyphs = GlyphSharing()
        let words = HTMLTextLayer()
        for (index, scene) in scenes.enumerated() {
            // Pages of one titled section (a comparison and its continuation pages) highlight together.
            if let named = scene.group {
                if named != lastGroup { group += 1 }
            } else if !scene.title.isEmpty {
                group += 1
            }
            lastGroup = scene.group
            let number = index + 1
            // A page without a title of its own continues the one before it.
            let name = scene.title.isEmpty ? "\(section) (continued)" : scene.title
            if !scene.title.isEmpty { section = scene.title }
            let (drawnMarkup, drawn) = try svg(scene, prefix: "p\(number)-")
            let markup = glyphs.share(drawnMarkup)
            let layer = overlay(scene, images: media.index)
            warnings += drawn.filter { !warnings.contains($0) }
            contents += "<li><a href=\"#page-\(number)\"><span class=\"n\">\(number)</span> \(escape(name))</a></li>\n"
            pages +=
                "<section class=\"page\" id=\"page-\(number)\" data-group=\"\(group)\" tabindex=\"-1\" aria-label=\"Page \(number): \(escape(name))\">\n"
                + "<div class=\"sheet\">\n" + markup + "\n" + words.svg(scene) + "\n" + layer.targets + "\n</div>\n" + layer.controls
                + "\n</section>\n"
        }
        let heading = escape(title.isEmpty ? "feder-report" : title)
        // Printed, each page on a sheet of its own size (the first page's: a report's pages share one).
        let pageRule =
            scenes.first.map { scene in
                String(format: "@page { size: %.0fpt %.0fpt; margin: 0; }", scene.size.width, scene.size.height)
            } ?? ""
        // The tooltips' pictures: a JSON array of data URIs (no "<" can occur in one).
        let mediaScript =
            media.uris.isEmpty
            ? ""
            : "<script type=\"application/json\" id=\"media\">[" + media.uris.map { "\"\($0)\"" }.joined(separator: ",\n") + "]</script>"
        let html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="feder-report">
            <title>\(heading)</title>
            <style>
            \(style)
            \(pageRule)
            </style>
            </head>
            <body>
            <nav id="contents" aria-label="Pages">
            <p class="report-title">\(heading)</p>
            <button id="theme" type="button" aria-pressed="false">Dark</button>
            <form id="seek" role="search"><label>Find an id <input id="seek-id" type="search" placeholder="42 or list 7" autocomplete="off"></label></form>
            <p id="seek-note" aria-live="polite"></p>
            <ul>
            \(contents)</ul>
            <p class="keys">→ / ← or j / k: next / previous page</p>
            </nav>
            <main>
            \(glyphs.definitions)\(pages)</main>
            <div id="tip" role="tooltip" hidden></div>
            \(mediaScript)
            <script>
            \(script)
            </script>
            </body>
            </html>

            """
        return (Data(html.utf8), warnings)
    }

    static let style = """
        :root { color-scheme: light; --ground: #eceef1; --panel: #ffffff; --text: #1b1f24; --muted: #5b6470; }
        body.dark { color-scheme: dark; --ground: #15181c; --panel: #1e2227; --text: #e6e8eb; --muted: #a2a9b3; }
        body { margin: 0; background: var(--ground); color: var(--text); font: 14px/1.4 system-ui, sans-serif; display: flex; }
        nav { position: sticky; top: 0; height: 100vh; overflow: auto; width: 17rem; flex: none; padding: 1rem; box-sizing: border-box; }
        nav ul { list-style: none; padding: 0; margin: 0.8rem 0; }
        nav li { margin: 0.25rem 0; }
        nav .n { display: inline-block; min-width: 1.6rem; color: var(--muted); font-variant-numeric: tabular-nums; }
        nav a { color: var(--text); text-decoration: none; }
        nav a:hover, nav a:focus, nav a[aria-current="true"] { text-decoration: underline; }
        nav a[aria-current="true"] { font-weight: 600; }
        .report-title { font-weight: 700; margin: 0 0 0.6rem; }
        .keys { color: var(--muted); font-size: 12px; }
        #seek { margin-top: 0.7rem; }
        #seek input { width: 8rem; margin-left: 0.3rem; font: inherit; padding: 0.1rem 0.3rem; background: var(--panel); color: var(--text); border: 1px solid var(--muted); border-radius: 4px; }
        #seek-note { color: var(--muted); font-size: 12px; min-height: 1em; margin: 0.3rem 0; }
        button { font: inherit; padding: 0.2rem 0.7rem; border-radius: 4px; border: 1px solid var(--muted); background: var(--panel); color: var(--text); }
        main { flex: 1; padding: 1rem; min-width: 0; }
        .page { background: #ffffff; margin: 0 auto 1.2rem; max-width: 1200px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.25); outline: none; }
        .page:focus-visible { box-shadow: 0 0 0 3px #0072b2; }
        .sheet { position: relative; }
        .page svg { display: block; width: 100%; height: auto; }
        svg.glyphs { position: absolute; width: 0; height: 0; overflow: hidden; }
        .page svg.hits, .page svg.words { position: absolute; left: 0; top: 0; width: 100%; height: 100%; }
        .page svg.hits { pointer-events: none; }
        svg.words text { fill: transparent; white-space: pre; font-family: 'DejaVu Sans', sans-serif; }
        svg.words text::selection { fill: transparent; background: rgba(0, 114, 178, 0.3); }
        .hit { fill: transparent; stroke: none; cursor: pointer; pointer-events: all; }
        .hit:hover, .hit:focus { stroke: #1b1f24; stroke-width: 1; outline: none; }
        .hit.on { fill: rgba(213, 94, 0, 0.18); stroke: #d55e00; stroke-width: 2.5; }
        circle.hit.on { r: 5px; }
        .hit.rel { fill: rgba(213, 94, 0, 0.1); stroke: #d55e00; stroke-width: 2.5; stroke-dasharray: 4 2; }
        .hit.path { stroke: #d55e00; stroke-width: 1.5; }
        .route { fill: none; stroke: #d55e00; stroke-width: 2; stroke-linejoin: round; opacity: 0.85; pointer-events: none; }
        #tip { position: fixed; z-index: 10; max-width: 22rem; padding: 0.35rem 0.55rem; border-radius: 4px; pointer-events: none;
          background: var(--panel); color: var(--text); border: 1px solid var(--muted); box-shadow: 0 2px 6px rgba(0, 0, 0, 0.25); font-size: 12px; }
        #tip b { display: block; }
        #tip img { display: block; margin-top: 0.3rem; max-width: 96px; max-height: 96px; }
        .replay { padding: 0.3rem 1rem 0.6rem; color: #1b1f24; font-size: 13px; }
        .replay input { width: 18rem; vertical-align: middle; }
        .hit.seen { fill: rgba(0, 114, 178, 0.22); stroke: #0072b2; stroke-width: 1; }
        .hit.current { fill: rgba(213, 94, 0, 0.45); stroke: #d55e00; stroke-width: 2.5; }
        .hit.later { fill: rgba(255, 255, 255, 0.85); }
        .hit.seen[data-outcome="rejected"] { fill: rgba(120, 120, 120, 0.28); stroke: #777777; }
        .step-note { margin: 0.2rem 0 0; color: #4a525c; font-size: 12px; }
        body.dark .page svg { filter: invert(0.9) hue-rotate(180deg); }
        body.dark .page svg.hits { filter: none; }
        body.dark .page { background: #1f2327; }
        body.dark .replay { color: var(--text); }
        body.dark .step-note { color: var(--muted); }
        body.dark .page svg image { filter: invert(1) hue-rotate(180deg); }
        @media print {
          nav { display: none; }
          body { display: block; background: #ffffff; }
          main { padding: 0; }
          .page { box-shadow: none; margin: 0; max-width: none; break-after: page; }
          .replay, #tip { display: none; }
          body.dark .page svg, body.dark .page svg image { filter: none; }
        }
        """

    static let script = """
        (function () {
          "use strict";
          var pages = Array.prototype.slice.call(document.querySelectorAll(".page"));
          var links = Array.prototype.slice.call(document.querySelectorAll("nav a"));
          var current = 0;
          function mark(index) {
            current = index;
            links.forEach(function (link, i) { link.setAttribute("aria-current", i === index ? "true" : "false"); });
          }
          function go(index) {
            if (index < 0 || index >= pages.length) { return; }
            mark(index);
            pages[index].scrollIntoView({ block: "start" });
            pages[index].focus({ preventScroll: true });
          }
          document.addEventListener("keydown", function (event) {
            if (event.altKey || event.ctrlKey || event.metaKey) { return; }
            // Keys typed into the find box or moving a replay slider are theirs.
            if (event.target.closest && event.target.closest("input, textarea, select, .hit")) { return; }
            var key = event.key;
            if (key === "ArrowRight" || key === "j" || key === "PageDown") { go(current + 1); }
            else if (key === "ArrowLeft" || key === "k" || key === "PageUp") { go(current - 1); }
            else if (key === "Home") { go(0); }
            else if (key === "End") { go(pages.length - 1); }
            else { return; }
            event.preventDefault();
          });
          window.addEventListener("scroll", function () {
            var best = 0;
            pages.forEach(function (page, i) { if (page.getBoundingClientRect().top <= window.innerHeight / 3) { best = i; } });
            mark(best);
          }, { passive: true });
          links.forEach(function (link, i) { link.addEventListener("click", function () { mark(i); }); });
          var toggle = document.getElementById("theme");
          toggle.addEventListener("click", function () {
            var dark = document.body.classList.toggle("dark");
            toggle.setAttribute("aria-pressed", dark ? "true" : "false");
            toggle.textContent = dark ? "Light" : "Dark";
          });
          // Targets: a tooltip on hover or focus; a click (or Enter) marks every target of the same id on the pages of
          // the same comparison (both sides, every view, the result strips).
          var tip = document.getElementById("tip");
          var media = [];
          var table = document.getElementById("media");
          if (table) { media = JSON.parse(table.textContent); }
          var quiet = { "data-id": 1, "data-view": 1, "data-related": 1, "data-image": 1 };
          var names = { "data-step": "scored at step", "data-popped": "popped at step", "data-from": "scored from" };
          function show(target, x, y) {
            tip.textContent = "";
            var head = document.createElement("b");
            head.textContent = target.getAttribute("data-id");
            tip.appendChild(head);
            Array.prototype.forEach.call(target.attributes, function (attribute) {
              if (attribute.name.indexOf("data-") !== 0 || quiet[attribute.name]) { return; }
              var line = document.createElement("div");
              line.textContent = (names[attribute.name] || attribute.name.slice(5).replace(/-/g, " ")) + ": " + attribute.value;
              tip.appendChild(line);
            });
            var picture = media[Number(target.getAttribute("data-image"))];
            if (target.hasAttribute("data-image") && picture) {
              var image = document.createElement("img");
              image.src = picture;
              image.alt = target.getAttribute("data-id");
              tip.appendChild(image);
            }
            tip.hidden = false;
            tip.style.left = Math.min(x + 12, window.innerWidth - tip.offsetWidth - 8) + "px";
            tip.style.top = Math.min(y + 12, window.innerHeight - tip.offsetHeight - 8) + "px";
          }
          function hide() { tip.hidden = true; }
          function quote(value) { return '"' + CSS.escape(value) + '"'; }
          function centre(hit) {
            var n = function (name) { return Number(hit.getAttribute(name)); };
            if (hit.tagName === "circle") { return [n("cx"), n("cy")]; }
            if (hit.tagName === "rect") { return [n("x") + n("width") / 2, n("y") + n("height") / 2]; }
            var box = hit.getBBox();
            return [box.x + box.width / 2, box.y + box.height / 2];
          }
          // A node's route from the entry point: the node it was scored from on its level, and where a level was
          // entered, the same node a level up; drawn as a line through the view's targets.
          function route(start) {
            var svg = start.ownerSVGElement;
            var scope = ".hit[data-view=" + quote(start.getAttribute("data-view")) + "]";
            var points = [];
            var walked = new Set();
            var node = start;
            while (node && !walked.has(node)) {
              walked.add(node);
              node.classList.add("path");
              points.push(centre(node).join(","));
              var level = Number(node.getAttribute("data-level"));
              var from = node.getAttribute("data-from");
              node = from !== null
                ? svg.querySelector(scope + "[data-level=" + quote(String(level)) + "][data-id=" + quote(from) + "]")
                : svg.querySelector(scope + "[data-level=" + quote(String(level + 1)) + "][data-id=" + quote(node.getAttribute("data-id")) + "]");
            }
            if (points.length < 2) { return; }
            var line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
            line.setAttribute("class", "route");
            line.setAttribute("points", points.join(" "));
            svg.insertBefore(line, svg.firstChild);
          }
          // A click marks every target of the id on the pages of the comparison (both sides, every view), the lists
          // it belongs to, and on a graph its route from the entry point; a second click clears.
          function clear() {
            Array.prototype.forEach.call(document.querySelectorAll(".hit.on, .hit.rel, .hit.path"), function (hit) {
              hit.classList.remove("on", "rel", "path");
            });
            Array.prototype.forEach.call(document.querySelectorAll(".route"), function (line) { line.remove(); });
          }
          // Marks every target of `id` among `scope`, the lists they were found in, and on each graph view the
          // route of its lowest-level node. Returns the targets of the id.
          function markId(id, scope) {
            var same = scope.filter(function (hit) { return hit.getAttribute("data-id") === id; });
            var related = new Set();
            var lowest = new Map();
            same.forEach(function (hit) {
              hit.classList.add("on");
              (hit.getAttribute("data-related") || "").split("|").forEach(function (name) { if (name) { related.add(name); } });
              var view = hit.getAttribute("data-view");
              if (view === null || !hit.hasAttribute("data-level")) { return; }
              var key = hit.closest(".page").id + "|" + view;
              var level = Number(hit.getAttribute("data-level"));
              if (!lowest.has(key) || level < lowest.get(key).level) { lowest.set(key, { hit: hit, level: level }); }
            });
            // The lists of a vector, and the vectors of a list.
            scope.forEach(function (hit) {
              var mine = (hit.getAttribute("data-related") || "").split("|");
              if (related.has(hit.getAttribute("data-id")) || mine.indexOf(id) >= 0) { hit.classList.add("rel"); }
            });
            lowest.forEach(function (entry) { route(entry.hit); });
            return same;
          }
          // A click marks the id on the pages of its comparison (both sides, every view); a second click clears.
          function highlight(target) {
            var on = !target.classList.contains("on");
            clear();
            if (!on) { return; }
            var group = target.closest(".page").getAttribute("data-group");
            markId(target.getAttribute("data-id"), Array.prototype.slice.call(document.querySelectorAll(".page[data-group=" + quote(group) + "] .hit")));
          }
          // Find: an id typed in the contents ("42", "id 42" or "list 7") is marked on every page and the first page
          // showing it is brought into view.
          var seek = document.getElementById("seek");
          var note = document.getElementById("seek-note");
          seek.addEventListener("submit", function (event) {
            event.preventDefault();
            var typed = document.getElementById("seek-id").value.trim();
            var id = /^-?[0-9]+$/.test(typed) ? "id " + typed : typed;
            clear();
            if (!id) { note.textContent = ""; return; }
            // "list 7" also finds each index's list 7 ("list 7 · raw-ivf") where two indexes are compared.
            var all = Array.prototype.slice.call(document.querySelectorAll(".hit"));
            var names = new Set([id]);
            all.forEach(function (hit) {
              var name = hit.getAttribute("data-id");
              if (name.indexOf(id + " · ") === 0) { names.add(name); }
            });
            var found = [];
            names.forEach(function (name) { found = found.concat(markId(name, all)); });
            if (found.length === 0) { note.textContent = "No target is " + id + "."; return; }
            var shown = new Set(found.map(function (hit) { return hit.closest(".page").id; }));
            note.textContent = id + ": " + found.length + " target" + (found.length === 1 ? "" : "s") + " on " + shown.size + " page" + (shown.size === 1 ? "" : "s") + ".";
            var first = found[0].closest(".page");
            go(pages.indexOf(first));
          });
          document.addEventListener("mouseover", function (event) {
            var target = event.target.closest && event.target.closest(".hit");
            if (target) { show(target, event.clientX, event.clientY); }
          });
          document.addEventListener("mouseout", function (event) {
            if (event.target.closest && event.target.closest(".hit")) { hide(); }
          });
          document.addEventListener("focusin", function (event) {
            var target = event.target.closest && event.target.closest(".hit");
            if (!target) { return; }
            var box = target.getBoundingClientRect();
            show(target, box.right, box.bottom);
          });
          document.addEventListener("focusout", hide);
          document.addEventListener("click", function (event) {
            var target = event.target.closest && event.target.closest(".hit");
            if (target) { highlight(target); }
          });
          // On a target: Enter or space clicks it; the arrow keys (and Home / End) move to the next or previous
          // target of the page, which becomes the page's tab stop.
          document.addEventListener("keydown", function (event) {
            var target = event.target.closest && event.target.closest(".hit");
            if (!target) { return; }
            if (event.key === "Enter" || event.key === " ") { highlight(target); event.preventDefault(); return; }
            var all = Array.prototype.slice.call(target.ownerSVGElement.querySelectorAll(".hit"));
            var at = all.indexOf(target);
            var to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: all.length - 1 }[event.key];
            if (to === undefined || to < 0 || to >= all.length) { return; }
            event.preventDefault();
            target.setAttribute("tabindex", "-1");
            all[to].setAttribute("tabindex", "0");
            all[to].focus();
          });
          // Replay: at step s, nodes scored by then are outlined, the node popped at s is marked, later ones are faded.
          Array.prototype.forEach.call(document.querySelectorAll(".replay input"), function (slider) {
            slider.addEventListener("input", function () {
              var step = Number(slider.value);
              var last = Number(slider.max);
              var view = slider.getAttribute("data-view");
              slider.closest("label").querySelector("output").textContent = String(step);
              var page = slider.closest(".page");
              Array.prototype.forEach.call(page.querySelectorAll(".hit[data-step][data-view=" + quote(view) + "]"), function (hit) {
                var scored = Number(hit.getAttribute("data-step"));
                var popped = hit.hasAttribute("data-popped") ? Number(hit.getAttribute("data-popped")) : -1;
                var replaying = step < last;
                hit.classList.toggle("seen", replaying && scored <= step);
                hit.classList.toggle("later", replaying && scored > step);
                hit.classList.toggle("current", replaying && popped === step);
              });
              // What the step did, in words.
              var scope = '.hit[data-level="0"][data-view=' + quote(view) + "]";
              var scored = page.querySelectorAll(scope + "[data-step=" + quote(String(step)) + "]");
              var admitted = Array.prototype.filter.call(scored, function (hit) { return hit.getAttribute("data-outcome") === "admitted"; }).length;
              var popped = page.querySelector(scope + "[data-popped=" + quote(String(step)) + "]");
              var text;
              if (step === 0) {
                text = "Step 0: the search enters layer 0 at " + (scored[0] ? scored[0].getAttribute("data-id") : "the entry point") + ".";
              } else if (popped) {
                text = "Step " + step + ": popped " + popped.getAttribute("data-id") + " (distance " + popped.getAttribute("data-distance") + "), scored " + scored.length + " neighbour" + (scored.length === 1 ? "" : "s") + ", admitted " + admitted + ".";
              } else {
                text = "Step " + step + ".";
              }
              slider.closest(".replay").querySelector(".step-note").textContent = text;
            });
          });
          mark(0);
        })();
        """
}
