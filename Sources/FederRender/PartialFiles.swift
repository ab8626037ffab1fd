import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The temporary file a write is filling, so an interrupted run (SIGINT, SIGTERM) can remove it and leave the
/// previous report untouched.
///
/// The signal handler may run at any instant on any thread, so it must never see a path being freed. The path
/// lives in a fixed, never-freed buffer of `capacity` bytes; a write publishes it by storing its length in an
/// atomic *after* copying the bytes, and retires it by storing 0 *before* the buffer is reused. The handler
/// reads the length once, and only when it is non-zero reads the bytes (which no one is changing then) and calls
/// `unlink` and `_exit`, both async-signal-safe. Writes are serialised by a mutex; only the handler reads lock-free.
public enum PartialFiles {
    static let capacity = 4096
    /// The path bytes, NUL-terminated; allocated once for the life of the process.
    nonisolated(unsafe) static let buffer: UnsafeMutablePointer<CChar> = {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
        pointer.initialize(repeating: 0, count: capacity)
        return pointer
    }()
    /// The published path's length; 0 while no partial file exists.
    static let published = Atomic<Int>(0)
    static let writers = Mutex<Void>(())

    /// Publishes `path` as the file being filled (a path too long for the buffer is not published: an
    /// interrupt then leaves that temporary file behind rather than risk reading past the buffer).
    static func begin(_ path: String) {
        writers.withLock { _ in
            published.store(0, ordering: .sequentiallyConsistent)
            let bytes = Array(path.utf8CString)
            guard bytes.count <= capacity else { return }
            for (offset, byte) in bytes.enumerated() { buffer[offset] = byte }
            published.store(bytes.count - 1, ordering: .sequentiallyConsistent)
        }
    }

    /// Retires the published path (the file was renamed into place or removed).
    static func end() {
        writers.withLock { _ in published.store(0, ordering: .sequentiallyConsistent) }
    }

    /// Installs SIGINT and SIGTERM handlers that delete the partial file and exit with 128 + signal.
    public static func installSignalHandlers() {
        _ = buffer  // allocate before any handler can run
        let handler: @convention(c) (Int32) -> Void = { signal in
            if PartialFiles.published.load(ordering: .sequentiallyConsistent) > 0 { unlink(PartialFiles.buffer) }
            _exit(128 + signal)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}
