/// A cursor over a mapped file that reads little-endian fields and checks every length before it is used.
///
/// Vocabulary as in swift-nio's ByteBuffer: `read*` consumes, `peek*` does not. A read past the end throws
/// `FederIndexError.truncated` naming the field and the offset; counts read from the file are checked
/// against the bytes that remain before anything is sized from them, so a header claiming 2^60 elements
/// costs nothing.
public struct ByteReader {
    /// The file being read.
    public let file: MappedFile
    /// The format code or structure being decoded, used in messages (e.g. `IwFl`, `hnswlib`).
    public var format: String
    /// Offset of the next byte to read.
    public private(set) var offset: Int

    public init(file: MappedFile, format: String, offset: Int = 0) {
        self.file = file
        self.format = format
        self.offset = offset
    }

    /// Bytes left after `offset`.
    public var remaining: Int { file.count - offset }

    // MARK: errors

    /// An `invalid` error at `offset` (or at the current offset).
    public func invalid(_ field: @autoclosure () -> String, _ detail: @autoclosure () -> String, at position: Int? = nil) -> FederIndexError
    {
        .invalid(path: file.path, format: format, field: field(), offset: position ?? offset, detail: detail())
    }

    func truncated(_ field: @autoclosure () -> String, needed: Int) -> FederIndexError {
        .truncated(
            path: file.path, format: format, field: field(), offset: offset, needed: needed,
            available: max(0, remaining))
    }

    /// Throws `truncated` unless `byteCount` bytes remain.
    public func require(_ byteCount: Int, for field: @autoclosure () -> String) throws {
        guard byteCount >= 0, byteCount <= remaining else { throw truncated(field(), needed: byteCount) }
    }

    // MARK: scalars

    /// Reads one little-endian value of a fixed-width type.
    public mutating func read<T: FixedWidthInteger>(_: T.Type, _ field: @autoclosure () -> String) throws -> T {
        let size = MemoryLayout<T>.size
        try require(size, for: field())
        let value = file.baseAddress.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    public mutating func readFloat(_ field: @autoclosure () -> String) throws -> Float {
        Float(bitPattern: try read(UInt32.self, field()))
    }

    public mutating func readDouble(_ field: @autoclosure () -> String) throws -> Double {
        Double(bitPattern: try read(UInt64.self, field()))
    }

    /// Reads four raw bytes (a faiss format code such as `IwFl`).
    public mutating func readCode(_ field: @autoclosure () -> String) throws -> [UInt8] {
        try require(4, for: field())
        let code = Array(file.bytes[offset..<offset + 4])
        offset += 4
        return code
    }

    /// The next four bytes without consuming them, or nil when fewer remain.
    public func peekCode() -> [UInt8]? {
        remaining >= 4 ? Array(file.bytes[offset..<offset + 4]) : nil
    }

    /// Reads a u64 that must fit an `Int` and lie in `range`.
    public mutating func readSize(_ field: @autoclosure () -> String, in range: ClosedRange<Int> = 0...Int.max) throws -> Int {
        let start = offset
        let raw = try read(UInt64.self, field())
        guard raw <= UInt64(Int.max), range.contains(Int(raw)) else {
            throw invalid(field(), "value \(raw) is outside \(range.lowerBound)...\(range.upperBound)", at: start)
        }
        return Int(raw)
    }

    /// Reads an i32 that must lie in `range`.
    public mutating func readInt32(_ field: @autoclosure () -> String, in range: ClosedRange<Int32>) throws -> Int32 {
        let start = offset
        let value = try read(Int32.self, field())
        guard range.contains(value) else {
            throw invalid(field(), "value \(value) is outside \(range.lowerBound)...\(range.upperBound)", at: start)
        }
        return value
    }

    // MARK: regions

    /// Skips `byteCount` bytes of `field`, returning the offset where they start.
    @discardableResult
    public mutating func skip(_ byteCount: Int, _ field: @autoclosure () -> String) throws -> Int {
        try require(byteCount, for: field())
        let start = offset
        offset += byteCount
        return start
    }

    /// Reads a faiss vector: a u64 element count, then `count × elementSize` bytes, which are skipped.
    ///
    /// The count is checked against the bytes left before anything else happens.
    /// - Returns: the element count and the offset of the first element.
    public mutating func readVectorRegion(_ field: @autoclosure () -> String, elementSize: Int) throws -> (count: Int, offset: Int) {
        let countOffset = offset
        let raw = try read(UInt64.self, "\(field()) count")
        let (bytes, overflow) = raw.multipliedReportingOverflow(by: UInt64(elementSize))
        guard !overflow, bytes <= UInt64(remaining) else {
            offset = countOffset
            throw FederIndexError.truncated(
                path: file.path, format: format, field: "\(field()) (\(raw) elements of \(elementSize) bytes)",
                offset: countOffset + 8, needed: overflow ? Int.max : Int(clamping: bytes), available: remaining - 8)
        }
        let start = offset
        offset += Int(bytes)
        return (Int(raw), start)
    }

    /// Reads a faiss vector into a typed view over the mapped bytes.
    public mutating func readMappedArray<T: BitwiseCopyable>(_ field: @autoclosure () -> String, of _: T.Type) throws -> MappedArray<T> {
        let region = try readVectorRegion(field(), elementSize: MemoryLayout<T>.size)
        return MappedArray(file: file, byteOffset: region.offset, count: region.count)
    }

    /// Reads a small faiss vector (bounded by `limit` elements) into a Swift array.
    public mutating func readSmallArray<T: BitwiseCopyable>(_ field: @autoclosure () -> String, of type: T.Type, limit: Int) throws -> [T] {
        let start = offset
        let view = try readMappedArray(field(), of: type)
        guard view.count <= limit else {
            throw invalid(field(), "\(view.count) elements, at most \(limit) expected", at: start)
        }
        return Array(view)
    }
}

/// Multiplies sizes read from a file, returning nil on overflow.
public func checkedProduct(_ values: Int...) -> Int? {
    var product = 1
    for value in values {
        guard value >= 0 else { return nil }
        let (result, overflow) = product.multipliedReportingOverflow(by: value)
        if overflow { return nil }
        product = result
    }
    return product
}

/// Adds sizes read from a file, returning nil on overflow.
public func checkedSum(_ values: [Int]) -> Int? {
    var total = 0
    for value in values {
        let (result, overflow) = total.addingReportingOverflow(value)
        if overflow { return nil }
        total = result
    }
    return total
}
