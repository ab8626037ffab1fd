extension FaissIVFIndex {
    /// A partition for the partition views, built in memory from rows given as floats: the centroids' rows, then each
    /// list's rows followed by its ids, in one buffer (the views and health read it as they read a faiss IVFFlat).
    /// nil when there are more than `maximumFloats` floats to hold.
    /// - Parameters:
    ///   - centroid: centroid `list`'s components (`dim` of them).
    ///   - vector: row `position` of list `list`.
    ///   - id: that row's label.
    static func unpacked(
        name: String, code: String, quantizerCode: String, dim: Int, metric: Metric, nprobe: Int, layout: FaissInvertedLists.Layout,
        listSizes: [Int], maximumFloats: Int, centroid: (Int) -> [Float], vector: (Int, Int) -> [Float], id: (Int, Int) -> Int64
    ) -> FaissIVFIndex? {
        let nlist = listSizes.count
        guard let count = checkedSum(listSizes), let rows = checkedSum([count, nlist]), let floats = checkedProduct(rows, dim),
            floats <= maximumFloats
        else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(floats * 4 + count * 8)
        func append(_ values: [Float]) { values.withUnsafeBytes { bytes += $0 } }
        for list in 0..<nlist { append(centroid(list)) }
        var placed: [(size: Int, codes: Int, ids: Int)] = []
        for (list, size) in listSizes.enumerated() {
            let codesOffset = bytes.count
            for position in 0..<size { append(vector(list, position)) }
            let idsOffset = bytes.count
            for position in 0..<size { withUnsafeBytes(of: id(list, position)) { bytes += $0 } }
            placed.append((size, codesOffset, idsOffset))
        }
        let file = MappedFile(name: name, data: bytes)
        let quantizer = FaissFlatIndex(
            code: quantizerCode, header: FaissHeader(dim: dim, count: nlist, isTrained: true, metric: metric, metricArg: nil),
            vectors: VectorTable(file: file, byteOffset: 0, count: nlist, dim: dim))
        let lists = placed.map {
            FaissInvertedList(size: $0.size, codesOffset: $0.codes, ids: MappedArray(file: file, byteOffset: $0.ids, count: $0.size))
        }
        return FaissIVFIndex(
            code: code, header: FaissHeader(dim: dim, count: count, isTrained: true, metric: metric, metricArg: nil),
            nlist: nlist, nprobe: nprobe, quantizer: .flat(quantizer), directMap: .none, encoding: .flat,
            invertedLists: FaissInvertedLists(layout: layout, codeSize: dim * 4, lists: lists))
    }
}
