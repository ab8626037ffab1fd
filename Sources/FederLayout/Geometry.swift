public struct Size: Codable, Equatable, Sendable {
    public var width: Double
    public var height: Double

    public init(_ width: Double, _ height: Double) {
        self.width = width
        self.height = height
    }
}

/// An axis-aligned rectangle in page coordinates.
public struct Rect: Codable, Equatable, Sendable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var minX: Double { x }
    public var minY: Double { y }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var center: Point { Point(x + width / 2, y + height / 2) }

    /// Shrinks by `dx` on the left and right and `dy` at the top and bottom.
    public func insetBy(_ dx: Double, _ dy: Double) -> Rect {
        Rect(x: x + dx, y: y + dy, width: max(0, width - 2 * dx), height: max(0, height - 2 * dy))
    }

    /// Whether the two rectangles share more than their edges.
    public func intersects(_ other: Rect) -> Bool {
        x < other.maxX && other.x < maxX && y < other.maxY && other.y < maxY
    }

    public func contains(_ point: Point, tolerance: Double = 1e-6) -> Bool {
        point.x >= minX - tolerance && point.x <= maxX + tolerance && point.y >= minY - tolerance
            && point.y <= maxY + tolerance
    }

    /// Splits off a slice of `amount` from the top, returning (slice, rest).
    public func sliceTop(_ amount: Double) -> (Rect, Rect) {
        let cut = min(amount, height)
        return (Rect(x: x, y: y, width: width, height: cut), Rect(x: x, y: y + cut, width: width, height: height - cut))
    }

    /// Splits off a slice of `amount` from the left, returning (slice, rest).
    public func sliceLeft(_ amount: Double) -> (Rect, Rect) {
        let cut = min(amount, width)
        return (Rect(x: x, y: y, width: cut, height: height), Rect(x: x + cut, y: y, width: width - cut, height: height))
    }

    /// Splits off a slice of `amount` from the right, returning (rest, slice).
    public func sliceRight(_ amount: Double) -> (Rect, Rect) {
        let cut = min(amount, width)
        return (Rect(x: x, y: y, width: width - cut, height: height), Rect(x: maxX - cut, y: y, width: cut, height: height))
    }
}

/// An sRGB colour with alpha, each channel in 0…1.
public struct Color: Codable, Equatable, Hashable, Sendable {
    public var red: Double
    public var green: Double
    public var blue: Double
    public var alpha: Double

    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// `0xRRGGBB`.
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(
            red: Double((hex >> 16) & 0xFF) / 255, green: Double((hex >> 8) & 0xFF) / 255,
            blue: Double(hex & 0xFF) / 255, alpha: alpha)
    }

    public func withAlpha(_ alpha: Double) -> Color { Color(red: red, green: green, blue: blue, alpha: alpha) }

    /// Linear blend towards `other` by `t` (0 = self).
    public func mixed(with other: Color, _ t: Double) -> Color {
        Color(
            red: red + (other.red - red) * t, green: green + (other.green - green) * t,
            blue: blue + (other.blue - blue) * t, alpha: alpha + (other.alpha - alpha) * t)
    }
}

/// A position on a page (points, 1/72 in, y down); a projection's 2-D coordinates become one with `init(_:)`.
public struct Point: Codable, Equatable, Hashable, Sendable {
    public var x: Double
    public var y: Double

    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    public static func + (a: Point, b: Point) -> Point { Point(a.x + b.x, a.y + b.y) }
    public static func - (a: Point, b: Point) -> Point { Point(a.x - b.x, a.y - b.y) }
    public static func * (a: Point, s: Double) -> Point { Point(a.x * s, a.y * s) }

    public func distance(to other: Point) -> Double { ((x - other.x) * (x - other.x) + (y - other.y) * (y - other.y)).squareRoot() }

    /// A projection's coordinates (FederProjection's `SIMD2<Double>`), as a point.
    public init(_ coordinates: SIMD2<Double>) { self.init(coordinates.x, coordinates.y) }
}

/// Plane geometry the layouts share.
public enum Geometry {
    /// Whether the segment `a`–`b` passes through the inside of `rect` (Liang–Barsky clipping; touching an edge is
    /// not crossing).
    public static func segment(_ a: Point, _ b: Point, crosses rect: Rect) -> Bool {
        let dx = b.x - a.x
        let dy = b.y - a.y
        var low = 0.0
        var high = 1.0
        for (p, q) in [(-dx, a.x - rect.minX), (dx, rect.maxX - a.x), (-dy, a.y - rect.minY), (dy, rect.maxY - a.y)] {
            if p == 0 {
                if q <= 0 { return false }
                continue
            }
            let t = q / p
            if p < 0 {
                if t > low { low = t }
            } else if t < high {
                high = t
            }
            if low >= high { return false }
        }
        return high - low > 1e-9
    }
}
