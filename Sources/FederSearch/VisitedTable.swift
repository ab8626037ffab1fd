import Foundation

/// Per-node marks for one search that cost nothing to clear: hnswlib's `VisitedList` idea, a generation tag
/// per entry, so a new search bumps the tag instead of zeroing n entries. Two independent marks per node.
final class VisitedTable {
    private let entries: UnsafeMutablePointer<UInt32>
    private var tag: UInt32 = 0
    let count: Int

    init(count: Int) {
        self.count = count
        entries = UnsafeMutablePointer<UInt32>.allocate(capacity: max(count, 1))
        entries.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { entries.deallocate() }

    /// Starts a new search: every mark reads as unset.
    func reset() {
        if tag >= (UInt32.max >> 2) - 1 {
            entries.update(repeating: 0, count: max(count, 1))
            tag = 0
        }
        tag += 1
    }

    /// Sets `mark` (1 or 2) on `node`; returns whether it was already set in this search.
    @inline(__always)
    func testAndSet(_ node: Int, mark: UInt32) -> Bool {
        precondition(node >= 0 && node < count)
        let value = entries[node]
        let current = value >> 2 == tag ? value & 3 : 0
        entries[node] = (tag << 2) | current | mark
        return current & mark != 0
    }
}

/// Visited tables reused across searches and threads (one is taken per search and given back).
final class VisitedPool: @unchecked Sendable {
    static let shared = VisitedPool()
    private var free: [VisitedTable] = []
    private let lock = NSLock()

    func withTable<T>(count: Int, _ body: (VisitedTable) throws -> T) rethrows -> T {
        let table: VisitedTable = lock.withLock {
            if let index = free.lastIndex(where: { $0.count == count }) { return free.remove(at: index) }
            return VisitedTable(count: count)
        }
        table.reset()
        defer {
            lock.withLock {
                free.append(table)
                if free.count > 16 { free.removeFirst() }
            }
        }
        return try body(table)
    }
}
