import Foundation

/// Distances to positions along an axis that starts at the query: linear up to `knee` from the best value and
/// logarithmic beyond it, so a layer-0 beam that ends a hair from the query stays readable beside a descent that
/// starts a thousand times farther away. Without a knee (or when the span is under `logThreshold` knees) the axis
/// is plainly linear.
public struct DistanceScale: Sendable, Equatable {
    /// The distance at the axis start (the query side) and at its end.
    public var best: Double
    public var worst: Double
    /// Offset from `best` where the logarithmic part starts; nil for a linear axis.
    public var knee: Double?

    /// Spans shorter than this many knees stay linear.
    public static let logThreshold = 8.0

    public init(best: Double, worst: Double, knee: Double?) {
        self.best = best
        self.worst = worst
        let span = abs(worst - best)
        if let knee, knee > 0, knee.isFinite, span > Self.logThreshold * knee { self.knee = knee } else { self.knee = nil }
    }

    var span: Double { max(abs(worst - best), 1e-12) }

    func warp(_ offset: Double) -> Double {
        guard let knee else { return offset / span }
        let f = { (u: Double) in u <= knee ? u / knee : 1 + log(u / knee) }
        return f(offset) / f(span)
    }

    /// Where `distance` falls, 0 (best) … 1 (worst); beyond the worst it stays at 1.
    public func fraction(_ distance: Double) -> Double {
        guard distance.isFinite else { return 1 }
        return warp(min(abs(distance - best), span))
    }

    /// Distances to label: nice values on the linear part and, on the logarithmic one, values of the 1-2-3-5 series
    /// (or offsets from the start in that series when the axis crosses 0), at least `minimumGap` (as a fraction
    /// of the axis) apart.
    public func ticks(minimumGap: Double = 0.09) -> [Double] {
        let sign = worst >= best ? 1.0 : -1.0
        var values: [Double]
        if let knee {
            let bend = best + sign * knee
            values = ViewKit.niceTicks(min(best, bend), max(best, bend), count: 2)
            let sameSign = (best > 0 && worst > 0) || (best < 0 && worst < 0)
            // The series runs over magnitudes (absolute values when the axis keeps one sign, offsets otherwise).
            let (from, to, origin, direction) =
                sameSign ? (min(abs(bend), abs(worst)), max(abs(bend), abs(worst)), 0.0, best > 0 ? 1.0 : -1.0) : (knee, span, best, sign)
            var magnitude = pow(10, floor(log10(max(from, 1e-300))))
            while magnitude <= to * 1.0001 {
                for step in [1.0, 2, 3, 5] where step * magnitude > from * 1.0001 && step * magnitude <= to * 1.0001 {
                    values.append(origin + direction * step * magnitude)
                }
                magnitude *= 10
            }
        } else {
            values = ViewKit.niceTicks(min(best, worst), max(best, worst), count: 6)
        }
        var kept: [Double] = []
        var last = -1.0
        for value in values.sorted(by: { fraction($0) < fraction($1) }) {
            let at = fraction(value)
            guard kept.isEmpty || at - last >= minimumGap else { continue }
            kept.append(value)
            last = at
        }
        return kept.sorted()
    }

    /// "linear over the first 6.2, logarithmic beyond" or nil for a linear axis.
    public var description: String? {
        guard let knee else { return nil }
        return "linear over the first \(ViewKit.format(knee)), logarithmic beyond"
    }
}
