import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A read-only view of a whole file's bytes, memory-mapped so that vector data is never copied.
///
/// The mapping lives as long as this object; typed views (`MappedArray`, `VectorTable`) keep a reference to it.
/// In-memory buffers (queries given as JSON, converted float64 arrays) use the same type so that every
/// consumer reads one kind of storage.
///
/// Unchecked `Sendable`: every stored property is a `let`, and the bytes behind `bytes` are never written after
/// the mapping (or the copy) is made, so any thread may read them; `release` runs once, in `deinit`.
public final class MappedFile: @unchecked Sendable {
    /// The path as the user gave it, used in every message about this file.
    public let path: String
    /// The file's bytes. Never written.
    public let bytes: UnsafeRawBufferPointer
    private let release: @Sendable (UnsafeMutableRawPointer, Int) -> Void
    @usableFromInline let start: UnsafeMutableRawPointer
    private let length: Int

    /// Maps `path` read-only.
    /// - Throws: `FederIndexError.cannotOpen` when the path is missing, a directory or unreadable.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw FederIndexError.cannotOpen(path: path, reason: FileAccess.words(for: errno))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw FederIndexError.cannotOpen(path: path, reason: FileAccess.words(for: errno))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw FederIndexError.cannotOpen(path: path, reason: "is a directory")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw FederIndexError.cannotOpen(path: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        if size == 0 {
            let empty = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16)
            (start, length) = (empty, 0)
            release = { pointer, _ in pointer.deallocate() }
        } else {
            let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
            guard let mapped, mapped != MAP_FAILED else {
                throw FederIndexError.cannotOpen(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
            }
            (start, length) = (mapped, size)
            release = { pointer, count in munmap(pointer, count) }
        }
        bytes = UnsafeRawBufferPointer(start: start, count: length)
    }

    /// Wraps a copy of `data` under the display name `name`.
    public init(name: String, data: some Collection<UInt8>) {
        path = name
        let count = data.count
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 16), alignment: 64)
        let typed = UnsafeMutableRawBufferPointer(start: buffer, count: count)
        _ = typed.initializeMemory(as: UInt8.self, from: data)
        (start, length) = (buffer, count)
        release = { pointer, _ in pointer.deallocate() }
        bytes = UnsafeRawBufferPointer(start: buffer, count: count)
    }

    /// `count` bytes of memory under the display name `name`, written once by `fill` (which may throw: the memory
    /// is then released).
    public init(name: String, count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        path = name
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 16), alignment: 64)
        do {
            try fill(UnsafeMutableRawBufferPointer(start: buffer, count: count))
        } catch {
            buffer.deallocate()
            throw error
        }
        (start, length) = (buffer, count)
        release = { pointer, _ in pointer.deallocate() }
        bytes = UnsafeRawBufferPointer(start: buffer, count: count)
    }

    /// Wraps a copy of `values` (row-major floats) under the display name `name`.
    public convenience init(name: String, floats values: [Float]) {
        let data = values.withUnsafeBytes { Array($0) }
        self.init(name: name, data: data)
    }

    /// The first `length` bytes as a file of their own, sharing this file's memory (used to test truncations).
    public func prefix(_ length: Int) -> MappedFile {
        MappedFile(parent: self, length: min(max(length, 0), self.length))
    }

    private init(parent: MappedFile, length: Int) {
        path = parent.path
        start = parent.start
        self.length = length
        bytes = UnsafeRawBufferPointer(start: parent.start, count: length)
        release = { _, _ in withExtendedLifetime(parent) {} }
    }

    /// The file size in bytes.
    public var count: Int { length }

    /// The first byte of the file (valid even for an empty file, which then has nothing to read).
    @inlinable public var baseAddress: UnsafeRawPointer { UnsafeRawPointer(start) }

    deinit { release(start, length) }
}
