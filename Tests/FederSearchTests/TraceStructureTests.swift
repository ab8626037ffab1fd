import CFederKernels
import FederIndex
import FederSearch
import FederTestSupport
import Foundation
import XCTest

/// The traces themselves, step by step, against a second and deliberately plain replay of each search
/// written here from the libraries' algorithms (faiss `HNSW::search` / `greedy_update_nearest` /
/// `search_from_candidates` with `MinimaxHeap`, hnswlib `searchKnn` / `searchBaseLayerST` with libstdc++'s
/// `std::priority_queue`, faiss `IndexIVF::search` for IVFFlat). The replay reads the index only through its
/// public model (link lists, levels, stored vectors) and scores with the same kernels the tool uses, so every
/// float must agree bit for bit; heaps here are the simplest structures with the libraries' tie rules (the
/// faiss k-result heap as an array whose top is the extreme of its total order).
///
/// Checked field by field: each upper level's passes (every scored edge), path and exit distance; every
/// layer-0 pop (node, distance, bound, result size, expanded) and each neighbour's outcome (already visited /
/// admitted / rejected, entered results, the node it evicted); the stop reason, layer-0 visited count,
/// visited order, results, counts, and `nodeLabels` (IDMap ids, hnswlib labels). IVF: every centroid
/// distance, the probe order and list sizes, and every scanned vector with its distance and admission.
final class TraceStructureTests: XCTestCase {
    // MARK: Driving every fixture

    func testHNSWTracesMatchAPlainReplayStepByStep() throws {
        let manifest = try FixtureManifest.load()
        var traced = 0
        var sawDeletedTraversal = false
        var sawLabels = false
        var sawEviction = false
        var sawStops: Set<String> = []
        for fixture in manifest.fixtures {
            let space = fixture.space.flatMap(Metric.init(name:)) ?? .l2
            let file = try IndexFile.open(path: manifest.path(of: fixture), space: space)
            let parameters: [(k: Int, ef: Int?)] = [(1, nil), (5, 8), (10, 16), (10, 4), (20, 64)]
            switch file {
            case .hnswlib(let index):
                for (row, query) in try queries(for: fixture, in: manifest, file: file).enumerated() {
                    for (k, ef) in parameters {
                        let label = "\(fixture.name) query \(row) k=\(k) ef=\(ef.map(String.init) ?? "default")"
                        let (trace, _) = try Searcher.trace(file, query: query, request: SearchRequest(k: k, ef: ef))
                        let expected = replayHNSWLib(index, query: query, k: k, ef: ef ?? Searcher.hnswlibDefaultEf)
                        compareHNSW(trace, expected, label: label)
                        traced += 1
                        sawStops.insert(expected.stop)
                        if expected.nodeLabels != nil { sawLabels = true }
                        if expected.steps.contains(where: { $0.events.contains { $0.evicted != nil } }) { sawEviction = true }
                        if index.deletedCount > 0, expected.visited.contains(where: index.isDeleted) { sawDeletedTraversal = true }
                    }
                }
            case .faiss(let faiss):
                var inner = faiss
                var ids: MappedArray<Int64>?
                if case .idMap(let map) = faiss {
                    inner = map.inner
                    ids = map.ids
                }
                // PQ and SQ storage have replays of their own.
                guard case .hnsw(let index) = inner, index.flatStorage != nil else { continue }
                for (row, query) in try queries(for: fixture, in: manifest, file: file).enumerated() {
                    for (k, ef) in parameters {
                        let label = "\(fixture.name) query \(row) k=\(k) ef=\(ef.map(String.init) ?? "default")"
                        let (trace, _) = try Searcher.trace(file, query: query, request: SearchRequest(k: k, ef: ef))
                        let expected = replayFaissHNSW(index, ids: ids, query: query, k: k, efSearch: ef ?? index.graph.efSearch)
                        compareHNSW(trace, expected, label: label)
                        traced += 1
                        sawStops.insert(expected.stop)
                        if expected.nodeLabels != nil { sawLabels = true }
                        if expected.steps.contains(where: { $0.events.contains { $0.evicted != nil } }) { sawEviction = true }
                    }
                }
            case .engine:
                continue
            }
        }
        XCTAssertGreaterThan(traced, 250, "every HNSW fixture is replayed")
        XCTAssertTrue(sawDeletedTraversal, "the deleted-elements fixture is traversed through deleted nodes")
        XCTAssertTrue(sawLabels, "some fixture maps internal ids to other labels")
        XCTAssertTrue(sawEviction, "some search evicts from its result set")
        XCTAssertTrue(
            sawStops.isSuperset(of: ["enoughBetterCandidates", "candidateWorseThanBound", "emptyIndex"]),
            "stop reasons seen: \(sawStops.sorted())")
    }

    func testIVFTracesMatchAPlainReplay() throws {
        let manifest = try FixtureManifest.load()
        var traced = 0
        var sawEmptyProbe = false
        var sawPadding = false
        for fixture in manifest.fixtures {
            let file = try IndexFile.open(path: manifest.path(of: fixture))
            guard case .faiss(let faiss) = file else { continue }
            var inner = faiss
            var ids: MappedArray<Int64>?
            if case .idMap(let map) = faiss {
                inner = map.inner
                ids = map.ids
            }
            // The replay ranks centroids as a flat quantizer does; an HNSW quantizer's search is the HNSW replay's.
            guard case .ivf(let index) = inner, case .flat = index.encoding, case .flat = index.quantizer else { continue }
            let parameters: [(k: Int, nprobe: Int?)] = [(1, 1), (10, 3), (50, index.nlist), (5, index.nlist + 2), (5, nil)]
            for (row, query) in try queries(for: fixture, in: manifest, file: file).enumerated() {
                for (k, nprobe) in parameters {
                    let label = "\(fixture.name) query \(row) k=\(k) nprobe=\(nprobe.map(String.init) ?? "saved")"
                    let (trace, _) = try Searcher.trace(file, query: query, request: SearchRequest(k: k, nprobe: nprobe))
                    let expected = replayIVF(index, ids: ids, query: query, k: k, nprobe: nprobe ?? index.nprobe)
                    compareIVF(trace, expected, label: label)
                    traced += 1
                    if expected.probes.contains(where: { $0.size == 0 }) { sawEmptyProbe = true }
                    if expected.results.contains(where: { $0.id == -1 }) { sawPadding = true }
                }
            }
        }
        XCTAssertGreaterThan(traced, 300, "every IVFFlat fixture is replayed")
        XCTAssertTrue(sawEmptyProbe, "some search probes an empty list")
        XCTAssertTrue(sawPadding, "some search finds fewer than k and pads")
    }

    /// The fixture's queries plus one stored vector (an exact hit, so distance 0 and, on integer data, ties).
    private func queries(for fixture: FixtureManifest.Fixture, in manifest: FixtureManifest, file: IndexFile) throws -> [[Float]] {
        var rows: [[Float]] = []
        if let path = manifest.queriesPath(of: fixture) {
            let table = try VectorFile.read(path: path)
            rows = (0..<min(table.count, 4)).map(table.row)
        }
        var stored: [Float]?
        let dim = file.dim
        file.forEachStoredVector { _, pointer in
            if stored == nil { stored = (0..<dim).map { pointer.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
        }
        if let stored { rows.append(stored) }
        if rows.isEmpty { rows.append(Array(repeating: 0.5, count: dim)) }
        return rows
    }

    // MARK: Expected values

    struct Event: Equatable, CustomStringConvertible {
        var id: Int
        var distance: Float?
        var outcome: String
        var entered: Bool?
        var evicted: Int?

        var description: String {
            "\(id) \(outcome) d=\(distance.map { "\($0)" } ?? "-") entered=\(entered.map { "\($0)" } ?? "-") evicted=\(evicted.map(String.init) ?? "-")"
        }
    }

    struct Step: Equatable {
        var node: Int
        var distance: Float
        var bound: Float
        var resultSize: Int
        var expanded: Bool
        var events: [Event]
    }

    struct Edge: Equatable {
        var from: Int
        var to: Int
        var distance: Float
    }

    struct Upper: Equatable {
        var level: Int
        var passes: [[Edge]]
        var path: [Int]
        var exit: Float
    }

    struct Result: Equatable {
        var id: Int64
        var distance: Float
        var internalID: Int
    }

    struct ExpectedHNSW {
        var kind: String
        var entryPoint: Int
        var entryDistance: Float
        var upper: [Upper] = []
        var level0Entry: Int
        var ef: Int
        var steps: [Step] = []
        var stop: String
        var visitedCount = 0
        var visited: [Int] = []
        var results: [Result] = []
        var distanceComputations = 0
        var hops: Int?
        var nodeLabels: [Int: Int64]?
    }

    struct ExpectedIVF {
        var kind: String
        var nprobe: Int
        var centroidDistances: [Float] = []
        var probes: [(rank: Int, list: Int, size: Int, distance: Float)] = []
        var scanned: [(id: Int64, list: Int, distance: Float, admitted: Bool)] = []
        var results: [Result] = []
        var probedLists = 0
        var nodeLabels: [Int: Int64]?
    }

    // MARK: Plain heaps with the libraries' tie rules

    /// Which way is better, and faiss's `CMax` (L2) / `CMin` (inner product) comparators.
    struct Direction {
        var smallerIsBetter: Bool

        func better(_ a: Float, _ b: Float) -> Bool { smallerIsBetter ? a < b : a > b }

        /// `C::cmp2`: (a, ia) sits above (b, ib) in faiss's heaps, i.e. is worse, ties by id.
        func above(_ a: Float, _ ia: Int64, _ b: Float, _ ib: Int64) -> Bool {
            smallerIsBetter ? (a > b || (a == b && ia > ib)) : (a < b || (a == b && ia < ib))
        }

        var neutral: Float { smallerIsBetter ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude }
    }

    /// faiss's k-result heap: k slots starting neutral with id −1; the top is whichever entry sits above all
    /// others under `cmp2` (a total order, so any heap layout has this top); a candidate enters only when
    /// strictly better than the top, and replaces it.
    struct ResultSlots {
        var entries: [(distance: Float, id: Int64)]
        let direction: Direction

        init(k: Int, direction: Direction) {
            entries = Array(repeating: (direction.neutral, -1), count: k)
            self.direction = direction
        }

        var topSlot: Int {
            var top = 0
            for slot in entries.indices.dropFirst()
            where direction.above(entries[slot].distance, entries[slot].id, entries[top].distance, entries[top].id) {
                top = slot
            }
            return top
        }

        var threshold: Float { entries[topSlot].distance }
        var filled: Int { entries.filter { $0.id != -1 }.count }

        /// - Returns: whether it entered, and the id it replaced.
        mutating func offer(_ distance: Float, id: Int64) -> (entered: Bool, replaced: Int64) {
            let top = topSlot
            guard direction.better(distance, entries[top].distance) else { return (false, -1) }
            let replaced = entries[top].id
            entries[top] = (distance, id)
            return (true, replaced)
        }

        /// Best first; ties as `heap_reorder` leaves them (L2 ascending id, IP descending id); padding last.
        func sorted() -> [(distance: Float, id: Int64)] {
            let real = entries.filter { $0.id != -1 }.sorted { a, b in
                if a.distance != b.distance { return direction.better(a.distance, b.distance) }
                return direction.smallerIsBetter ? a.id < b.id : a.id > b.id
            }
            return real + Array(repeating: (direction.neutral, -1), count: entries.count - real.count)
        }
    }

    /// faiss `HNSW::MinimaxHeap`: `heap_push` / `heap_pop` of `utils/Heap.h` on the comparator's heap (top =
    /// worst), `pop_min` scanning from the last slot down for the strictly best live entry and marking it −1,
    /// `count_below` counting every slot (popped ones too) strictly better than the threshold.
    struct Minimax {
        let capacity: Int
        let direction: Direction
        var size = 0
        var live = 0
        var ids: [Int32]
        var dis: [Float]

        init(capacity: Int, direction: Direction) {
            self.capacity = capacity
            self.direction = direction
            ids = Array(repeating: -1, count: capacity)
            dis = Array(repeating: 0, count: capacity)
        }

        private func above(_ a: Int, _ b: Int) -> Bool {
            direction.above(dis[a - 1], Int64(ids[a - 1]), dis[b - 1], Int64(ids[b - 1]))
        }

        /// - Returns: whether the entry was stored.
        mutating func push(_ id: Int32, _ value: Float) -> Bool {
            if size == capacity {
                if !direction.better(value, dis[0]) { return false }
                if ids[0] != -1 { live -= 1 }
                heapPop()
                size -= 1
            }
            size += 1
            // heap_push, 1-based positions.
            var i = size
            while i > 1 {
                let father = i >> 1
                if !direction.above(value, Int64(id), dis[father - 1], Int64(ids[father - 1])) { break }
                dis[i - 1] = dis[father - 1]
                ids[i - 1] = ids[father - 1]
                i = father
            }
            dis[i - 1] = value
            ids[i - 1] = id
            live += 1
            return true
        }

        /// heap_pop over `size` entries: the last one sifts down from the top.
        private mutating func heapPop() {
            let k = size
            let value = dis[k - 1]
            let id = ids[k - 1]
            var i = 1
            while true {
                let i1 = 2 * i
                let i2 = i1 + 1
                if i1 > k { break }
                let child = (i2 == k + 1 || above(i1, i2)) ? i1 : i2
                if direction.above(value, Int64(id), dis[child - 1], Int64(ids[child - 1])) { break }
                dis[i - 1] = dis[child - 1]
                ids[i - 1] = ids[child - 1]
                i = child
            }
            dis[i - 1] = value
            ids[i - 1] = id
        }

        mutating func popMin() -> (id: Int, distance: Float)? {
            var i = size - 1
            while i >= 0, ids[i] == -1 { i -= 1 }
            if i < 0 { return nil }
            var best = i
            i -= 1
            while i >= 0 {
                if ids[i] != -1, direction.better(dis[i], dis[best]) { best = i }
                i -= 1
            }
            let id = Int(ids[best])
            ids[best] = -1
            live -= 1
            return (id, dis[best])
        }

        func countBelow(_ threshold: Float) -> Int {
            (0..<size).filter { direction.better(dis[$0], threshold) }.count
        }
    }

    /// `std::priority_queue<pair<float, id>, vector, CompareByFirst>` as libstdc++ runs it: a max-heap on the
    /// key alone, `push_heap` sifting up while the parent is strictly less, `pop_heap` moving the hole to a
    /// leaf (right child unless the left is strictly greater) and pushing the old last element back up.
    struct LibstdcxxQueue {
        var heap: [(key: Float, id: Int)] = []

        var isEmpty: Bool { heap.isEmpty }
        var count: Int { heap.count }
        var top: (key: Float, id: Int) { heap[0] }

        mutating func push(_ key: Float, _ id: Int) {
            heap.append((key, id))
            siftUp(hole: heap.count - 1, top: 0, value: (key, id))
        }

        private mutating func siftUp(hole start: Int, top: Int, value: (key: Float, id: Int)) {
            var hole = start
            var parent = (hole - 1) / 2
            while hole > top, heap[parent].key < value.key {
                heap[hole] = heap[parent]
                hole = parent
                parent = (hole - 1) / 2
            }
            heap[hole] = value
        }

        @discardableResult
        mutating func pop() -> (key: Float, id: Int) {
            let first = heap[0]
            let length = heap.count - 1
            if length > 0 {
                let value = heap[length]
                heap[length] = first
                // __adjust_heap(first, 0, length, value)
                var hole = 0
                var child = 0
                while child < (length - 1) / 2 {
                    child = 2 * (child + 1)
                    if heap[child].key < heap[child - 1].key { child -= 1 }
                    heap[hole] = heap[child]
                    hole = child
                }
                if length % 2 == 0, child == (length - 2) / 2 {
                    child = 2 * (child + 1)
                    heap[hole] = heap[child - 1]
                    hole = child - 1
                }
                siftUp(hole: hole, top: 0, value: value)
            }
            heap.removeLast()
            return first
        }
    }

    // MARK: faiss HNSW replay

    func replayFaissHNSW(_ index: FaissHNSWIndex, ids labelMap: MappedArray<Int64>?, query: [Float], k: Int, efSearch: Int)
        -> ExpectedHNSW
    {
        let graph = index.graph
        guard let table = index.flatStorage?.vectors else { preconditionFailure("flat storage") }
        let direction = Direction(smallerIsBetter: index.header.metric != .innerProduct)
        let ef = max(efSearch, k)
        var expected = ExpectedHNSW(
            kind: labelMap == nil ? "hnsw" : "idmap/hnsw", entryPoint: graph.entryPoint, entryDistance: 0,
            level0Entry: graph.entryPoint, ef: ef, stop: "candidatesExhausted")
        let kernel = FaissKernel(index.header.metric) ?? .l2
        func distance(_ node: Int) -> Float {
            query.withUnsafeBytes { q in kernel(q.baseAddress!, table.rowPointer(node), dim: table.dim) }
        }
        var scored: Set<Int> = []
        func score(_ node: Int) -> Float {
            if scored.insert(node).inserted { expected.visited.append(node) }
            return distance(node)
        }
        func neighbors(_ node: Int, _ level: Int) -> [Int] {
            var list: [Int] = []
            for slot in graph.slotRange(node: node, level: level) {
                let neighbor = Int(graph.neighbors[slot])
                if neighbor < 0 { break }
                list.append(neighbor)
            }
            return list
        }

        // greedy_update_nearest on every level above 0 (the entry point's distance is not counted in ndis).
        var nearest = graph.entryPoint
        var nearestDistance = score(nearest)
        expected.entryDistance = nearestDistance
        var ndis = 0
        var hops = 0
        for level in stride(from: graph.maxLevel, through: 1, by: -1) {
            var upper = Upper(level: level, passes: [], path: [nearest], exit: 0)
            while true {
                let previous = nearest
                var pass: [Edge] = []
                for neighbor in neighbors(previous, level) {
                    let d = score(neighbor)
                    ndis += 1
                    pass.append(Edge(from: previous, to: neighbor, distance: d))
                    if direction.better(d, nearestDistance) {
                        nearest = neighbor
                        nearestDistance = d
                        upper.path.append(neighbor)
                    }
                }
                upper.passes.append(pass)
                hops += 1
                if nearest == previous { break }
            }
            upper.exit = nearestDistance
            expected.upper.append(upper)
        }

        // search_from_candidates on level 0, seeded with the descent's result.
        expected.level0Entry = nearest
        var results = ResultSlots(k: k, direction: direction)
        var candidates = Minimax(capacity: ef, direction: direction)
        _ = candidates.push(Int32(nearest), nearestDistance)
        _ = results.offer(nearestDistance, id: Int64(nearest))
        var visited0: Set<Int> = [nearest]
        while candidates.live > 0 {
            guard let (node, d0) = candidates.popMin() else { break }
            var step = Step(
                node: node, distance: d0, bound: results.threshold, resultSize: results.filled, expanded: false, events: [])
            if candidates.countBelow(d0) >= efSearch {
                expected.steps.append(step)
                expected.stop = "enoughBetterCandidates"
                break
            }
            step.expanded = true
            for neighbor in neighbors(node, 0) {
                guard visited0.insert(neighbor).inserted else {
                    step.events.append(Event(id: neighbor, distance: nil, outcome: "visited"))
                    continue
                }
                let d = score(neighbor)
                ndis += 1
                let (entered, replaced) = results.offer(d, id: Int64(neighbor))
                let stored = candidates.push(Int32(neighbor), d)
                step.events.append(
                    Event(
                        id: neighbor, distance: d, outcome: stored ? "admitted" : "rejected", entered: entered,
                        evicted: entered && replaced >= 0 ? Int(replaced) : nil))
            }
            expected.steps.append(step)
            hops += 1
        }
        expected.visitedCount = visited0.count
        expected.distanceComputations = ndis
        expected.hops = hops
        expected.results = results.sorted().map { entry in
            let label = entry.id >= 0 ? (labelMap.map { $0[Int(entry.id)] } ?? entry.id) : entry.id
            return Result(id: label, distance: entry.distance, internalID: Int(entry.id))
        }
        if let labelMap {
            expected.nodeLabels = Dictionary(uniqueKeysWithValues: expected.visited.map { ($0, labelMap[$0]) })
        }
        return expected
    }

    // MARK: hnswlib replay

    func replayHNSWLib(_ index: HNSWLibIndex, query rawQuery: [Float], k: Int, ef requestedEf: Int) -> ExpectedHNSW {
        let ef = max(requestedEf, k)
        guard index.count > 0, index.entryPoint >= 0 else {
            return ExpectedHNSW(
                kind: "hnswlib", entryPoint: -1, entryDistance: 0, level0Entry: -1, ef: ef, stop: "emptyIndex")
        }
        // normalize_vector: x · 1 / (sqrt(Σx²) + 1e-30), in float, Σx² summed as the library's build sums it.
        var query = rawQuery
        if index.space == .cosine {
            let norm = rawQuery.withUnsafeBytes { feder_hnswlib_squared_norm($0.baseAddress, rawQuery.count) }
            let scale = 1 / (norm.squareRoot() + 1e-30)
            query = rawQuery.map { $0 * scale }
        }
        var expected = ExpectedHNSW(
            kind: "hnswlib", entryPoint: index.entryPoint, entryDistance: 0, level0Entry: index.entryPoint, ef: ef,
            stop: "candidatesExhausted")
        var computations = 0
        var scored: Set<Int> = []
        func score(_ node: Int) -> Float {
            if scored.insert(node).inserted { expected.visited.append(node) }
            computations += 1
            return query.withUnsafeBytes { q in
                index.space == .l2
                    ? feder_hnswlib_l2sqr(q.baseAddress!, index.vectorPointer(node), index.dim)
                    : 1 - feder_hnswlib_inner_product(q.baseAddress!, index.vectorPointer(node), index.dim)
            }
        }
        func links(_ node: Int, _ level: Int) -> [Int] {
            let list = index.linkList(of: node, level: level)
            return (0..<list.count).map { Int(list.ids.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) }
        }

        // searchKnn: greedy descent, repeating passes while one moves.
        var current = index.entryPoint
        var currentDistance = score(current)
        expected.entryDistance = currentDistance
        var hops = 0
        for level in stride(from: index.maxLevel, to: 0, by: -1) {
            var upper = Upper(level: level, passes: [], path: [current], exit: 0)
            var changed = true
            while changed {
                changed = false
                let start = current
                var pass: [Edge] = []
                hops += 1
                for node in links(start, level) {
                    let d = score(node)
                    pass.append(Edge(from: start, to: node, distance: d))
                    if d < currentDistance {
                        currentDistance = d
                        current = node
                        changed = true
                        upper.path.append(node)
                    }
                }
                upper.passes.append(pass)
            }
            upper.exit = currentDistance
            expected.upper.append(upper)
        }

        // searchBaseLayerST<bare_bone_search = no deleted elements>.
        let bareBone = index.deletedCount == 0
        let entry = current
        expected.level0Entry = entry
        var top = LibstdcxxQueue()
        var candidates = LibstdcxxQueue()
        var lowerBound: Float
        if bareBone || !index.isDeleted(entry) {
            let d = score(entry)
            lowerBound = d
            top.push(d, entry)
            candidates.push(-d, entry)
        } else {
            lowerBound = .greatestFiniteMagnitude
            candidates.push(-lowerBound, entry)
        }
        var visited0: Set<Int> = [entry]
        while !candidates.isEmpty {
            let candidateDistance = -candidates.top.key
            let node = candidates.top.id
            var step = Step(
                node: node, distance: candidateDistance, bound: lowerBound, resultSize: top.count, expanded: false,
                events: [])
            let stop = bareBone ? candidateDistance > lowerBound : candidateDistance > lowerBound && top.count == ef
            if stop {
                expected.steps.append(step)
                expected.stop = "candidateWorseThanBound"
                break
            }
            candidates.pop()
            hops += 1
            step.expanded = true
            for neighbor in links(node, 0) {
                guard visited0.insert(neighbor).inserted else {
                    step.events.append(Event(id: neighbor, distance: nil, outcome: "visited"))
                    continue
                }
                let d = score(neighbor)
                guard top.count < ef || lowerBound > d else {
                    step.events.append(Event(id: neighbor, distance: d, outcome: "rejected"))
                    continue
                }
                candidates.push(-d, neighbor)
                var entered = false
                if bareBone || !index.isDeleted(neighbor) {
                    top.push(d, neighbor)
                    entered = true
                }
                var evicted: Int?
                while top.count > ef { evicted = top.pop().id }
                if !top.isEmpty { lowerBound = top.top.key }
                step.events.append(
                    Event(id: neighbor, distance: d, outcome: "admitted", entered: entered && evicted != neighbor, evicted: evicted))
            }
            expected.steps.append(step)
        }
        expected.visitedCount = visited0.count
        expected.distanceComputations = computations
        expected.hops = hops

        while top.count > k { top.pop() }
        var kept: [Result] = []
        while !top.isEmpty {
            let (d, id) = top.pop()
            kept.append(Result(id: Int64(bitPattern: index.label(id)), distance: d, internalID: id))
        }
        // knn_query lists the (distance, label) pairs ascending.
        expected.results = kept.sorted {
            $0.distance != $1.distance ? $0.distance < $1.distance : UInt64(bitPattern: $0.id) < UInt64(bitPattern: $1.id)
        }
        if expected.visited.contains(where: { index.label($0) != UInt64($0) }) {
            expected.nodeLabels = Dictionary(
                uniqueKeysWithValues: expected.visited.map { ($0, Int64(bitPattern: index.label($0))) })
        }
        return expected
    }

    // MARK: IVF replay

    func replayIVF(_ index: FaissIVFIndex, ids labelMap: MappedArray<Int64>?, query: [Float], k: Int, nprobe requested: Int)
        -> ExpectedIVF
    {
        let direction = Direction(smallerIsBetter: index.header.metric != .innerProduct)
        let nprobe = min(requested, index.nlist)
        var expected = ExpectedIVF(kind: labelMap == nil ? "ivf" : "idmap/ivf", nprobe: nprobe)
        let dim = index.header.dim
        func distance(_ pointer: UnsafeRawPointer, by kernel: FaissKernel) -> Float {
            query.withUnsafeBytes { q in kernel(q.baseAddress!, pointer, dim: dim) }
        }
        let kernel = FaissKernel(index.header.metric) ?? .l2
        func distance(_ pointer: UnsafeRawPointer) -> Float { distance(pointer, by: kernel) }
        // The coarse quantizer: a flat k = nprobe search over the centroids, by the quantizer's own metric.
        guard case .flat(let quantizer) = index.quantizer else { fatalError("a flat quantizer was checked for") }
        let coarseDirection = Direction(smallerIsBetter: quantizer.header.metric != .innerProduct)
        let centroids = index.centroids!
        var coarse = ResultSlots(k: nprobe, direction: coarseDirection)
        for list in 0..<index.nlist {
            let d = distance(centroids.rowPointer(list), by: FaissKernel(quantizer.header.metric) ?? .l2)
            expected.centroidDistances.append(d)
            _ = coarse.offer(d, id: Int64(list))
        }
        var results = ResultSlots(k: k, direction: direction)
        for (rank, entry) in coarse.sorted().enumerated() where entry.id >= 0 {
            let list = Int(entry.id)
            let inverted = index.invertedLists.lists[list]
            expected.probes.append((rank, list, inverted.size, entry.distance))
            if inverted.size == 0 { continue }
            expected.probedLists += 1
            let codes = inverted.ids.file.baseAddress + inverted.codesOffset
            for offset in 0..<inverted.size {
                let d = distance(codes + offset * index.invertedLists.codeSize)
                let id = inverted.ids[offset]
                let (entered, _) = results.offer(d, id: id)
                expected.scanned.append((id, list, d, entered))
            }
        }
        expected.results = results.sorted().map { entry in
            let label = entry.id >= 0 ? (labelMap.map { $0[Int(entry.id)] } ?? entry.id) : entry.id
            return Result(id: label, distance: entry.distance, internalID: Int(entry.id))
        }
        if let labelMap {
            expected.nodeLabels = Dictionary(
                expected.scanned.map { (Int($0.id), labelMap[Int($0.id)]) }, uniquingKeysWith: { first, _ in first })
        }
        return expected
    }

    // MARK: Comparison

    private func compareHNSW(
        _ trace: SearchTrace, _ expected: ExpectedHNSW, label: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        var problems: [String] = []
        func check<T: Equatable>(_ got: T, _ want: T, _ what: String) {
            if got != want { problems.append("\(what): trace \(got), replay \(want)") }
        }
        check(trace.kind.rawValue, expected.kind, "kind")
        check(trace.results.map { Result(id: $0.id, distance: $0.distance, internalID: $0.internalID) }, expected.results, "results")
        check(trace.nodeLabels?.dictionary, expected.nodeLabels, "nodeLabels")
        check(trace.counts.distanceComputations, expected.distanceComputations, "distanceComputations")
        check(trace.counts.visited, expected.visited.count, "counts.visited")
        check(trace.counts.hops, expected.hops, "hops")
        guard let hnsw = trace.hnsw else {
            // faiss leaves the structure out for an empty index; hnswlib records it.
            if expected.stop != "emptyIndex" || expected.kind == "hnswlib" { problems.append("no hnsw trace") }
            report(problems, label, file: file, line: line)
            return
        }
        check(trace.counts.visitedLevel0, expected.stop == "emptyIndex" ? nil : expected.visitedCount, "counts.visitedLevel0")
        check(hnsw.entryPoint, expected.entryPoint, "entryPoint")
        check(hnsw.entryDistance, expected.entryDistance, "entryDistance")
        check(hnsw.upperLevels.count, expected.upper.count, "upper level count")
        for (got, want) in zip(hnsw.upperLevels, expected.upper) {
            let ours = Upper(
                level: got.level, passes: got.passes.map { $0.map { Edge(from: $0.from, to: $0.to, distance: $0.distance) } },
                path: got.path, exit: got.exitDistance)
            check(ours.level, want.level, "level")
            check(ours.passes.count, want.passes.count, "level \(want.level) pass count")
            for (number, (a, b)) in zip(ours.passes, want.passes).enumerated() where a != b {
                problems.append(
                    "level \(want.level) pass \(number): trace \(a.map { "\($0.to)@\($0.distance)" }), replay \(b.map { "\($0.to)@\($0.distance)" })"
                )
            }
            check(ours.path, want.path, "level \(want.level) path")
            check(ours.exit, want.exit, "level \(want.level) exit distance")
        }
        check(hnsw.level0.entry, expected.level0Entry, "level0.entry")
        check(hnsw.level0.ef, expected.ef, "level0.ef")
        check(hnsw.level0.stopReason.rawValue, expected.stop, "stopReason")
        check(hnsw.level0.visitedCount, expected.visitedCount, "level0.visitedCount")
        check(hnsw.visited, expected.visited, "visited order")
        check(hnsw.level0.steps.count, expected.steps.count, "layer-0 pops")
        for (number, (got, want)) in zip(hnsw.level0.steps, expected.steps).enumerated() {
            let ours = Step(
                node: got.node, distance: got.distance, bound: got.bound, resultSize: got.resultSize, expanded: got.expanded,
                events: got.neighbors.map {
                    Event(id: $0.id, distance: $0.distance, outcome: $0.outcome.rawValue, entered: $0.enteredResults, evicted: $0.evicted)
                })
            guard ours != want else { continue }
            check(ours.node, want.node, "pop \(number) node")
            check(ours.distance, want.distance, "pop \(number) distance")
            check(ours.bound, want.bound, "pop \(number) bound")
            check(ours.resultSize, want.resultSize, "pop \(number) result size")
            check(ours.expanded, want.expanded, "pop \(number) expanded")
            for (slot, (a, b)) in zip(ours.events, want.events).enumerated() where a != b {
                problems.append("pop \(number) neighbour \(slot): trace \(a), replay \(b)")
            }
            check(ours.events.count, want.events.count, "pop \(number) neighbour count")
            break  // later pops follow from this one
        }
        report(problems, label, file: file, line: line)
    }

    private func compareIVF(
        _ trace: SearchTrace, _ expected: ExpectedIVF, label: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        var problems: [String] = []
        func check<T: Equatable>(_ got: T, _ want: T, _ what: String) {
            if got != want { problems.append("\(what): trace \(got), replay \(want)") }
        }
        check(trace.kind.rawValue, expected.kind, "kind")
        check(trace.parameters.nprobe, expected.nprobe, "nprobe")
        check(trace.results.map { Result(id: $0.id, distance: $0.distance, internalID: $0.internalID) }, expected.results, "results")
        check(trace.nodeLabels?.dictionary, expected.nodeLabels, "nodeLabels")
        check(trace.counts.scanned, expected.scanned.count, "counts.scanned")
        check(trace.counts.visited, expected.scanned.count, "counts.visited")
        check(trace.counts.probedLists, expected.probedLists, "counts.probedLists")
        check(trace.counts.distanceComputations, expected.scanned.count + expected.centroidDistances.count, "distanceComputations")
        guard let ivf = trace.ivf else {
            report(problems + ["no ivf trace"], label, file: file, line: line)
            return
        }
        check(ivf.centroidDistances, expected.centroidDistances, "centroid distances")
        check(
            ivf.probes.map { "\($0.rank):\($0.list):\($0.size):\($0.distance)" },
            expected.probes.map { "\($0.rank):\($0.list):\($0.size):\($0.distance)" }, "probes (rank:list:size:distance)")
        check(ivf.scanned.count, expected.scanned.count, "scanned count")
        for (position, (got, want)) in zip(ivf.scanned, expected.scanned).enumerated()
        where got.id != want.id || got.list != want.list || got.distance != want.distance || got.admitted != want.admitted {
            problems.append(
                "scanned \(position): trace \(got.id) list \(got.list) d=\(got.distance) admitted=\(got.admitted), "
                    + "replay \(want.id) list \(want.list) d=\(want.distance) admitted=\(want.admitted)")
            break
        }
        report(problems, label, file: file, line: line)
    }

    private func report(_ problems: [String], _ label: String, file: StaticString, line: UInt) {
        guard !problems.isEmpty else { return }
        XCTFail("\(label):\n  " + problems.prefix(8).joined(separator: "\n  "), file: file, line: line)
    }
}

/// An hnswlib search that takes over an earlier search's upper-level descent is the search itself.
final class DescentReuseTests: XCTestCase {
    func testReusedDescentGivesTheWholeSearch() throws {
        for name in ["hnswlib_l2.hnsw", "hnswlib_ip.hnsw", "hnswlib_cosine.hnsw", "hnswlib_l2_deleted.hnsw", "hnswlib_l2_labels.hnsw"] {
            let path = FixtureManifest.committedDirectory().appendingPathComponent(name).path
            let space: Metric = name.contains("_ip") ? .innerProduct : name.contains("cosine") ? .cosine : .l2
            guard case .hnswlib(let index) = try IndexFile.open(path: path, space: space) else { return XCTFail(name) }
            let queries = try VectorFile.read(path: path.replacingOccurrences(of: ".hnsw", with: ".queries.npy"))
            var reused = 0
            for row in 0..<min(queries.count, 8) {
                let query = queries.row(row)
                let first = HNSWLibSearch.trace(index, query: query, k: 5, ef: 10)
                let descent = try XCTUnwrap(HNSWLibSearch.Descent(of: first), name)
                for ef in [1, 5, 32, 200] {
                    let whole = HNSWLibSearch.trace(index, query: query, k: 5, ef: ef)
                    let taken = HNSWLibSearch.trace(index, query: query, k: 5, ef: ef, descent: descent)
                    XCTAssertEqual(taken, whole, "\(name) row \(row) ef \(ef)")
                    reused += 1
                }
            }
            XCTAssertGreaterThan(reused, 0, name)
        }
    }

    /// The same for faiss HNSW (flat, codes, integer ties, an IDMap2 around it): every efSearch and k from one descent.
    func testReusedFaissDescentGivesTheWholeSearch() throws {
        for name in [
            "hnsw_flat_l2.faiss", "hnsw_flat_ip.faiss", "hnsw_flat_l2_int.faiss", "hnsw_pq_l2.faiss", "hnsw_sq8_l2.faiss",
            "idmap2_hnsw_l2.faiss",
        ] {
            let path = FixtureManifest.committedDirectory().appendingPathComponent(name).path
            let index = try IndexFile.open(path: path)
            let queries = try VectorFile.read(path: path.replacingOccurrences(of: ".faiss", with: ".queries.npy"))
            var reused = 0
            for row in 0..<min(queries.count, 8) {
                let query = queries.row(row)
                let first = try Searcher.trace(index, query: query, request: SearchRequest(k: 5, ef: 16)).trace
                XCTAssertNotNil(FaissHNSWSearch.Descent(of: first), name)
                for (k, ef) in [(5, 1), (5, 5), (1, 32), (10, 200)] {
                    let request = SearchRequest(k: k, ef: ef)
                    let whole = try Searcher.trace(index, query: query, request: request).trace
                    let taken = try Searcher.trace(index, query: query, request: request, reusing: first).trace
                    XCTAssertEqual(taken, whole, "\(name) row \(row) k \(k) ef \(ef)")
                    reused += 1
                }
            }
            XCTAssertGreaterThan(reused, 0, name)
        }
    }
}
