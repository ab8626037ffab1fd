import FederIndex

/// Where each label is stored, built once per index so that explaining a query's misses does not scan every row:
/// the storage row (hnswlib element, faiss flat or HNSW row before an IDMap) or, for IVF, the inverted list.
///
/// Labels equal to their rows (hnswlib's and faiss's default numbering) need no table; otherwise the pairs are
/// kept sorted by label (16 bytes a vector) and looked up by bisection.
public struct LabelPositions: Sendable {
    enum Kind: Sendable {
        /// Row `r` holds label `r` for every row below `count`.
        case identity(count: Int)
        /// Sorted labels and the position of each.
        case sorted(labels: [Int64], positions: [Int])
    }

    /// What a position means.
    public enum Unit: Sendable {
        case row
        case list
    }

    let kind: Kind
    public let unit: Unit

    /// The position of `label`, or nil when the index does not hold it.
    public func position(of label: Int64) -> Int? {
        switch kind {
        case .identity(let count):
            return label >= 0 && label < Int64(count) ? Int(label) : nil
        case .sorted(let labels, let positions):
            var low = 0
            var high = labels.count
            while low < high {
                let middle = (low + high) / 2
                if labels[middle] < label { low = middle + 1 } else { high = middle }
            }
            return low < labels.count && labels[low] == label ? positions[low] : nil
        }
    }

    /// From the label of every position, in position order; the first position of a label wins unless `skip`
    /// says it is one to pass over while another holds the same label (hnswlib's deleted elements).
    init(count: Int, unit: Unit, label: (Int) -> Int64, skip: (Int) -> Bool = { _ in false }) {
        self.unit = unit
        if (0..<count).allSatisfy({ label($0) == Int64($0) }) {
            kind = .identity(count: count)
            return
        }
        var pairs = (0..<count).map { (label: label($0), position: $0, skipped: skip($0)) }
        // Among equal labels, kept positions first, then in position order.
        pairs.sort { a, b in
            if a.label != b.label { return a.label < b.label }
            if a.skipped != b.skipped { return !a.skipped }
            return a.position < b.position
        }
        var labels: [Int64] = []
        var positions: [Int] = []
        labels.reserveCapacity(pairs.count)
        positions.reserveCapacity(pairs.count)
        for pair in pairs where labels.last != pair.label {
            labels.append(pair.label)
            positions.append(pair.position)
        }
        kind = .sorted(labels: labels, positions: positions)
    }

    /// The positions explanations need for `index`: IVF lists for an IVF search path, rows otherwise.
    /// - Complexity: O(n log n) once; each lookup O(log n).
    public static func of(_ index: IndexFile) -> LabelPositions {
        switch index {
        case .hnswlib(let hnswlib):
            return LabelPositions(
                count: hnswlib.count, unit: .row, label: { Int64(bitPattern: hnswlib.label($0)) }, skip: { hnswlib.isDeleted($0) })
        case .engine(let engine):
            if let nodes = engine.rowNodes {
                return LabelPositions(count: engine.rows, unit: .row, label: { engine.label(ofRow: $0) }, mappingTo: nodes)
            }
            let graph = engine.layeredGraph
            return LabelPositions(
                count: engine.rows, unit: .row, label: { engine.label(ofRow: $0) }, skip: { graph?.isDeleted($0) ?? false })
        case .faiss(let faiss):
            let context = Explanations.FaissContext(index: faiss)
            if let ivf = context.ivf {
                let lists = ivf.invertedLists.lists
                var labels: [Int64] = []
                var owners: [Int] = []
                for (list, inverted) in lists.enumerated() {
                    for offset in 0..<inverted.size {
                        labels.append(context.label(inverted.ids[offset]))
                        owners.append(list)
                    }
                }
                return LabelPositions(count: labels.count, unit: .list, label: { labels[$0] }, mappingTo: owners)
            }
            return LabelPositions(count: faiss.header.count, unit: .row, label: { context.label(Int64($0)) })
        }
    }

    /// Labels in any order, each with the position it maps to (`owners[i]` for entry `i`).
    init(count: Int, unit: Unit, label: (Int) -> Int64, mappingTo owners: [Int]) {
        self.unit = unit
        var order = Array(0..<count)
        order.sort { a, b in label(a) != label(b) ? label(a) < label(b) : a < b }
        var labels: [Int64] = []
        var positions: [Int] = []
        for entry in order where labels.last != label(entry) {
            labels.append(label(entry))
            positions.append(owners[entry])
        }
        kind = .sorted(labels: labels, positions: positions)
    }
}
