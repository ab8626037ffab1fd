import FederIndex
import FederProjection
import FederSearch

/// The four IVF views: overview, coarse search, fine search by distance (polar), fine search by projection.
public enum IVFViews {
    /// Everything the IVF views draw from.
    public struct Input: Sendable {
        public var index: FaissIVFIndex
        public var map: ClusterMap
        public var trace: SearchTrace
        public var query: [Float]
        public var media: MediaList?
        public var seed: UInt64
        /// A distance range shared with another panel (both sides of a comparison on one axis).
        public var axis: ClosedRange<Double>?
        /// How the fine-search projection lays the scored vectors out.
        public var projection: ProjectionMethod = .pca

        /// The range of every distance the fine search scored.
        public var distanceRange: ClosedRange<Double>? {
            let values = (trace.ivf?.scanned ?? []).map { Double($0.distance) }
            guard let low = values.min(), let high = values.max() else { return nil }
            return low...high
        }

        public init(index: FaissIVFIndex, map: ClusterMap, trace: SearchTrace, query: [Float], media: MediaList?, seed: UInt64) {
            self.index = index
            self.map = map
            self.trace = trace
            self.query = query
            self.media = media
            self.seed = seed
        }

        var largerIsBetter: Bool { trace.distance.largerIsBetter }
        var distanceName: String { ViewKit.distanceName(of: trace) }
    }

    // MARK: shared by the overview and the coarse search

    /// Every list as a point at its projected centroid (maps with too many lists for cells), area ∝ list size.
    static func listPoints(_ map: ClusterMap, square: Rect, theme: Theme, fill: (Int) -> Color) -> [Mark] {
        let mean = Double(max(map.sizes.reduce(0, +), 1)) / Double(max(map.sizes.count, 1))
        let base = min(2.5, max(0.6, square.width / Double(map.sizes.count).squareRoot() * 0.35))
        return map.sites.indices.map { list in
            let radius = base * min(2.5, max(0.5, (Double(max(map.sizes[list], 1)) / mean).squareRoot()))
            return .circle(center: ClusterMap.map(map.sites[list], into: square), radius: radius, fill: fill(list), stroke: nil)
        }
    }

    // MARK: shared by both fine-search views

    /// The hover target of a scanned vector drawn at `point` (`label` its label): its rank when it is a result, its
    /// distance and its list with that list's probe rank (`probeRank`, from 0); it highlights with its list.
    static func scannedTarget(
        _ entry: IVFTrace.ScannedVector, label: Int64, probeRank: Int, rank: Int?, at point: Point, radius: Double, unsigned: Bool
    ) -> Mark {
        var fields = [
            HitMark.Field("distance", ViewKit.format(Double(entry.distance))),
            HitMark.Field("list", "#\(entry.list) (probe \(probeRank + 1))"),
        ]
        if let rank { fields.insert(HitMark.Field("rank", "\(rank)"), at: 0) }
        var target = HitMark(id: ViewKit.targetID(label, unsigned: unsigned), center: point, radius: radius, fields: fields)
        target.related = ["list \(entry.list)"]
        return .hit(target)
    }
}
