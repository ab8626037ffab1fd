import FederIndex

/// The settings an IVFFlat index scan reads (pgvector 0.8's GUCs, with their defaults).
public struct PGIVFFlatSettings: Sendable, Equatable, Codable {
    public var probes = 1
    /// `off` or `relaxed_order` (IVFFlat has no strict order).
    public var iterativeScan = PGIterativeScan.off
    public var maxProbes = 32768

    public init(probes: Int = 1, iterativeScan: PGIterativeScan = .off, maxProbes: Int = 32768) {
        (self.probes, self.iterativeScan, self.maxProbes) = (probes, iterativeScan, maxProbes)
    }
}

/// pgvector 0.8's IVFFlat index scan (`ivfscan.c`; pgvector-format.md §5.5): the lists nearest by centre distance
/// chosen through a bounded pairing heap, then each batch of `probes` lists' entries sorted by distance as
/// PostgreSQL's in-memory tuplesort sorts them (its quicksort, so ties come out in the server's order), pulled one
/// heap TID at a time.
public final class PGIVFFlatScan {
    public let index: PGVectorIVFFlat
    public let query: PGVectorQuery
    public let settings: PGIVFFlatSettings
    /// The probes and the bound after clamping to the list count.
    public let probes: Int
    public let maxProbes: Int
    /// Every list's centre distance, by list.
    public let centerDistances: [Double]
    /// The lists the scan may probe, nearest first (`maxProbes` of them).
    public let listOrder: [Int]
    /// Lists probed so far, entries scored, batches sorted.
    public private(set) var listsProbed = 0
    public private(set) var entriesScored = 0
    public private(set) var batches = 0
    public private(set) var end: PGScanEnd?
    /// Every entry scored, in the order the lists were read (before each batch's sort): entry and distance.
    public private(set) var scored: [(entry: Int, distance: Double)] = []

    private var batch: [PGScanTuple] = []
    private var position = 0

    public init(index: PGVectorIVFFlat, query: PGVectorQuery, settings: PGIVFFlatSettings) {
        (self.index, self.query, self.settings) = (index, query, settings)
        let lists = index.lists
        var maxProbes = settings.iterativeScan != .off ? max(settings.maxProbes, settings.probes) : settings.probes
        let probes = min(settings.probes, lists)
        maxProbes = min(maxProbes, lists)
        (self.probes, self.maxProbes) = (probes, maxProbes)
        let dims = Int32(index.dimensions)
        let opclass = query.opclass
        var distances: [Double] = []
        distances.reserveCapacity(lists)
        query.scanBytes.withUnsafeBytes { q in
            for list in 0..<lists {
                distances.append(PGVectorDistance.scan(opclass, index.centers.row(list), q.baseAddress.unsafelyUnwrapped, dims))
            }
        }
        centerDistances = distances
        // GetScanLists: a heap of at most maxProbes lists, the furthest on top; a list replaces it only when strictly nearer.
        var store = PGCandidates()
        var heap = PGPairingHeap(nearestFirst: false)
        var count = 0
        var maxDistance = Double.greatestFiniteMagnitude
        for list in 0..<lists {
            let d = distances[list]
            if count < maxProbes {
                heap.add(PGCandidates.wNode(store.make(element: list, distance: d)), &store)
                count += 1
                if count == maxProbes { maxDistance = store.distance[Int(PGCandidates.candidate(ofNode: heap.root))] }
            } else if d < maxDistance {
                _ = heap.removeFirst(&store)
                heap.add(PGCandidates.wNode(store.make(element: list, distance: d)), &store)
                maxDistance = store.distance[Int(PGCandidates.candidate(ofNode: heap.root))]
            }
        }
        var order = [Int](repeating: 0, count: count)
        for i in stride(from: count - 1, through: 0, by: -1) {
            order[i] = Int(store.element[Int(PGCandidates.candidate(ofNode: heap.removeFirst(&store)))])
        }
        listOrder = order
    }

    /// The next heap TID in the scan's order, or nil at its end.
    public func next() -> PGScanTuple? {
        while position == batch.count {
            guard listsProbed < maxProbes else {
                end = .listsReturned
                return nil
            }
            loadBatch()
        }
        position += 1
        return batch[position - 1]
    }

    /// `GetScanItems`: the next `probes` lists' entries, in list, page and item order, then sorted.
    private func loadBatch() {
        batch.removeAll(keepingCapacity: true)
        position = 0
        batches += 1
        let dims = Int32(index.dimensions)
        let opclass = query.opclass
        var taken = 0
        query.scanBytes.withUnsafeBytes { q in
            let query = q.baseAddress.unsafelyUnwrapped
            while listsProbed < maxProbes, taken < probes {
                let list = listOrder[listsProbed]
                listsProbed += 1
                taken += 1
                for entry in Int(index.listStart[list])..<Int(index.listStart[list + 1]) {
                    let d = PGVectorDistance.scan(opclass, index.values.row(entry), query, dims)
                    batch.append(PGScanTuple(heapTID: index.heapTIDs[entry], distance: d, source: entry))
                }
            }
        }
        entriesScored += batch.count
        scored += batch.map { ($0.source, $0.distance) }
        PGTupleSort.sort(&batch)
    }
}

/// PostgreSQL's in-memory sort of one float8 key (`lib/sort_template.h` as `qsort_ssup` instantiates it, with
/// `btfloat8fastcmp`: NaN above everything and equal to NaN, −0 equal to +0): a Bentley–McIlroy three-way
/// quicksort with a presorted check, so equal keys end up in the order the server's sort leaves them.
enum PGTupleSort {
    @inline(__always) static func compare(_ a: Double, _ b: Double) -> Int {
        if a.isNaN { return b.isNaN ? 0 : 1 }
        if b.isNaN { return -1 }
        return a > b ? 1 : (a < b ? -1 : 0)
    }

    static func sort(_ items: inout [PGScanTuple]) {
        items.withUnsafeMutableBufferPointer { buffer in
            sort(buffer, 0, buffer.count)
        }
    }

    private static func sort(_ array: UnsafeMutableBufferPointer<PGScanTuple>, _ start: Int, _ count: Int) {
        var a = start
        var n = count
        @inline(__always) func cmp(_ i: Int, _ j: Int) -> Int { compare(array[i].distance, array[j].distance) }
        @inline(__always) func med3(_ x: Int, _ y: Int, _ z: Int) -> Int {
            cmp(x, y) < 0
                ? (cmp(y, z) < 0 ? y : (cmp(x, z) < 0 ? z : x))
                : (cmp(y, z) > 0 ? y : (cmp(x, z) < 0 ? x : z))
        }
        @inline(__always) func swapRange(_ i: Int, _ j: Int, _ length: Int) {
            for k in 0..<length { array.swapAt(i + k, j + k) }
        }
        while true {
            if n < 7 {
                var pm = a + 1
                while pm < a + n {
                    var pl = pm
                    while pl > a, cmp(pl - 1, pl) > 0 {
                        array.swapAt(pl, pl - 1)
                        pl -= 1
                    }
                    pm += 1
                }
                return
            }
            var presorted = true
            for pm in (a + 1)..<(a + n) where cmp(pm - 1, pm) > 0 {
                presorted = false
                break
            }
            if presorted { return }
            var pm = a + n / 2
            if n > 7 {
                var pl = a
                var pn = a + n - 1
                if n > 40 {
                    let d = n / 8
                    pl = med3(pl, pl + d, pl + 2 * d)
                    pm = med3(pm - d, pm, pm + d)
                    pn = med3(pn - 2 * d, pn - d, pn)
                }
                pm = med3(pl, pm, pn)
            }
            array.swapAt(a, pm)
            var pa = a + 1
            var pb = a + 1
            var pc = a + n - 1
            var pd = a + n - 1
            while true {
                while pb <= pc {
                    let r = cmp(pb, a)
                    if r > 0 { break }
                    if r == 0 {
                        array.swapAt(pa, pb)
                        pa += 1
                    }
                    pb += 1
                }
                while pb <= pc {
                    let r = cmp(pc, a)
                    if r < 0 { break }
                    if r == 0 {
                        array.swapAt(pc, pd)
                        pd -= 1
                    }
                    pc -= 1
                }
                if pb > pc { break }
                array.swapAt(pb, pc)
                pb += 1
                pc -= 1
            }
            let pn = a + n
            var d1 = min(pa - a, pb - pa)
            swapRange(a, pb - d1, d1)
            d1 = min(pd - pc, pn - pd - 1)
            swapRange(pb, pn - d1, d1)
            d1 = pb - pa
            let d2 = pd - pc
            if d1 <= d2 {
                if d1 > 1 { sort(array, a, d1) }
                if d2 > 1 {
                    a = pn - d2
                    n = d2
                    continue
                }
                return
            } else {
                if d2 > 1 { sort(array, pn - d2, d2) }
                if d1 > 1 {
                    n = d1
                    continue
                }
                return
            }
        }
    }
}
