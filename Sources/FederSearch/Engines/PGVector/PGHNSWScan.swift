import FederIndex

/// `hnsw.iterative_scan` / `ivfflat.iterative_scan`.
public enum PGIterativeScan: String, Sendable, Codable, CaseIterable {
    case off
    case relaxedOrder = "relaxed_order"
    case strictOrder = "strict_order"
}

/// The settings an HNSW index scan reads (pgvector 0.8's GUCs, with their defaults).
public struct PGHNSWSettings: Sendable, Equatable, Codable {
    public var efSearch = 40
    public var iterativeScan = PGIterativeScan.off
    public var maxScanTuples = 20000
    public var scanMemMultiplier = 1

    public init(efSearch: Int = 40, iterativeScan: PGIterativeScan = .off, maxScanTuples: Int = 20000, scanMemMultiplier: Int = 1) {
        (self.efSearch, self.iterativeScan, self.maxScanTuples, self.scanMemMultiplier) = (
            efSearch, iterativeScan, maxScanTuples, scanMemMultiplier
        )
    }
}

/// One heap TID an index scan hands the executor, with the distance the index ordered it by.
public struct PGScanTuple: Sendable, Equatable {
    public var heapTID: PGTupleID
    /// The support function's value (squared L2, negative inner product, …) as a float8.
    public var distance: Double
    /// The element (HNSW) or entry (IVFFlat) it came from.
    public var source: Int
}

/// What an HNSW scan did on one layer in one search (`HnswSearchLayer`): each candidate it took from the candidate
/// heap, the bound it was held to, and what became of each of its neighbours.
public struct PGHNSWLayerSearch: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        /// Seen before in this search: no distance computed.
        case visited
        /// Scored and kept (candidate and result heaps).
        case admitted
        /// Scored and not kept (no nearer than the furthest result, or below its level); discarded for a later
        /// round when the scan is iterative.
        case rejected
    }

    public struct Event: Sendable, Equatable {
        public var to: Int
        public var distance: Double?
        public var outcome: Outcome
        /// The result it pushed out of W (ef exceeded).
        public var evicted: Int?
    }

    public struct Step: Sendable, Equatable {
        public var node: Int
        public var distance: Double
        /// The furthest result's distance when it was taken, and how many results W held.
        public var bound: Double
        public var resultSize: Int
        /// False for the candidate that ended the search (further than the bound).
        public var expanded: Bool
        public var events: [Event]
    }

    public var layer: Int
    public var ef: Int
    /// The entry candidates, in order.
    public var entries: [Int]
    public var steps: [Step]
    /// The search's answer, nearest first.
    public var result: [Int]
    public var resultDistances: [Double]
    /// Whether it ended on a candidate further than the bound (else the candidates ran out).
    public var stoppedByBound: Bool
}

/// Why an HNSW scan's stream of tuples ended (or nil while it still had tuples to give).
public enum PGScanEnd: String, Sendable, Codable {
    /// No iterative scan: the ef_search candidates were all returned.
    case candidatesReturned = "ef_search candidates returned"
    /// Iterative: every element reachable was returned.
    case graphExhausted = "graph exhausted"
    /// Iterative: `hnsw.max_scan_tuples` reached and the discarded candidates drained.
    case maxScanTuples = "max_scan_tuples reached"
    /// IVFFlat: the probed lists were all returned.
    case listsReturned = "probed lists returned"
    /// The index is empty.
    case emptyIndex = "empty index"
}

/// pgvector 0.8's HNSW index scan (`hnswscan.c`, `hnswutils.c:HnswSearchLayer`; pgvector-format.md §3), pulled one
/// heap TID at a time as the executor pulls them, so an iterative scan does exactly the rounds the server does
/// before a LIMIT is met. Ties come out as the server's pairing heaps order them.
public final class PGHNSWScan {
    public let index: PGVectorHNSW
    public let query: PGVectorQuery
    public let settings: PGHNSWSettings
    /// What each layer's searches did: the upper layers top down, then layer 0's first search and each resume.
    public private(set) var searches: [PGHNSWLayerSearch] = []
    /// Distances computed (the entry's included).
    public private(set) var distanceComputations = 0
    /// The scan's `tuples`: layer-0 entry candidates plus every newly seen layer-0 neighbour.
    public private(set) var tuples = 0
    /// Layer-0 searches (1 + resumes), and elements taken one by one from the discarded heap after the budget.
    public private(set) var rounds = 0
    public private(set) var drained = 0
    public private(set) var end: PGScanEnd?
    /// Rows a strict-order scan dropped because they came closer than one already returned.
    public private(set) var droppedOutOfOrder = 0

    private var store = PGCandidates()
    private var w: [Int32] = []
    private var started = false
    private var discarded: PGPairingHeap?
    /// The visited set of the search running (a fresh one per upper layer) and layer 0's, kept across resumes: hash
    /// sets, as the server's (a scan touches a few thousand elements of however many the index holds).
    private var visitedUpper = Set<Int32>()
    private var visitedLayerZero = Set<Int32>()
    /// Heap TIDs already handed over, by element (the server counts its element's `heaptidsLength` down).
    private var consumed: [Int32: UInt8] = [:]
    private var previousDistance = -Double.infinity
    private let dims: Int32

    /// Whether each step's neighbours are recorded (for views and explanations); the counts are kept either way.
    public let record: Bool

    public init(index: PGVectorHNSW, query: PGVectorQuery, settings: PGHNSWSettings, record: Bool = true) {
        (self.index, self.query, self.settings, self.record) = (index, query, settings, record)
        dims = Int32(index.dimensions)
    }

    @inline(__always) private func distance(_ element: Int) -> Double {
        query.scanBytes.withUnsafeBytes { q in
            PGVectorDistance.scan(query.opclass, q.baseAddress.unsafelyUnwrapped, index.values.row(element), dims)
        }
    }

    /// The next heap TID, or nil when the scan has no more.
    /// - Throws: `FederSearchError.scanFailed` where the server would raise an error (a deleted element reached).
    public func next() throws -> PGScanTuple? {
        if !started {
            started = true
            try begin()
        }
        while true {
            if w.isEmpty {
                guard settings.iterativeScan != .off else {
                    if end == nil { end = discarded == nil && index.entry == nil ? .emptyIndex : .candidatesReturned }
                    return nil
                }
                guard discarded != nil else {
                    end = .emptyIndex
                    return nil
                }
                if tuples >= settings.maxScanTuples {
                    guard let heap = discarded, !heap.isEmpty else {
                        end = .maxScanTuples
                        return nil
                    }
                    var taken = heap
                    let node = taken.removeFirst(&store)
                    discarded = taken
                    w = [PGCandidates.candidate(ofNode: node)]
                    drained += 1
                } else {
                    try resume()
                }
                if w.isEmpty {
                    end = .graphExhausted
                    return nil
                }
            }
            guard let candidate = w.last else { continue }
            let element = Int(store.element[Int(candidate)])
            let taken = Int(consumed[Int32(element), default: 0])
            let left = Int(index.heapStart[element + 1] - index.heapStart[element]) - taken
            if left <= 0 {
                w.removeLast()
                continue
            }
            consumed[Int32(element)] = UInt8(taken + 1)
            let distance = store.distance[Int(candidate)]
            let tid = index.heapTIDs[Int(index.heapStart[element]) + left - 1]
            if settings.iterativeScan == .strictOrder {
                if distance < previousDistance {
                    droppedOutOfOrder += 1
                    continue
                }
                previousDistance = distance
            }
            return PGScanTuple(heapTID: tid, distance: distance, source: element)
        }
    }

    /// `GetScanItems`: the entry point, ef 1 on every upper layer, ef_search on layer 0.
    private func begin() throws {
        guard let entry = index.entry else { return }
        let entryDistance = distance(entry)
        distanceComputations += 1
        var ep = [store.make(element: entry, distance: entryDistance)]
        let top = Int(index.levels[entry])
        if top >= 1 {
            for layer in stride(from: top, through: 1, by: -1) {
                ep = try searchLayer(entries: ep, ef: 1, layer: layer, initVisited: true, layerZero: false)
            }
        }
        if settings.iterativeScan != .off { discarded = PGPairingHeap(nearestFirst: true) }
        rounds += 1
        w = try searchLayer(entries: ep, ef: settings.efSearch, layer: 0, initVisited: true, layerZero: true)
    }

    /// `ResumeScanItems`: up to ef_search discarded candidates, nearest first, as the entries of another layer-0
    /// search that keeps the visited set.
    private func resume() throws {
        guard var heap = discarded, !heap.isEmpty else {
            w = []
            return
        }
        var ep: [Int32] = []
        while ep.count < settings.efSearch, !heap.isEmpty {
            ep.append(PGCandidates.candidate(ofNode: heap.removeFirst(&store)))
        }
        discarded = heap
        rounds += 1
        w = try searchLayer(entries: ep, ef: settings.efSearch, layer: 0, initVisited: false, layerZero: true)
    }

    /// `HnswSearchLayer` on the on-disk path: returns W furthest first (the scan returns from its end).
    private func searchLayer(entries: [Int32], ef: Int, layer: Int, initVisited: Bool, layerZero: Bool) throws -> [Int32] {
        var c = PGPairingHeap(nearestFirst: true)
        var results = PGPairingHeap(nearestFirst: false)
        var wlen = 0
        var wsize = 0
        if initVisited {
            if layerZero { visitedLayerZero.removeAll(keepingCapacity: true) } else { visitedUpper.removeAll(keepingCapacity: true) }
        }
        var log = PGHNSWLayerSearch(
            layer: layer, ef: ef, entries: entries.map { Int(store.element[Int($0)]) }, steps: [], result: [], resultDistances: [],
            stoppedByBound: false)
        for candidate in entries {
            if initVisited {
                if layerZero {
                    visitedLayerZero.insert(store.element[Int(candidate)])
                } else {
                    visitedUpper.insert(store.element[Int(candidate)])
                }
                if layerZero { tuples += 1 }
            }
            c.add(PGCandidates.cNode(candidate), &store)
            results.add(PGCandidates.wNode(candidate), &store)
            wlen += 1
            wsize += 1
        }
        var unvisited: [Int] = []
        while !c.isEmpty {
            let nearest = PGCandidates.candidate(ofNode: c.removeFirst(&store))
            let furthest = PGCandidates.candidate(ofNode: results.root)
            let from = Int(store.element[Int(nearest)])
            var step = PGHNSWLayerSearch.Step(
                node: from, distance: store.distance[Int(nearest)], bound: store.distance[Int(furthest)], resultSize: wsize, expanded: true,
                events: [])
            if store.distance[Int(nearest)] > store.distance[Int(furthest)] {
                step.expanded = false
                log.steps.append(step)
                log.stoppedByBound = true
                break
            }
            unvisited.removeAll(keepingCapacity: true)
            index.forEachNeighbor(of: from, layer: layer) { neighbor in
                let fresh =
                    layerZero ? visitedLayerZero.insert(Int32(neighbor)).inserted : visitedUpper.insert(Int32(neighbor)).inserted
                if fresh {
                    unvisited.append(neighbor)
                } else if record {
                    step.events.append(.init(to: neighbor, distance: nil, outcome: .visited, evicted: nil))
                }
            }
            if layerZero { tuples += unvisited.count }
            for element in unvisited {
                let furthestDistance = store.distance[Int(PGCandidates.candidate(ofNode: results.root))]
                let alwaysAdd = wlen < ef
                if index.deleted[element] {
                    throw FederSearchError.scanFailed(
                        "\(index.relation): the scan reaches element \(index.tids[element]), which is marked deleted; the server stops here with \"cannot load deleted element\" (a VACUUM of the table repairs the graph)"
                    )
                }
                let d = distance(element)
                distanceComputations += 1
                guard d < furthestDistance || alwaysAdd else {
                    if record { step.events.append(.init(to: element, distance: d, outcome: .rejected, evicted: nil)) }
                    if layerZero, var heap = discarded {
                        let discardedCandidate = store.make(element: element, distance: d)
                        heap.add(PGCandidates.wNode(discardedCandidate), &store)
                        discarded = heap
                    }
                    continue
                }
                if Int(index.levels[element]) < layer {
                    if record { step.events.append(.init(to: element, distance: d, outcome: .rejected, evicted: nil)) }
                    continue
                }
                let candidate = store.make(element: element, distance: d)
                c.add(PGCandidates.cNode(candidate), &store)
                results.add(PGCandidates.wNode(candidate), &store)
                wlen += 1
                wsize += 1
                var evicted: Int?
                if wlen > ef {
                    let out = results.removeFirst(&store)
                    wsize -= 1
                    evicted = Int(store.element[Int(PGCandidates.candidate(ofNode: out))])
                    if layerZero, var heap = discarded {
                        heap.add(out, &store)
                        discarded = heap
                    }
                }
                if record { step.events.append(.init(to: element, distance: d, outcome: .admitted, evicted: evicted)) }
            }
            log.steps.append(step)
        }
        var out: [Int32] = []
        while !results.isEmpty { out.append(PGCandidates.candidate(ofNode: results.removeFirst(&store))) }
        log.result = out.reversed().map { Int(store.element[Int($0)]) }
        log.resultDistances = out.reversed().map { store.distance[Int($0)] }
        searches.append(log)
        return out
    }
}
