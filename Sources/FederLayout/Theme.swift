/// Colours and type sizes shared by every view, so a report reads as one piece.
///
/// Hues come from the Okabe–Ito palette, which stays distinct for the common colour-vision deficiencies;
/// each role keeps its hue in every view (the query is always vermillion, results always orange, …).
public struct Theme: Sendable, Equatable {
    public var name: String
    public var background: Color
    public var panel: Color
    public var panelBorder: Color
    public var text: Color
    public var mutedText: Color
    public var grid: Color
    /// Marks that are present but not the point (unvisited nodes, unprobed cells).
    public var quiet: Color
    /// The query.
    public var query: Color
    /// The final top-k results.
    public var result: Color
    /// Probed clusters, the descent path, expanded nodes.
    public var accent: Color
    /// Scored but not kept.
    public var scored: Color
    /// The exact nearest neighbours (ground truth).
    public var truth: Color
    /// Categorical colours for clusters, in order; none of them is the query's or the results' hue.
    public var categorical: [Color]

    /// Multiplies every font size (the slides template sets more than 1).
    public var fontScale: Double = 1
    /// The two sides of a comparison, in tables and charts.
    public var left: Color { Color(hex: name == "dark" ? 0x56B4E9 : 0x0072B2) }
    public var right: Color { Color(hex: 0xCC79A7) }

    public var titleFont: Font { Font(size: 15 * fontScale, weight: .bold) }
    public var subtitleFont: Font { Font(size: 9.5 * fontScale) }
    public var panelTitleFont: Font { Font(size: 11 * fontScale, weight: .bold) }
    public var labelFont: Font { Font(size: 8 * fontScale) }
    public var smallFont: Font { Font(size: 6.5 * fontScale) }
    public var numberFont: Font { Font(size: 7 * fontScale, monospace: true) }

    static let okabeIto: [UInt32] = [0xE69F00, 0x56B4E9, 0x009E73, 0xF0E442, 0x0072B2, 0xD55E00, 0xCC79A7]

    public static let light = Theme(
        name: "light", background: Color(hex: 0xFFFFFF), panel: Color(hex: 0xFAFAFA), panelBorder: Color(hex: 0xDDDDDD),
        text: Color(hex: 0x1A1A1A), mutedText: Color(hex: 0x666666), grid: Color(hex: 0xE2E2E2),
        quiet: Color(hex: 0xC8C8C8), query: Color(hex: 0xD55E00), result: Color(hex: 0xE69F00),
        accent: Color(hex: 0x0072B2), scored: Color(hex: 0x9A9A9A), truth: Color(hex: 0x009E73),
        categorical: [0x0072B2, 0x009E73, 0xCC79A7, 0x56B4E9, 0x8C6D31, 0x6F6F6F].map { Color(hex: $0) })

    public static let dark = Theme(
        name: "dark", background: Color(hex: 0x161A1F), panel: Color(hex: 0x1F242B), panelBorder: Color(hex: 0x39414B),
        text: Color(hex: 0xE8E8E8), mutedText: Color(hex: 0xA0A7B0), grid: Color(hex: 0x333A43),
        quiet: Color(hex: 0x4A525C), query: Color(hex: 0xFF7A2F), result: Color(hex: 0xF2B134),
        accent: Color(hex: 0x56B4E9), scored: Color(hex: 0x7D8691), truth: Color(hex: 0x2BC48F),
        categorical: [0x56B4E9, 0x2BC48F, 0xE08FC4, 0x4C8FD6, 0xC9A66B, 0xBBBBBB].map { Color(hex: $0) })

    /// The theme called `name` (`light`, `dark`), or nil.
    public static func named(_ name: String) -> Theme? { ThemeName(rawValue: name.lowercased())?.theme }

    /// The categorical colour for item `index` (cycling).
    public func category(_ index: Int) -> Color { categorical[((index % categorical.count) + categorical.count) % categorical.count] }

    /// Text colour that reads on `fill` (dark on light fills, white on dark ones).
    public func textColor(on fill: Color) -> Color {
        let luminance = 0.2126 * fill.red + 0.7152 * fill.green + 0.0722 * fill.blue
        return luminance * fill.alpha + (1 - fill.alpha) * (name == "dark" ? 0.1 : 0.95) > 0.55
            ? Color(hex: 0x1A1A1A) : Color(hex: 0xFFFFFF)
    }

    /// A sequential ramp from the panel colour to the accent, `t` in 0…1.
    public func ramp(_ t: Double) -> Color { panel.mixed(with: accent, 0.12 + 0.75 * min(max(t, 0), 1)) }
}

/// The themes there are, by the name options and specs use.
public enum ThemeName: String, Sendable, CaseIterable, Codable {
    case light, dark

    public var theme: Theme {
        switch self {
        case .light: return .light
        case .dark: return .dark
        }
    }
}
