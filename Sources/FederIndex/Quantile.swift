/// The one definition of a percentile of whole numbers (list sizes, in-degrees) the tool prints: the nearest rank,
/// `sorted[round(q · (n − 1))]`, so that `inspect`, `health` and the report say the same p50 and p95.
public enum Quantile {
    /// The `q` quantile (0…1) of `sorted` (ascending); 0 when it is empty.
    public static func nearestRank(_ sorted: [Int], _ q: Double) -> Int {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count - 1)).rounded())))]
    }
}
