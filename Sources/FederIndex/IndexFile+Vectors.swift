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
        switch self {
        case .faiss(let index):
            index.forEachStoredVector(labels: nil, body)
        case .hnswlib(let index):
            for id in 0..<index.count where !index.isDeleted(id) {
                body(Int64(bitPattern: index.label(id)), index.vectors.rowPointer(id))
            }
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

    /// Visits every stored float vector with its label (after `labels` remapping, for IDMap).
    func forEachStoredVector(labels: MappedArray<Int64>?, _ body: (Int64, UnsafeRawPointer) -> Void) {
        @inline(__always) func label(_ internalID: Int64) -> Int64 {
            guard let labels, internalID >= 0, internalID < Int64(labels.count) else { return internalID }
            return labels[Int(internalID)]
        }
        switch self {
        case .flat(let flat):
            for row in 0..<flat.vectors.count { body(label(Int64(row)), flat.vectors.rowPointer(row)) }
        case .hnsw(let hnsw):
            guard let table = hnsw.flatStorage?.vectors else { return }
            for row in 0..<table.count { body(label(Int64(row)), table.rowPointer(row)) }
        case .ivf(let ivf):
            guard case .flat = ivf.encoding else { return }
            let codeSize = ivf.invertedLists.codeSize
            for list in ivf.invertedLists.lists where list.size > 0 {
                let base = list.ids.file.baseAddress + list.codesOffset
                for offset in 0..<list.size { body(label(list.ids[offset]), base + offset * codeSize) }
            }
        case .idMap(let map):
            map.inner.forEachStoredVector(labels: map.ids, body)
        case .refine(let refine):
            if case .flat = refine.refine {
                refine.refine.forEachStoredVector(labels: labels, body)
            } else {
                refine.base.forEachStoredVector(labels: labels, body)
            }
        case .pq, .scalarQuantizer, .pqFastScan, .preTransform:
            return
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

extension IndexFile {
    /// Whether exact search over the index's own vectors gives the ground truth: hnswlib always; faiss when it
    /// keeps the vectors as they were added (or, behind a pre-transform, as the transform left them).
    public var hasGroundTruth: Bool {
        switch self {
        case .hnswlib: return true
        case .faiss(let index):
            var inner = index
            while case .preTransform(let pre) = inner { inner = pre.inner }
            return inner.storesVectors
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
