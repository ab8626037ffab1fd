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

    /// Distances to label: nice values on the linear part, 1-2-5 steps on the logarithmic one, at least
    /// `minimumGap` (as a fraction of the axis) apart.
    public func ticks(minimumGap: Double = 0.09) -> [Double] {
        let sign = worst >= best ? 1.0 : -1.0
        var offsets: [Double]
        if let knee {
            offsets = ViewKit.niceTicks(0, knee, count: 2)
            var magnitude = pow(10, floor(log10(knee)))
            while magnitude <= span * 1.0001 {
                for step in [1.0, 2, 5] where step * magnitude > knee * 1.0001 && step * magnitude <= span * 1.0001 {
                    offsets.append(step * magnitude)
                }
                magnitude *= 10
            }
        } else {
            offsets = ViewKit.niceTicks(0, span, count: 6)
        }
        var kept: [Double] = []
        var last = -1.0
        for offset in offsets.sorted() {
            let at = warp(offset)
            guard at - last >= minimumGap || kept.isEmpty else { continue }
            kept.append(offset)
            last = at
        }
        return kept.map { best + sign * $0 }
    }

    /// "linear up to 6.2 from the query, logarithmic beyond" or nil for a linear axis.
    public var description: String? {
        guard let knee else { return nil }
        return "linear up to \(ViewKit.format(knee)) from the query, logarithmic beyond"
    }
}
