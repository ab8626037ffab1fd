import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The temporary file a write is filling, so an interrupted run (SIGINT, SIGTERM) can remove it and leave the
/// previous report untouched. One write at a time; the signal handler only calls `unlink` and `_exit`.
public enum PartialFiles {
    nonisolated(unsafe) static var current: UnsafeMutablePointer<CChar>?

    static func begin(_ path: String) {
        end()
        current = strdup(path)
    }

    static func end() {
        if let pointer = current {
            current = nil
            free(pointer)
        }
    }

    /// Installs SIGINT and SIGTERM handlers that delete the partial file and exit with 128 + signal.
    public static func installSignalHandlers() {
        let handler: @convention(c) (Int32) -> Void = { signal in
            if let pointer = PartialFiles.current { unlink(pointer) }
            _exit(128 + signal)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}
