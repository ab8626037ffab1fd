/// Hamming distance between packed codes: the popcount of their XOR, 8 bytes at a time (faiss's
/// `HammingComputer*` sums the same bits in another grouping; the count is the same).
enum Hamming {
    @inline(__always)
    static func distance(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, bytes: Int) -> Int32 {
        var total = 0
        var offset = 0
        while offset + 8 <= bytes {
            total +=
                (a.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                .nonzeroBitCount
            offset += 8
        }
        while offset < bytes {
            total += (a.load(fromByteOffset: offset, as: UInt8.self) ^ b.load(fromByteOffset: offset, as: UInt8.self)).nonzeroBitCount
            offset += 1
        }
        return Int32(total)
    }
}
