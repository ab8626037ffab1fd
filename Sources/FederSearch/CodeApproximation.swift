import FederIndex

/// What a codes index's distances were against the true ones: every vector a search scored, once, with the
/// distance faiss computed from its code and the distance faiss's kernel gives from the query to the vector that
/// was added. The quantization views draw it; nothing here draws.
public struct CodeApproximation: Sendable {
    /// One scored vector.
    public struct Point: Sendable, Equatable {
        /// Its internal id (the row of the vectors that were added).
        public var row: Int
        /// The distance the search computed from its code.
        public var approximate: Float
        /// faiss's kernel's distance from the query to its vector.
        public var exact: Float
    }

    /// Every scored vector with a row in the table, in the order the search first scored it.
    public var points: [Point]

    /// The scored vectors of `trace`, with the true distances from `query` (as given, before any pre-transform) to
    /// the rows of `base`, by faiss's kernel for `metric`.
    /// - Throws: `FederSearchError` for a metric faiss's float kernels do not cover, or a query whose dimension is
    ///   not the table's.
    public init(trace: SearchTrace, query: [Float], base: VectorTable, metric: Metric) throws {
        guard query.count == base.dim else {
            throw FederSearchError.dimensionMismatch(expected: base.dim, got: query.count, source: "the query")
        }
        let kernel = try ExactKernel(faissMetric: metric, dim: base.dim)
        let scored = Self.scored(trace).filter { $0.row < base.count }
        points = withQueryPointer(query) { q in
            scored.map { Point(row: $0.row, approximate: $0.approximate, exact: kernel.distance(q, base.rowPointer($0.row))) }
        }
    }

    /// Every vector the search scored, once, by internal id (= row), with the distance the search computed.
    public static func scored(_ trace: SearchTrace) -> [(row: Int, approximate: Float)] {
        var seen = Set<Int>()
        var out: [(row: Int, approximate: Float)] = []
        func add(_ row: Int, _ distance: Float) {
            if row >= 0, seen.insert(row).inserted { out.append((row, distance)) }
        }
        if let ivf = trace.ivf {
            for entry in ivf.scanned { add(Int(truncatingIfNeeded: entry.id), entry.distance) }
        } else if let hnsw = trace.hnsw {
            add(hnsw.entryPoint, hnsw.entryDistance)
            for level in hnsw.upperLevels { for pass in level.passes { for edge in pass { add(edge.to, edge.distance) } } }
            for step in hnsw.level0.steps {
                for event in step.neighbors { if let distance = event.distance { add(event.id, distance) } }
            }
        } else if let rows = trace.scoredRows {
            for (row, distance) in rows.enumerated() { add(row, distance) }
        }
        return out
    }
}
