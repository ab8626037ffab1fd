extension IndexEngine {
    /// hnswlib files (`save_index`): no magic number; they start with the u64 offsetLevel0, which is always 0. The
    /// space is not recorded, so the user gives it.
    public static let hnswlib = IndexEngine(
        name: "hnswlib",
        recognises: { file in file.count >= 8 && file.bytes[0..<8].allSatisfy { $0 == 0 } },
        open: { file, options in
            guard [.l2, .innerProduct, .cosine].contains(options.space) else {
                throw FederIndexError.invalid(
                    path: file.path, format: "hnswlib", field: "space", offset: 0, detail: "hnswlib spaces are l2, ip and cosine")
            }
            return .hnswlib(try HNSWLibReader.read(file: file, space: options.space))
        })
}
