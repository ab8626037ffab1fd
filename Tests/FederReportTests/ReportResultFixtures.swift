import FederReport
import Foundation

/// Hand-built `ReportResult` values for unit tests, decoded from JSON (the summary file's own format), so the
/// tests depend only on the public Codable shape.
enum ReportResultFixture {
    /// One side: the aggregates given as means (every quantile set to the mean), one query unless told.
    static func side(
        index: String = "a.faiss", query: String = "q", kind: String = "ivf", queryCount: Int = 1,
        aggregates: [String: Double]
    ) -> [String: Any] {
        let outcome: [String: Any] = [
            "source": query, "results": [[String: Any]](),
            "counts": ["distanceComputations": Int(aggregates["distanceComputations"] ?? 0), "visited": Int(aggregates["visited"] ?? 0)],
        ]
        return [
            "index": index, "query": query, "kind": kind, "metric": "l2", "parameters": ["k": 10],
            "queryCount": queryCount, "first": outcome, "queries": [outcome],
            "aggregates": aggregates.mapValues { value -> [String: Any] in
                ["mean": value, "p50": value, "p95": value, "min": value, "max": value, "count": queryCount]
            },
        ]
    }

    static func comparison(title: String, left: [String: Any], right: [String: Any], jaccard: Double? = nil) -> [String: Any] {
        var object: [String: Any] = ["title": title, "left": left, "right": right]
        if let jaccard { object["jaccard"] = jaccard }
        return object
    }

    static func result(title: String = "Report", _ comparisons: [[String: Any]]) throws -> ReportResult {
        let data = try JSONSerialization.data(withJSONObject: ["title": title, "comparisons": comparisons])
        return try JSONDecoder().decode(ReportResult.self, from: data)
    }
}
