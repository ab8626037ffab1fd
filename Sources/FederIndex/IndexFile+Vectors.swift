/// Access to the vectors an index stores, by the caller's labels.
extension IndexFile {
    /// The stored vector of `label`, or nil when no such label exists or the codes are quantized.
    ///
    /// hnswlib `cosine` indexes store normalised vectors; that is what is returned.
    public func storedVector(label: Int64) -> [Float]? {
        switch self {
        case .faiss(let index):
            return index.storedVector(label: label)
        case .hnswlib(let index):
            // hnswlib's get_items refuses deleted elements ("Label not found"); so does a query by label.
            // Labels are unsigned in hnswlib: compare the bits, so labels ≥ 2^63 are found too.
            for id in 0..<index.count where index.label(id) == UInt64(bitPattern: label) && !index.isDeleted(id) {
                return index.vectors.row(id)
            }
            return nil
        case .engine(let index):
            return index.storedVector(label: label)
        }
    }

    /// Whether `label` names only deleted hnswlib elements (so it is stored, but no query may use it).
    public func isDeletedLabel(_ label: Int64) -> Bool {
        guard case .hnswlib(let index) = self else { return false }
        var found = false
        for id in 0..<index.count where index.label(id) == UInt64(bitPattern: label) {
            if !index.isDeleted(id) { return false }
            found = true
        }
        return found
    }

    /// Calls `body` with every stored, searchable vector (hnswlib's deleted elements are skipped), its label
    /// and the address of its first float. Quantized IVF codes are not visited.
    public func forEachStoredVector(_ body: (_ label: Int64, _ vector: UnsafeRawPointer) -> Void) {
        for segment in storedSegments() {
            for i in 0..<segment.count { body(segment.label(i), segment.row(i)) }
        }
    }
}

extension FaissIndex {
    /// The stored vector of `label` (a row number, an IVF list id, or an IDMap id).
    public func storedVector(label: Int64) -> [Float]? {
        switch self {
        case .flat(let flat):
            guard label >= 0, label < Int64(flat.vectors.count) else { return nil }
            return flat.vectors.row(Int(label))
        case .hnsw(let hnsw):
            guard let vectors = hnsw.flatStorage?.vectors, label >= 0, label < Int64(vectors.count) else { return nil }
            return vectors.row(Int(label))
        case .ivf(let ivf):
            guard case .flat = ivf.encoding, let position = ivf.locate(id: label) else { return nil }
            let list = ivf.invertedLists.lists[position.list]
            let table = VectorTable(
                file: list.ids.file, byteOffset: list.codesOffset, count: list.size, dim: ivf.header.dim)
            return table.row(position.offset)
        case .idMap(let map):
            guard let internalID = map.ids.firstIndex(of: label) else { return nil }
            return map.inner.storedVector(label: Int64(internalID))
        case .refine(let refine):
            // IndexRefineFlat keeps every vector as it is in its refine index.
            return refine.refine.storedVector(label: label) ?? refine.base.storedVector(label: label)
        case .pq, .scalarQuantizer, .pqFastScan, .preTransform:
            // Quantized codes (and an inner index's transformed vectors) are not the vectors that were added.
            return nil
        }
    }

    /// Whether the index keeps the vectors that were added as they were (flat storage somewhere), so exact
    /// search over them is the ground truth.
    public var storesVectors: Bool {
        switch self {
        case .flat: return true
        case .ivf(let ivf):
            if case .flat = ivf.encoding { return true }
            return false
        case .hnsw(let hnsw): return hnsw.flatStorage != nil
        case .idMap(let map): return map.inner.storesVectors
        case .refine(let refine): return refine.refine.storesVectors || refine.base.storesVectors
        case .pq, .scalarQuantizer, .pqFastScan, .preTransform: return false
        }
    }
}

extension FaissIVFIndex {
    /// Where the vector with `id` sits: through the direct map when there is one, else by scanning list ids.
    public func locate(id: Int64) -> (list: Int, offset: Int)? {
        func split(_ value: Int64) -> (list: Int, offset: Int)? {
            guard value >= 0 else { return nil }
            let list = Int(value >> 32)
            let offset = Int(value & 0xFFFF_FFFF)
            guard list < invertedLists.lists.count, offset < invertedLists.lists[list].size else { return nil }
            return (list, offset)
        }
        switch directMap {
        case .array(let array):
            guard id >= 0, id < Int64(array.count) else { return nil }
            return split(array[Int(id)])
        case .hashtable(let pairs):
            var index = 0
            while index + 1 < pairs.count {
                if pairs[index] == id { return split(pairs[index + 1]) }
                index += 2
            }
            return nil
        case .none:
            for (list, entry) in invertedLists.lists.enumerated() where entry.size > 0 {
                if let offset = entry.ids.firstIndex(of: id) { return (list, offset) }
            }
            return nil
        }
    }
}

extension IndexFile {
    /// How many stored float vectors hold a NaN or an infinity.
    /// - Complexity: O(n·d).
    public func countNonFiniteVectors() -> Int {
        let dim = self.dim
        var count = 0
        forEachStoredVector { _, pointer in
            for lane in 0..<dim where !pointer.loadUnaligned(fromByteOffset: lane * 4, as: Float.self).isFinite {
                count += 1
                break
            }
        }
        return count
    }
}

/// A run of stored vectors `stride` bytes apart, in the order exact search visits them, with their labels.
public struct StoredSegment: Sendable {
    /// The mapped file holding the rows (kept alive by the segment) and the first row's offset in it.
    public var file: MappedFile
    public var byteOffset: Int
    public var stride: Int
    public var count: Int
    /// Where the labels come from.
    public var labels: Labels

    public enum Labels: Sendable {
        /// Row `i` of the segment has label `start + i`.
        case counting(start: Int64)
        /// Row `i` has label `ids[offset + i]` (an IVF list's ids, an IDMap's labels, hnswlib's labels).
        case mapped(MappedArray<Int64>, offset: Int)
        /// Row `i` has `ids[offset + i]` remapped through an IDMap's labels (IVF under an IDMap).
        case remapped(MappedArray<Int64>, offset: Int, through: MappedArray<Int64>)
        /// hnswlib: element `start + i`'s label, read from its data block.
        case hnswlib(HNSWLibIndex, start: Int)
    }

    public init(file: MappedFile, byteOffset: Int, stride: Int, count: Int, labels: Labels) {
        precondition(count == 0 || (byteOffset >= 0 && byteOffset + (count - 1) * stride + 4 <= file.count))
        self.file = file
        self.byteOffset = byteOffset
        self.stride = stride
        self.count = count
        self.labels = labels
    }

    /// The label of row `i` of the segment.
    public func label(_ i: Int) -> Int64 {
        switch labels {
        case .counting(let start): return start + Int64(i)
        case .mapped(let ids, let offset): return ids[offset + i]
        case .remapped(let ids, let offset, let through):
            let inner = ids[offset + i]
            return inner >= 0 && inner < Int64(through.count) ? through[Int(inner)] : inner
        case .hnswlib(let index, let start): return Int64(bitPattern: index.label(start + i))
        }
    }

    /// The address of row `i`'s first float.
    @inline(__always)
    public func row(_ i: Int) -> UnsafeRawPointer { file.baseAddress + byteOffset + i * stride }

    /// The address of the first row's first float.
    public var base: UnsafeRawPointer { file.baseAddress + byteOffset }
}

extension IndexFile {
    /// Every stored, searchable vector as runs of rows, in the order `forEachStoredVector` visits them (hnswlib's
    /// deleted elements split the runs; quantized codes have none).
    public func storedSegments() -> [StoredSegment] {
        switch self {
        case .faiss(let index):
            return index.storedSegments(labels: nil)
        case .engine(let index):
            return index.storedSegments()
        case .hnswlib(let index):
            var segments: [StoredSegment] = []
            var start = 0
            while start < index.count {
                guard !index.isDeleted(start) else {
                    start += 1
                    continue
                }
                var end = start + 1
                while end < index.count && !index.isDeleted(end) { end += 1 }
                segments.append(
                    StoredSegment(
                        file: index.vectors.file, byteOffset: index.vectors.byteOffset + start * index.vectors.rowStride,
                        stride: index.vectors.rowStride, count: end - start,
                        labels: .hnswlib(index, start: start)))
                start = end
            }
            return segments
        }
    }
}

extension FaissIndex {
    func storedSegments(labels: MappedArray<Int64>?) -> [StoredSegment] {
        func table(_ table: VectorTable) -> [StoredSegment] {
            guard table.count > 0 else { return [] }
            return [
                StoredSegment(
                    file: table.file, byteOffset: table.byteOffset, stride: table.rowStride, count: table.count,
                    labels: labels.map { .mapped($0, offset: 0) } ?? .counting(start: 0))
            ]
        }
        switch self {
        case .flat(let flat):
            return table(flat.vectors)
        case .hnsw(let hnsw):
            return hnsw.flatStorage.map { table($0.vectors) } ?? []
        case .ivf(let ivf):
            guard case .flat = ivf.encoding else { return [] }
            let codeSize = ivf.invertedLists.codeSize
            return ivf.invertedLists.lists.filter { $0.size > 0 }.map { list in
                StoredSegment(
                    file: list.ids.file, byteOffset: list.codesOffset, stride: codeSize, count: list.size,
                    labels: labels.map { .remapped(list.ids, offset: 0, through: $0) } ?? .mapped(list.ids, offset: 0))
            }
        case .idMap(let map):
            return map.inner.storedSegments(labels: map.ids)
        case .refine(let refine):
            if case .flat = refine.refine { return refine.refine.storedSegments(labels: labels) }
            return refine.base.storedSegments(labels: labels)
        case .pq, .scalarQuantizer, .pqFastScan, .preTransform:
            return []
        }
    }
}
