import FederIndex
import FederSearch
import Foundation

/// Small building blocks every view uses: panel frames, legends, scales, markers and number formats.
public enum ViewKit {
    /// What a trace's distances are, for subtitles and axes: by the metric's short name (`l2`, `ip`, `l1`, …).
    static func distanceName(of trace: SearchTrace) -> String {
        switch trace.distance.unit {
        case .squaredL2: return "squared L2 distance"
        case .oneMinusInnerProduct, .oneMinusCosine: return "1 − dot (\(trace.kind) \(trace.metric))"
        case .innerProduct: return "inner product (larger is closer)"
        case .l1: return "L1 distance"
        case .linf: return "L∞ distance"
        case .hamming: return "Hamming distance"
        case .negativeInnerProduct: return "negative inner product (\(trace.kind) \(trace.metric))"
        case .jaccard: return "Jaccard distance"
        case .other: return "\(trace.metric) distance"
        }
    }

    /// A framed panel with a title and an info line; returns its marks and the rectangle left for content.
    public static func panel(
        title: String, subtitle: String, in rect: Rect, theme: Theme, measurer: TextMeasurer, subtitleLines: Int = 3
    ) -> (marks: [Mark], content: Rect) {
        var marks: [Mark] = [.rect(rect, fill: theme.panel, stroke: Stroke(theme.panelBorder, width: 0.75), cornerRadius: 6)]
        let inner = rect.insetBy(10, 8)
        marks.append(
            .text(
                TextMark(title, at: Point(inner.x, inner.y), font: theme.panelTitleFont, color: theme.text, width: inner.width, maxLines: 1)
            ))
        let titleHeight = measurer.measure(title, font: theme.panelTitleFont, width: inner.width).height
        var used = titleHeight + 2
        if !subtitle.isEmpty {
            let height = min(
                measurer.measure(subtitle, font: theme.labelFont, width: inner.width).height,
                theme.labelFont.size * (1.3 * Double(subtitleLines)))
            marks.append(
                .text(
                    TextMark(
                        subtitle, at: Point(inner.x, inner.y + used), font: theme.labelFont, color: theme.mutedText, width: inner.width,
                        maxLines: subtitleLines)))
            used += height + 4
        }
        let content = Rect(x: inner.x, y: inner.y + used, width: inner.width, height: max(0, inner.height - used))
        return (marks, content)
    }

    /// The height of a `panel` that holds only its title and subtitle (a note), at `width`.
    public static func notePanelHeight(
        title: String, subtitle: String, width: Double, theme: Theme, measurer: TextMeasurer, subtitleLines: Int = 3
    ) -> Double {
        let inner = width - 20
        let titleHeight = measurer.measure(title, font: theme.panelTitleFont, width: inner).height
        let subtitleHeight =
            subtitle.isEmpty
            ? 0
            : min(
                measurer.measure(subtitle, font: theme.labelFont, width: inner).height,
                theme.labelFont.size * (1.3 * Double(subtitleLines))) + 4
        return 16 + titleHeight + 2 + subtitleHeight + 4
    }

    /// A legend symbol.
    public enum Symbol: Sendable {
        case dot(Color)
        case ring(Color)
        case square(Color)
        case line(Color, dashed: Bool)
        case arrow(Color)
        case star(Color)
        case badge(Color)
    }

    /// Legend entries laid out left to right, wrapping; returns the marks and the height used.
    public static func legend(
        _ items: [(Symbol, String)], in rect: Rect, theme: Theme, measurer: TextMeasurer
    ) -> (marks: [Mark], height: Double) {
        var marks: [Mark] = []
        let font = theme.labelFont
        let lineHeight = font.size * 1.5
        var x = rect.x
        var y = rect.y
        for (symbol, label) in items {
            let labelWidth = measurer.measure(label, font: font, width: nil).width
            let itemWidth = 14 + labelWidth + 12
            if x + itemWidth > rect.maxX, x > rect.x {
                x = rect.x
                y += lineHeight
            }
            let center = Point(x + 5, y + lineHeight / 2 - 1)
            // One entry, its symbol then its words, as a group: `--check-layout` finds an entry whose kind of mark the
            // panel does not draw.
            marks.append(
                .group(
                    symbolMarks(symbol, at: center, size: 4, theme: theme) + [
                        .text(
                            TextMark(
                                label, at: Point(x + 13, y + (lineHeight - font.size * 1.2) / 2 - 1), font: font, color: theme.mutedText))
                    ], clip: nil))
            x += itemWidth
        }
        return (marks, y + lineHeight - rect.y)
    }

    static func symbolMarks(_ symbol: Symbol, at center: Point, size: Double, theme: Theme) -> [Mark] {
        switch symbol {
        case .dot(let color):
            return [.circle(center: center, radius: size * 0.8, fill: color, stroke: nil)]
        case .ring(let color):
            return [.circle(center: center, radius: size * 0.8, fill: nil, stroke: Stroke(color, width: 1.5))]
        case .square(let color):
            return [
                .rect(
                    Rect(x: center.x - size, y: center.y - size, width: 2 * size, height: 2 * size), fill: color,
                    stroke: Stroke(theme.panelBorder, width: 0.5), cornerRadius: 1)
            ]
        case .line(let color, let dashed):
            return [
                .polyline(
                    [Point(center.x - size * 1.2, center.y), Point(center.x + size * 1.2, center.y)],
                    stroke: Stroke(color, width: 1.5, dash: dashed ? [2, 2] : []))
            ]
        case .arrow(let color):
            return [
                .arrow(
                    from: Point(center.x - size * 1.3, center.y), to: Point(center.x + size * 1.3, center.y),
                    stroke: Stroke(color, width: 1.3), head: 4)
            ]
        case .star(let color):
            return [.polygon(star(center: center, radius: size * 1.2), fill: color, stroke: Stroke(theme.background, width: 0.5))]
        case .badge(let color):
            return [.circle(center: center, radius: size * 1.1, fill: color, stroke: Stroke(theme.background, width: 0.75))]
        }
    }

    /// A five-pointed star (the query marker).
    public static func star(center: Point, radius: Double) -> [Point] {
        (0..<10).map { index in
            let angle = -Double.pi / 2 + Double(index) * Double.pi / 5
            let r = index % 2 == 0 ? radius : radius * 0.45
            return Point(center.x + cos(angle) * r, center.y + sin(angle) * r)
        }
    }

    /// A numbered badge (rank of a result or a probed list).
    public static func badge(_ number: Int, at center: Point, color: Color, theme: Theme, radius: Double = 6) -> [Mark] {
        let font = Font(size: number >= 100 ? radius * 0.9 : radius * 1.2, weight: .bold)
        return [
            .circle(center: center, radius: radius, fill: color, stroke: Stroke(theme.background, width: 0.8)),
            .text(
                TextMark(
                    "\(number)", at: Point(center.x, center.y - font.size * 0.62), font: font, color: Color(hex: 0xFFFFFF),
                    alignment: .center)),
        ]
    }

    /// Rank badges for marked points (results by rank): each point gets a dot (rank 1 drawn last, on top), and its
    /// number goes where it covers least: beside the dot, else farther out on a leader line, preferring the side away
    /// from `away` (the centre a polar chart crowds towards). A number never covers another number, a marked dot or
    /// `avoid`, stays inside `bounds`, and its leader crosses no other number (nor another leader its number); among
    /// the free places the one covering fewest `crowd` dots (the other points drawn) wins. A number with no free place
    /// is left out (its dot stays).
    /// - Returns: the marks, and the ranks left without a number.
    public static func rankBadges(
        _ items: [(rank: Int, point: Point)], color: Color, theme: Theme, dotRadius: Double = 3.5, radius: Double = 5,
        avoid: [Rect] = [], crowd: [Point] = [], away: Point? = nil, bounds: Rect
    ) -> (marks: [Mark], unlabelled: [Int]) {
        let ordered = items.sorted { $0.rank < $1.rank }
        func dotBox(_ point: Point) -> Rect {
            Rect(x: point.x - dotRadius, y: point.y - dotRadius, width: 2 * dotRadius, height: 2 * dotRadius)
        }
        let fixed = avoid + ordered.map { dotBox($0.point) }
        var badgesTaken: [Rect] = []
        var leaders: [(Point, Point)] = []
        var labels: [Mark] = []
        var unlabelled: [Int] = []
        let steps = [1.0, 2.2, 3.4, 4.8, 6.4]
        let directions = (0..<16).map { Double($0) * Double.pi / 8 }
        let reach = dotRadius + 6.4 * (radius + 2) + radius
        for item in ordered {
            // What the leader may not cross: other numbers, and what is to be avoided except what marks this point.
            let blocking = avoid.filter { !$0.contains(item.point) }
            let preferred: Double =
                away.map { atan2(item.point.y - $0.y, item.point.x - $0.x) } ?? (-Double.pi / 4)
            let near = crowd.filter { abs($0.x - item.point.x) <= reach && abs($0.y - item.point.y) <= reach }
            var best: (score: Double, center: Point, angle: Double, step: Int)?
            for (stepIndex, step) in steps.enumerated() {
                let distance = dotRadius + radius + 1 + (step - 1) * (radius + 2)
                for angle in directions {
                    let center = Point(item.point.x + cos(angle) * distance, item.point.y + sin(angle) * distance)
                    let box = Rect(x: center.x - radius, y: center.y - radius, width: 2 * radius, height: 2 * radius)
                    guard box.x >= bounds.x, box.y >= bounds.y, box.maxX <= bounds.maxX, box.maxY <= bounds.maxY else { continue }
                    guard !fixed.contains(where: { $0.intersects(box) }), !badgesTaken.contains(where: { $0.intersects(box) })
                    else { continue }
                    if stepIndex > 0 {
                        let start = Point(item.point.x + cos(angle) * dotRadius, item.point.y + sin(angle) * dotRadius)
                        let end = Point(center.x - cos(angle) * radius, center.y - sin(angle) * radius)
                        guard !(badgesTaken + blocking).contains(where: { Geometry.segment(start, end, crosses: $0) }) else { continue }
                        guard !leaders.contains(where: { Geometry.segment($0.0, $0.1, crosses: box) }) else { continue }
                    } else {
                        guard !leaders.contains(where: { Geometry.segment($0.0, $0.1, crosses: box) }) else { continue }
                    }
                    let covered = near.reduce(0) { $0 + (box.insetBy(-1, -1).contains($1) ? 1 : 0) }
                    var turn = abs(angle - preferred).truncatingRemainder(dividingBy: 2 * Double.pi)
                    if turn > Double.pi { turn = 2 * Double.pi - turn }
                    let score = Double(covered) * 2 + Double(stepIndex) * 1.5 + turn / Double.pi * 1.2
                    if best.map({ score < $0.score }) ?? true { best = (score, center, angle, stepIndex) }
                }
            }
            guard let best else {
                unlabelled.append(item.rank)
                continue
            }
            if best.step > 0 {
                let start = Point(item.point.x + cos(best.angle) * dotRadius, item.point.y + sin(best.angle) * dotRadius)
                let end = Point(best.center.x - cos(best.angle) * radius, best.center.y - sin(best.angle) * radius)
                labels.append(.polyline([start, end], stroke: Stroke(color, width: 0.7)))
                leaders.append((start, end))
            }
            labels += badge(item.rank, at: best.center, color: color, theme: theme, radius: radius)
            badgesTaken.append(Rect(x: best.center.x - radius, y: best.center.y - radius, width: 2 * radius, height: 2 * radius))
        }
        let dots: [Mark] = ordered.reversed().map {
            .circle(center: $0.point, radius: dotRadius, fill: color, stroke: Stroke(theme.background, width: 0.8))
        }
        return (dots + labels, unlabelled)
    }

    /// Each result's rank (1-based) by `key`, its internal id or its label; empty slots (negative ids) have none, and
    /// an id returned twice keeps its first rank.
    static func resultRanks<Key: BinaryInteger>(_ trace: SearchTrace, by key: KeyPath<Neighbor, Key>) -> [Key: Int] {
        Dictionary(
            trace.results.enumerated().filter { $0.element[keyPath: key] >= 0 }.map { ($0.element[keyPath: key], $0.offset + 1) },
            uniquingKeysWith: { first, _ in first })
    }

    /// "ranks 5, 7 and 9", "rank 4".
    public static func ranksText(_ ranks: [Int]) -> String {
        let words = ranks.map(String.init)
        guard let last = words.last else { return "" }
        return (words.count == 1 ? "rank " : "ranks ")
            + (words.count == 1 ? last : words.dropLast().joined(separator: ", ") + " and " + last)
    }

    /// What a view writes where `rankBadges` left ranks without their number ("ranks 5 and 7 crowded out: see the
    /// results"), right-aligned at `anchor` (the note's top right corner); nothing when every rank has its number.
    static func crowdedOutNote(_ unlabelled: [Int], at anchor: Point, theme: Theme) -> [Mark] {
        guard !unlabelled.isEmpty else { return [] }
        return [
            .text(
                TextMark(
                    "\(ranksText(unlabelled)) crowded out: see the results", at: anchor, font: theme.smallFont, color: theme.mutedText,
                    alignment: .right))
        ]
    }

    /// About `count` round tick values covering `low…high`.
    public static func niceTicks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        guard high > low, low.isFinite, high.isFinite else { return [low] }
        let rough = (high - low) / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        var ticks: [Double] = []
        var value = ceil(low / step) * step
        while value <= high + step * 1e-9 {
            ticks.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return ticks
    }

    /// The height `legend` will take for these items in `width`.
    public static func legendHeight(_ items: [(Symbol, String)], width: Double, theme: Theme, measurer: TextMeasurer) -> Double {
        legend(items, in: Rect(x: 0, y: 0, width: width, height: 0), theme: theme, measurer: measurer).height
    }

    /// Splits `content` into a plot area and a legend strip sized for `items`; returns the plot and the marks.
    public static func withLegend(
        _ items: [(Symbol, String)], in content: Rect, theme: Theme, measurer: TextMeasurer
    ) -> (plot: Rect, marks: [Mark]) {
        let height = legendHeight(items, width: content.width, theme: theme, measurer: measurer)
        let legendRect = Rect(x: content.x, y: content.maxY - height, width: content.width, height: height)
        let marks = legend(items, in: legendRect, theme: theme, measurer: measurer).marks
        return (Rect(x: content.x, y: content.y, width: content.width, height: max(0, content.height - height - 6)), marks)
    }

    /// A tick label: like `format`, without a trailing ".0".
    /// A tick label: whole numbers as they are below 10,000, larger ones with k / M / G (400k, 1.2M), never an
    /// exponent where a reader expects an axis.
    public static func formatTick(_ value: Double) -> String {
        let magnitude = abs(value)
        if value == value.rounded(), magnitude < 1e4 { return String(Int64(value)) }
        if magnitude >= 1e4, magnitude < 1e12 {
            let (scale, suffix) = magnitude >= 1e9 ? (1e9, "G") : magnitude >= 1e6 ? (1e6, "M") : (1e3, "k")
            var text = String(format: "%.3g", value / scale)
            if text.contains("e") { text = String(format: "%.0f", value / scale) }
            return text + suffix
        }
        return format(value)
    }

    /// A distance as people read it: 4 significant digits, no exponent for ordinary magnitudes; a whole number (a
    /// Hamming distance, a squared L2 distance over integer data) without a decimal point.
    public static func format(_ value: Double) -> String {
        if value == 0 { return "0" }
        if abs(value) >= 3e38 { return value > 0 ? "+FLT_MAX" : "−FLT_MAX" }
        let magnitude = abs(value)
        if value == value.rounded(), magnitude < 1e5 { return String(Int64(value)) }
        if magnitude >= 1e5 || magnitude < 1e-3 { return String(format: "%.3g", value) }
        if magnitude >= 100 { return String(format: "%.0f", value) }
        if magnitude >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.3g", value)
    }

    /// A deterministic value in 0..<1 from an id and a seed (for jitter that does not move between runs).
    /// A count with thousands separated by commas: 1,000,000 (deterministic, whatever the locale).
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var text = ""
        for (position, digit) in digits.enumerated() {
            if position > 0, (digits.count - position) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return value < 0 ? "-" + text : text
    }

    /// "1 node", "1,797 nodes".
    public static func counted(_ value: Int, _ noun: String) -> String {
        "\(grouped(value)) \(value == 1 ? noun : noun + "s")"
    }

    public static func hashUnit(_ id: Int64, seed: UInt64) -> Double {
        var z = UInt64(bitPattern: id) &+ seed &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}

extension ViewKit {
    /// A vector target's id: `"id 42"`, an unsigned hnswlib label by its bits (what `targetLabel` reads back).
    static func targetID(_ label: Int64, unsigned: Bool) -> String {
        "id \(Label(bits: label, unsigned: unsigned))"
    }

    /// The label of a vector target's id (`"id 42"`; an unsigned hnswlib label by its bits); nil for other targets.
    static func targetLabel(_ id: String) -> Int64? {
        guard id.hasPrefix("id ") else { return nil }
        let digits = id.dropFirst(3)
        return Int64(digits) ?? UInt64(digits).map { Int64(bitPattern: $0) }
    }

    /// `marks` with `change` applied to every target, inside groups too.
    static func mappingTargets(_ marks: [Mark], _ change: (inout HitMark) -> Void) -> [Mark] {
        marks.map { mark in
            switch mark {
            case .hit(var hit):
                change(&hit)
                return .hit(hit)
            case .group(let inner, let clip):
                return .group(mappingTargets(inner, change), clip: clip)
            default:
                return mark
            }
        }
    }

    /// `marks` with every list target's id (and every list a target names) qualified by the index it belongs to
    /// (`"list 7 · raw-ivf"`): two separately trained IVF indexes share list numbers, not lists.
    public static func qualifyingLists(_ marks: [Mark], index: String) -> [Mark] {
        func qualified(_ id: String) -> String { id.hasPrefix("list ") ? "\(id) · \(index)" : id }
        return mappingTargets(marks) { hit in
            hit.id = qualified(hit.id)
            hit.related = hit.related.map(qualified)
        }
    }

    /// `marks` with every vector target's id (and the node it was scored from) shifted by `offset`: a shard's own
    /// search drawn under the ids the merged answer gives its vectors (faiss `IndexShards` with successive ids).
    public static func offsettingIDs(_ marks: [Mark], by offset: Int64, unsigned: Bool) -> [Mark] {
        guard offset != 0 else { return marks }
        func shifted(_ id: String) -> String {
            guard let label = targetLabel(id) else { return id }
            return targetID(label &+ offset, unsigned: unsigned)
        }
        return mappingTargets(marks) { hit in
            hit.id = shifted(hit.id)
            hit.from = hit.from.map(shifted)
        }
    }

    /// `marks` with every vector target (`"id N"`) given its picture, or its text as a tooltip field, from `media`:
    /// what a hovered point of any view stands for.
    public static func withMedia(_ marks: [Mark], _ media: MediaList?) -> [Mark] {
        guard let media, media.count > 0 else { return marks }
        return mappingTargets(marks) { hit in
            guard let label = targetLabel(hit.id) else { return }
            if hit.image == nil, let path = media.imagePath(for: label) { hit.image = path }
            if let text = media.text(for: label), !hit.fields.contains(where: { $0.name == "text" }) {
                hit.fields.append(HitMark.Field("text", text))
            }
        }
    }
}
