extension VectorFile {
    /// Binary codes as the tool carries them (each bit a float 0 or 1, `PackedBits`), from a uint8 `.npy`
    /// (`|u1`, d / 8 columns), a `.bvecs` or a `.u8bin` file: rows of d / 8 bytes.
    /// - Throws: `FederIndexError` naming the file and the byte offset of the problem.
    public static func readPackedBits(path: String) throws -> VectorTable {
        let file = try MappedFile(path: path)
        let lower = path.lowercased()
        let bytes: VectorTable
        if lower.hasSuffix(".bvecs") {
            bytes = try readBvecs(file)
        } else if lower.hasSuffix(".u8bin") {
            bytes = try readBin(file, element: .uint8)
        } else {
            var (reader, header, rows, dim, headerStart) = try npyLayout(file)
            guard header.descr == "|u1" || header.descr == "<u1" || header.descr == "=u1" else {
                throw reader.invalid(
                    "descr", "dtype '\(header.descr)'; a binary index takes its queries as uint8 codes (d / 8 bytes a row)",
                    at: headerStart)
            }
            let dataOffset = try reader.skip(rows * dim, "npy data (\(rows)×\(dim) bytes)")
            var bits: [Float] = []
            bits.reserveCapacity(rows * dim * 8)
            for row in 0..<rows { bits += PackedBits.unpack(file.baseAddress + dataOffset + row * dim, bytes: dim) }
            return VectorTable(name: path, rows: bits, dim: dim * 8)
        }
        // .bvecs and .u8bin are read as float bytes: pack them back into bits.
        var bits: [Float] = []
        bits.reserveCapacity(bytes.count * bytes.dim * 8)
        for row in 0..<bytes.count {
            let values = bytes.row(row).map { UInt8(clamping: Int($0)) }
            values.withUnsafeBytes { raw in
                if let base = raw.baseAddress { bits += PackedBits.unpack(base, bytes: values.count) }
            }
        }
        return VectorTable(name: path, rows: bits, dim: bytes.dim * 8)
    }
}
