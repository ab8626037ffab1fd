// libFuzzer target: any bytes as an index file (faiss or hnswlib, each hnswlib space), then a traced search
// when the file decodes. The readers must refuse bad input with an error: never crash, hang or over-allocate.
import FederIndex
import FederSearch

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIndexReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let file = MappedFile(name: "fuzz.index", data: UnsafeBufferPointer(start: data, count: size))
    for space in [Metric.l2, .innerProduct, .cosine] {
        guard let index = try? IndexFile.decode(file, space: space) else { continue }
        _ = IndexSummary(index)
        // Binary codes take bits (0 or 1) as queries.
        let bits = index.model.vectors == .packedBits
        let query = (0..<index.dim).map { bits ? Float($0 % 2) : 0.5 }
        _ = try? Searcher.trace(index, query: query, request: SearchRequest(k: 3, nprobe: 2, ef: 4))
        // Only hnswlib files are read with a space given; the others record their metric.
        if index.model.engine != "hnswlib" { break }
    }
    return 0
}
