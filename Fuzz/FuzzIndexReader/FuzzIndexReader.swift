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
        let query = [Float](repeating: 0.5, count: index.dim)
        _ = try? Searcher.trace(index, query: query, request: SearchRequest(k: 3, nprobe: 2, ef: 4))
        if index.format == .faiss { break }
    }
    return 0
}
