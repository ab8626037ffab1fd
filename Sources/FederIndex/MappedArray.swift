/// A typed, read-only array view over bytes of a mapped file (little-endian, possibly unaligned).
///
/// Faiss files place vectors at arbitrary byte offsets, so every element is read with `loadUnaligned`.
public struct MappedArray<Element: BitwiseCopyable>: RandomAccessCollection, Sendable {
    public let file: MappedFile
    /// Offset of element 0 in the file.
    public let byteOffset: Int
    public let count: Int

    public init(file: MappedFile, byteOffset: Int, count: Int) {
        precondition(byteOffset >= 0 && count >= 0 && byteOffset + count * MemoryLayout<Element>.size <= file.count)
        self.file = file
        self.byteOffset = byteOffset
        self.count = count
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    @inline(__always)
    public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < count, "MappedArray index out of range")
        return file.baseAddress.loadUnaligned(
            fromByteOffset: byteOffset + position * MemoryLayout<Element>.size, as: Element.self)
    }
}
