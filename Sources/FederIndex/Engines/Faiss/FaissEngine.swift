extension IndexEngine {
    /// faiss index files (`write_index`): a printable four-character code first.
    public static let faiss = IndexEngine(
        name: "faiss",
        recognises: { file in
            guard let code = ByteReader(file: file, format: "index").peekCode() else { return false }
            return code.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        },
        open: { file, _ in
            var reader = FaissReader(file: file)
            return .faiss(try reader.readFile())
        })
}
