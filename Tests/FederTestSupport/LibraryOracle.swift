import Foundation

/// Single-query searches answered by the real libraries on this machine (one faiss thread, one query per
/// call): the oracle for tests whose answers cannot be recorded elsewhere, since the float bits follow the
/// library build and the CPU.
public enum LibraryOracle {
    public struct Request: Encodable, Sendable {
        public var file: String
        /// The hnswlib space; nil for a faiss file.
        public var space: String?
        public var k: Int
        public var nprobe: Int?
        public var ef: Int?
        public var vector: [Float]

        public init(file: String, space: String?, k: Int, nprobe: Int?, ef: Int?, vector: [Float]) {
            self.file = file
            self.space = space
            self.k = k
            self.nprobe = nprobe
            self.ef = ef
            self.vector = vector
        }
    }

    public struct Answer: Decodable, Sendable {
        /// Labels as 64-bit patterns (hnswlib's are unsigned).
        public var ids: [Int64]
        public var bits: [UInt32]
    }

    static let script = """
        import json, sys
        import numpy as np
        requests = json.load(open(sys.argv[1]))
        cache, keep, out = {}, [], []
        for r in requests:
            if r.get("space") is None:
                import faiss
                faiss.omp_set_num_threads(1)
                index = cache.get(r["file"]) or faiss.read_index(r["file"])
                cache[r["file"]] = index
                inner = faiss.downcast_index(index)
                keep.append(inner)
                ivf = faiss.try_extract_index_ivf(inner)
                if ivf is not None and r.get("nprobe") is not None:
                    ivf.nprobe = r.get("nprobe")
                node = inner
                while node is not None:
                    if hasattr(node, "hnsw"):
                        if r.get("ef") is not None:
                            node.hnsw.efSearch = r.get("ef")
                        break
                    node = faiss.downcast_index(node.index) if hasattr(node, "index") else None
                    keep.append(node)
                D, I = index.search(np.asarray([r["vector"]], dtype=np.float32), r["k"])
                ids, dists = I[0].astype(np.int64), D[0].astype(np.float32)
            else:
                import hnswlib
                key = (r["file"], r.get("space"))
                index = cache.get(key)
                if index is None:
                    index = hnswlib.Index(space=r.get("space"), dim=len(r["vector"]))
                    index.load_index(r["file"])
                    index.set_num_threads(1)
                    cache[key] = index
                index.set_ef(r.get("ef") if r.get("ef") is not None else 10)
                L, D = index.knn_query(np.asarray([r["vector"]], dtype=np.float32), k=r["k"], num_threads=1)
                ids, dists = L[0].astype(np.uint64).view(np.int64), D[0].astype(np.float32)
            out.append({"ids": ids.tolist(), "bits": dists.view(np.uint32).tolist()})
        print(json.dumps(out))
        """

    /// The libraries' answers, in request order (`environment` added to the script's, e.g. FAISS_SIMD_LEVEL).
    public static func search(_ requests: [Request], environment: [String: String] = [:]) throws -> [Answer] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("feder-oracle-\(UUID().uuidString).json")
        try JSONEncoder().encode(requests).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try JSONDecoder().decode([Answer].self, from: LibraryScript.run(script, arguments: [file.path], environment: environment))
    }
}
