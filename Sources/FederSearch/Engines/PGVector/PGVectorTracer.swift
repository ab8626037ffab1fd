import FederIndex

/// The settings a pgvector scan runs with, parsed from `name=value` pairs as `SET` takes them. Every pair is also
/// set on the server when its answer is asked for; the ones the scans read are modelled here.
public struct PGVectorSettings: Sendable, Equatable {
    public var hnsw = PGHNSWSettings()
    public var ivfflat = PGIVFFlatSettings()
    /// Every pair given, in order, names lower-cased.
    public var pairs: [(name: String, value: String)] = []

    public static func == (a: PGVectorSettings, b: PGVectorSettings) -> Bool {
        a.hnsw == b.hnsw && a.ivfflat == b.ivfflat && a.pairs.map(\.name) == b.pairs.map(\.name)
            && a.pairs.map(\.value) == b.pairs.map(\.value)
    }

    public init() {}

    /// Reads `pairs`; a setting the scans read must hold a value pgvector accepts.
    /// - Throws: `FederSearchError.invalidParameter` / `.unsupported` naming the setting.
    public init(_ pairs: [(String, String)]) throws {
        for (rawName, value) in pairs {
            let name = rawName.lowercased()
            self.pairs.append((name, value))
            func integer(_ range: ClosedRange<Int>) throws -> Int {
                guard let number = Int(value), range.contains(number) else {
                    throw FederSearchError.unsupported(
                        "\(name) = \(value): pgvector takes an integer from \(range.lowerBound) to \(range.upperBound)")
                }
                return number
            }
            switch name {
            case "hnsw.ef_search": hnsw.efSearch = try integer(1...1000)
            case "hnsw.max_scan_tuples": hnsw.maxScanTuples = try integer(1...Int(Int32.max))
            case "hnsw.scan_mem_multiplier": hnsw.scanMemMultiplier = try integer(1...1000)
            case "hnsw.iterative_scan":
                guard let mode = PGIterativeScan(rawValue: value.lowercased()) else {
                    throw FederSearchError.unsupported("hnsw.iterative_scan = \(value): pgvector takes off, relaxed_order or strict_order")
                }
                hnsw.iterativeScan = mode
            case "ivfflat.probes": ivfflat.probes = try integer(1...32768)
            case "ivfflat.max_probes": ivfflat.maxProbes = try integer(1...32768)
            case "ivfflat.iterative_scan":
                guard let mode = PGIterativeScan(rawValue: value.lowercased()), mode != .strictOrder else {
                    throw FederSearchError.unsupported("ivfflat.iterative_scan = \(value): pgvector takes off or relaxed_order")
                }
                ivfflat.iterativeScan = mode
            default: break
            }
        }
    }

    /// Every setting the scans read, with the value they run with, as `SET` pairs: what the server's answer is asked
    /// under (so a setting left at its default is set to it, whatever the server's configuration says).
    public var serverPairs: [(String, String)] {
        var all: [(String, String)] = [
            ("hnsw.ef_search", "\(hnsw.efSearch)"), ("hnsw.iterative_scan", hnsw.iterativeScan.rawValue),
            ("hnsw.max_scan_tuples", "\(hnsw.maxScanTuples)"), ("hnsw.scan_mem_multiplier", "\(hnsw.scanMemMultiplier)"),
            ("ivfflat.probes", "\(ivfflat.probes)"), ("ivfflat.iterative_scan", ivfflat.iterativeScan.rawValue),
            ("ivfflat.max_probes", "\(ivfflat.maxProbes)"),
        ]
        let modelled = Set(all.map(\.0))
        all += pairs.filter { !modelled.contains($0.name) }.map { ($0.name, $0.value) }
        return all
    }
}

/// What became of one heap TID the index scan handed the executor.
public enum PGTupleFate: String, Sendable, Codable {
    /// Visible and kept by the filter: a result row.
    case returned
    /// Visible, but the filter threw it away.
    case filtered
    /// Not visible at the snapshot: deleted (not yet vacuumed) or not yet committed.
    case dead
}

/// One row of a traced pgvector scan's answer.
public struct PGVectorRow: Sendable, Equatable, Codable {
    public var id: Int64
    /// The operator's value, as `col <op> q` in a select list gives it (float8).
    public var distance: Double
    /// The heap TID, `(block,offset)`.
    public var tid: String
    /// What the index ordered it by (squared L2, negative inner product, …).
    public var indexDistance: Double
    /// The HNSW element or IVFFlat entry it came from.
    public var source: Int
}

/// A traced pgvector index scan and the executor on top of it: every heap TID the index returned, in order, and
/// what became of it, until k rows were returned or the scan ended.
public struct PGVectorScanTrace: Sendable {
    public var rows: [PGVectorRow]
    /// Tuples the executor pulled from the index, and what became of them.
    public var pulled: [(tid: PGTupleID, distance: Double, source: Int, fate: PGTupleFate)]
    public var k: Int
    /// Heap TIDs that led to a visible row through a HOT chain (the row updated in place since the index entry).
    public var hotChains = 0
    /// Why the executor stopped: k rows, or the scan's own end.
    public var stop: String
    public var hnsw: HNSWPart?
    public var ivfflat: IVFFlatPart?

    public struct HNSWPart: Sendable {
        public var settings: PGHNSWSettings
        public var searches: [PGHNSWLayerSearch]
        public var distanceComputations: Int
        public var tuples: Int
        public var rounds: Int
        public var drained: Int
        /// Rows a strict-order scan skipped, closer than one already returned.
        public var droppedOutOfOrder: Int
        /// Elements the first layer-0 search returned (at most ef_search).
        public var firstCandidates: Int
    }

    public struct IVFFlatPart: Sendable {
        public var settings: PGIVFFlatSettings
        public var probes: Int
        public var maxProbes: Int
        public var centerDistances: [Double]
        public var listOrder: [Int]
        public var listsProbed: Int
        public var entriesScored: Int
        public var batches: Int
        /// Every entry scored, in the order the lists were read.
        public var scored: [(entry: Int, distance: Double)]
    }

    public func count(_ fate: PGTupleFate) -> Int { pulled.reduce(0) { $0 + ($1.fate == fate ? 1 : 0) } }
}

/// Runs a pgvector scan as the server's executor runs it: pulls heap TIDs from the traced index scan, drops the
/// rows that are not visible at the snapshot (absent from `rowIDs`) or fail the filter (absent from `passing`),
/// and stops at k rows (`LIMIT k`) or the scan's end.
public enum PGVectorTracer {
    /// - Parameters:
    ///   - rawValues: the raw indexed values of the returned rows (for cosine classes, whose shown distance is
    ///     computed on the values as the table holds them, not the normalised ones the index stores).
    public static func trace(
        pages: PGVectorSource.Pages, query components: [Float], k: Int, settings: PGVectorSettings,
        rowIDs: [UInt64: Int64], passing: Set<UInt64>?, rawValues: ([PGTupleID]) throws -> [PGTupleID: [Float]],
        record: Bool = true, hotChain: ((PGTupleID) -> PGTupleID?)? = nil
    ) throws -> PGVectorScanTrace {
        guard k >= 1 else { throw FederSearchError.invalidK(k) }
        let opclass: PGVectorOpclass
        let dimensions: Int
        switch pages {
        case .hnsw(let index): (opclass, dimensions) = (index.opclass, index.dimensions)
        case .ivfflat(let index): (opclass, dimensions) = (index.opclass, index.dimensions)
        }
        let query = try PGVectorQuery(components: components, opclass: opclass, dimensions: dimensions)
        var trace = PGVectorScanTrace(rows: [], pulled: [], k: k, stop: "")
        var returned: [(PGScanTuple, Int64)] = []
        func take(_ tuple: PGScanTuple) -> Bool {
            var tuple = tuple
            // A TID no visible row has may be the root of a HOT chain whose visible member moved within the page.
            if rowIDs[tuple.heapTID.key] == nil, let hotChain, let moved = hotChain(tuple.heapTID) {
                tuple.heapTID = moved
                trace.hotChains += 1
            }
            let key = tuple.heapTID.key
            let fate: PGTupleFate
            if let id = rowIDs[key] {
                if let passing, !passing.contains(key) {
                    fate = .filtered
                } else {
                    fate = .returned
                    returned.append((tuple, id))
                }
            } else {
                fate = .dead
            }
            trace.pulled.append((tuple.heapTID, tuple.distance, tuple.source, fate))
            return returned.count >= k
        }
        var storedRow: (Int) -> UnsafeRawPointer
        switch pages {
        case .hnsw(let index):
            let scan = PGHNSWScan(index: index, query: query, settings: settings.hnsw, record: record)
            var done = false
            while !done, let tuple = try scan.next() { done = take(tuple) }
            trace.stop = done ? "k rows returned" : (scan.end?.rawValue ?? "scan ended")
            trace.hnsw = .init(
                settings: settings.hnsw, searches: scan.searches, distanceComputations: scan.distanceComputations, tuples: scan.tuples,
                rounds: scan.rounds, drained: scan.drained, droppedOutOfOrder: scan.droppedOutOfOrder,
                firstCandidates: scan.searches.first(where: { $0.layer == 0 })?.result.count ?? 0)
            storedRow = { index.values.row($0) }
        case .ivfflat(let index):
            let scan = PGIVFFlatScan(index: index, query: query, settings: settings.ivfflat)
            var done = false
            while !done, let tuple = scan.next() { done = take(tuple) }
            trace.stop = done ? "k rows returned" : (scan.end?.rawValue ?? "scan ended")
            trace.ivfflat = .init(
                settings: settings.ivfflat, probes: scan.probes, maxProbes: scan.maxProbes, centerDistances: scan.centerDistances,
                listOrder: scan.listOrder, listsProbed: scan.listsProbed, entriesScored: scan.entriesScored, batches: scan.batches,
                scored: scan.scored)
            storedRow = { index.values.row($0) }
        }
        let dims = Int32(dimensions)
        var raw: [PGTupleID: [Float]] = [:]
        if opclass.normalises { raw = try rawValues(returned.map(\.0.heapTID)) }
        for (tuple, id) in returned {
            let shown: Double
            if opclass.normalises {
                guard let value = raw[tuple.heapTID] else {
                    throw FederSearchError.unsupported("the row at \(tuple.heapTID) (id \(id)) could not be read back for its distance")
                }
                let stored = try PGVectorQuery(
                    components: value, opclass: PGVectorOpclass(type: opclass.type, op: .l2), dimensions: dimensions)
                shown = stored.rawBytes.withUnsafeBytes { s in
                    query.rawBytes.withUnsafeBytes { q in
                        PGVectorDistance.shown(opclass, s.baseAddress.unsafelyUnwrapped, q.baseAddress.unsafelyUnwrapped, dims)
                    }
                }
            } else {
                shown = query.rawBytes.withUnsafeBytes { q in
                    PGVectorDistance.shown(opclass, storedRow(tuple.source), q.baseAddress.unsafelyUnwrapped, dims)
                }
            }
            trace.rows.append(
                PGVectorRow(id: id, distance: shown, tid: tuple.heapTID.description, indexDistance: tuple.distance, source: tuple.source))
        }
        return trace
    }
}
