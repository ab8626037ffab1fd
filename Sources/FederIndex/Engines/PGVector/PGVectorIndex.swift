import Foundation

/// A pgvector index opened through the engine door (`IndexFile.engine`): its pages, the visible rows of its table at
/// the snapshot (filtered by `predicate` when one is given), the settings its scans run with, and the database each
/// traced scan is checked against. Its distance is the one the index orders by (squared L2, the negative inner
/// product, L1, Hamming, Jaccard); `trace --postgres` prints the operators' own values.
///
/// Unchecked `Sendable`: everything is read once in `init` and never written after; the database is only asked
/// through `PGVectorSource`, whose connection serialises its statements.
public final class PGVectorIndex: EngineIndex, @unchecked Sendable {
    public static let engineName = "pgvector"

    public let source: PGVectorSource
    public let pages: PGVectorSource.Pages
    /// Every visible row's heap TID key → id.
    public let rowIDs: [UInt64: Int64]
    public let predicate: String?
    /// The heap TID keys the predicate keeps (nil without one).
    public let passing: Set<UInt64>?
    /// `name=value` settings every scan of this index runs with.
    public let settings: [(String, String)]
    /// The rows a query may return: visible, kept by the predicate, held by the index; in index order (elements or
    /// entries, then heap TID slots). Each row's id, heap TID and the index row its value is stored in.
    public let rowLabels: [Int64]
    public let rowTIDs: [PGTupleID]
    public let rowSources: [Int32]
    private let rowOfLabel: [Int64: Int]
    /// The partition views' input, built once on first use (its file then stays alive, so the views' map cache, keyed
    /// by that file, knows it).
    private let partitionLock = NSLock()
    private var partitionBuilt: FaissIVFIndex??

    public init(
        connectionString: String, index: String, idColumn: String? = nil, dataDirectory: String? = nil, predicate: String? = nil,
        settings: [(String, String)] = []
    ) throws {
        let source = try PGVectorSource(connectionString: connectionString, index: index, idColumn: idColumn)
        let pages = try source.readPages(dataDirectory: dataDirectory)
        let rowIDs = try source.rowIDs()
        let passing = try predicate.map { try source.rowsPassing($0) }
        var labels: [Int64] = []
        var tids: [PGTupleID] = []
        var sources: [Int32] = []
        func offer(_ tid: PGTupleID, _ row: Int) {
            // A row updated in place (HOT) is reached through the chain from the TID the index holds.
            let tid = rowIDs[tid.key] != nil ? tid : source.visibleVersion(of: tid) { rowIDs[$0.key] != nil } ?? tid
            guard let id = rowIDs[tid.key], passing?.contains(tid.key) ?? true else { return }
            labels.append(id)
            tids.append(tid)
            sources.append(Int32(row))
        }
        switch pages {
        case .hnsw(let hnsw):
            for element in 0..<hnsw.count where !hnsw.deleted[element] {
                for tid in hnsw.heapTIDs(of: element) { offer(tid, element) }
            }
        case .ivfflat(let ivf):
            for entry in 0..<ivf.heapTIDs.count { offer(ivf.heapTIDs[entry], entry) }
        }
        var rowOfLabel: [Int64: Int] = [:]
        for (row, label) in labels.enumerated() where rowOfLabel[label] == nil { rowOfLabel[label] = row }
        (self.source, self.pages, self.rowIDs, self.predicate, self.passing, self.settings) = (
            source, pages, rowIDs, predicate, passing, settings
        )
        (self.rowLabels, self.rowTIDs, self.rowSources, self.rowOfLabel) = (labels, tids, sources, rowOfLabel)
    }

    public var opclass: PGVectorOpclass { source.description.opclass }

    public var values: PGVectorValues {
        switch pages {
        case .hnsw(let hnsw): return hnsw.values
        case .ivfflat(let ivf): return ivf.values
        }
    }

    public var dimensions: Int { values.dimensions }

    public var model: IndexModel {
        let metric: Metric
        let unit: DistanceConvention.Unit
        switch opclass.op {
        case .l2: (metric, unit) = (.l2, .squaredL2)
        case .innerProduct: (metric, unit) = (.innerProduct, .negativeInnerProduct)
        case .cosine: (metric, unit) = (.cosine, .negativeInnerProduct)
        case .l1: (metric, unit) = (.l1, .l1)
        case .hamming: (metric, unit) = (.hamming, .hamming)
        case .jaccard: (metric, unit) = (.other(-1), .jaccard)
        }
        let isGraph = source.description.accessMethod == "hnsw"
        return IndexModel(
            engine: Self.engineName, type: source.description.accessMethod, dim: dimensions, count: rowLabels.count, metric: metric,
            distance: DistanceConvention(unit), labels: .signed, storesVectors: true, structures: isGraph ? [.layeredGraph] : [.partition],
            parameters: isGraph ? [.ef] : [.nprobe],
            typeName: "\(opclass) on \(source.description.columnType)")
    }

    public var summary: IndexSummary {
        let description = source.description
        var summary = IndexSummary(
            format: Self.engineName, type: description.accessMethod, dim: dimensions, count: rowLabels.count, metric: opclass.description)
        summary.typeName = model.typeName
        if opclass.type != .vector { summary.vectorType = opclass.type.rawValue }
        summary.codeSize = values.stride
        summary.fileBytes = description.size
        switch pages {
        case .hnsw(let hnsw):
            var counts = [Int](repeating: 0, count: Int(hnsw.levels.max() ?? 0) + 1)
            for element in 0..<hnsw.count where !hnsw.deleted[element] {
                for level in 0...Int(hnsw.levels[element]) { counts[level] += 1 }
            }
            let entry = hnsw.entry.map { (label: Label.signed(elementLabel($0)), node: $0) }
            summary.describeGraph(
                levelCounts: hnsw.count == 0 ? [] : counts, m: hnsw.m, efConstruction: hnsw.efConstruction, efSearch: 40, entry: entry)
            summary.deleted = hnsw.deleted.filter { $0 }.count
        case .ivfflat(let ivf):
            summary.nlist = ivf.lists
            summary.nprobe = 1
            let sizes = listSizes ?? []
            summary.listSizes = sizes
            summary.emptyLists = sizes.filter { $0 == 0 }.count
        }
        return summary
    }

    /// The id of an element's first visible heap TID (−1 when it has none: deleted or every row dead).
    public func elementLabel(_ element: Int) -> Int64 {
        guard case .hnsw(let hnsw) = pages else { return -1 }
        for tid in hnsw.heapTIDs(of: element) { if let id = rowIDs[tid.key] { return id } }
        return -1
    }

    /// The row's value as the table holds it (for cosine classes, not the normalised one the index stores): what
    /// `WHERE id = …` in a query's subselect gives the server.
    public func storedVector(label: Int64) -> [Float]? {
        (try? source.value(ofID: label)) ?? nil
    }

    public func storedSegments() -> [StoredSegment] { [] }

    public var rows: Int { rowLabels.count }

    public func label(ofRow row: Int) -> Int64 { rowLabels[row] }

    /// The first row holding `label`, nil when no row a query may return has it.
    public func row(ofLabel label: Int64) -> Int? { rowOfLabel[label] }

    /// Dead rows awaiting VACUUM (heap TIDs no row answers at the snapshot), elements VACUUM marked deleted, and for
    /// IVFFlat, centres that are exactly a stored value or each other (k-means run on fewer rows than lists, as when
    /// the index was built on a nearly empty table: pgvector warns "ivfflat index created with little data" once).
    public var healthNotes: [String] {
        var notes: [String] = []
        switch pages {
        case .hnsw(let hnsw):
            var deadTIDs = 0
            var allDead = 0
            for element in 0..<hnsw.count where !hnsw.deleted[element] {
                let tids = hnsw.heapTIDs(of: element)
                let dead = tids.filter { rowIDs[$0.key] == nil }.count
                deadTIDs += dead
                if dead == tids.count { allDead += 1 }
            }
            if deadTIDs == 0 {
                notes.append("no dead rows awaiting VACUUM")
            } else {
                notes.append(
                    "\(deadTIDs) heap TID\(deadTIDs == 1 ? "" : "s") point to dead rows awaiting VACUUM; \(allDead) element\(allDead == 1 ? " holds" : "s hold") only dead rows and still take part in every search"
                )
            }
            let marked = hnsw.deleted.filter { $0 }.count
            if marked > 0 {
                notes.append("\(marked) element\(marked == 1 ? " was" : "s were") marked deleted by VACUUM (slots inserts reuse)")
            }
        case .ivfflat(let ivf):
            let dead = ivf.heapTIDs.filter { rowIDs[$0.key] == nil }.count
            notes.append(
                dead == 0
                    ? "no dead rows awaiting VACUUM" : "\(dead) entr\(dead == 1 ? "y points" : "ies point") to dead rows awaiting VACUUM")
            let stride = ivf.centers.stride
            func bytes(_ values: PGVectorValues, _ row: Int) -> [UInt8] {
                Array(UnsafeRawBufferPointer(start: values.row(row), count: stride))
            }
            let centres = (0..<ivf.lists).map { bytes(ivf.centers, $0) }
            let duplicates = centres.count - Set(centres).count
            var stored = Set<[UInt8]>()
            for entry in 0..<ivf.heapTIDs.count { stored.insert(bytes(ivf.values, entry)) }
            let onRows = centres.filter { stored.contains($0) }.count
            if duplicates > 0 || onRows * 4 >= ivf.lists {
                notes.append(
                    "\(onRows) of \(ivf.lists) centres are exactly a stored row\(duplicates > 0 ? ", \(duplicates) repeat another" : ""): trained on too few rows (built on a nearly empty table?); REINDEX"
                )
            }
        }
        return notes
    }

    /// HNSW: each row's element (the graph's node); IVFFlat rows are not graph nodes.
    public var rowNodes: [Int]? {
        guard case .hnsw = pages else { return nil }
        return rowSources.map(Int.init)
    }

    public var layeredGraph: LayeredGraph? {
        guard case .hnsw(let hnsw) = pages else { return nil }
        let labels = (0..<hnsw.count).map(elementLabel)
        let values = hnsw.values
        return LayeredGraph(
            count: hnsw.count, dim: hnsw.dimensions, maxLevel: hnsw.entry.map { Int(hnsw.levels[$0]) } ?? -1, entryPoint: hnsw.entry ?? -1,
            m: hnsw.m, efConstruction: hnsw.efConstruction, engine: Self.engineName, hasDeleted: hnsw.deleted.contains(true),
            level: { Int(hnsw.levels[$0]) }, neighbors: { node, level, visit in hnsw.forEachNeighbor(of: node, layer: level, visit) },
            isDeleted: { $0 < hnsw.count && hnsw.deleted[$0] }, label: { labels[$0] },
            vectors: {
                guard hnsw.count <= 2_000_000 else { return nil }
                var rows: [Float] = []
                rows.reserveCapacity(hnsw.count * hnsw.dimensions)
                for element in 0..<hnsw.count { rows += values.floats(element) }
                return VectorTable(name: "pgvector elements", rows: rows, dim: hnsw.dimensions)
            })
    }

    public var listSizes: [Int]? {
        guard case .ivfflat(let ivf) = pages else { return nil }
        return (0..<ivf.lists).map { Int(ivf.listStart[$0 + 1] - ivf.listStart[$0]) }
    }
}

extension PGVectorIndex {
    /// The most floats an IVFFlat index's values are unpacked into for its views.
    static let maximumPartitionFloats = 1 << 27

    /// The IVFFlat lists as the partition views draw them: the same lists in list order, each entry's value as
    /// floats (binary16 widened, bits as 0 / 1) and the id of its row (−1 for a row not visible at the snapshot);
    /// nil for an HNSW index, or one too large to unpack (more than 2^27 floats).
    public var partitionView: FaissIVFIndex? {
        partitionLock.lock()
        defer { partitionLock.unlock() }
        if let built = partitionBuilt { return built }
        let built = buildPartitionView()
        partitionBuilt = built
        return built
    }

    private func buildPartitionView() -> FaissIVFIndex? {
        guard case .ivfflat(let ivf) = pages else { return nil }
        let sizes = (0..<ivf.lists).map { Int(ivf.listStart[$0 + 1] - ivf.listStart[$0]) }
        return FaissIVFIndex.unpacked(
            name: "\(source.description.index) lists as floats", code: "ivfflat", quantizerCode: "IxF2", dim: ivf.dimensions,
            metric: model.metric, nprobe: 1, layout: .full, listSizes: sizes, maximumFloats: Self.maximumPartitionFloats,
            centroid: { ivf.centers.floats($0) }, vector: { ivf.values.floats(Int(ivf.listStart[$0]) + $1) },
            id: { rowIDs[ivf.heapTIDs[Int(ivf.listStart[$0]) + $1].key] ?? -1 })
    }
}
