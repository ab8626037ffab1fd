import Foundation
import Synchronization

/// Per-node marks for one search that cost nothing to clear: hnswlib's `VisitedList` idea, a generation tag
/// per entry, so a new search bumps the tag instead of zeroing n entries. Two independent marks per node.
///
/// Unchecked `Sendable`: a table is owned by one search at a time — `VisitedPool` hands it to one caller and
/// takes it back when that search returns — so its buffer and tag are never touched from two threads at once.
final class VisitedTable: @unchecked Sendable {
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
        setMarks(node, mark) & mark != 0
    }

    /// Sets the marks in `marks` (1, 2 or both) on `node`; returns the marks it had before in this search.
    @inline(__always)
    func setMarks(_ node: Int, _ marks: UInt32) -> UInt32 {
        precondition(node >= 0 && node < count)
        let value = entries[node]
        let current = value >> 2 == tag ? value & 3 : 0
        entries[node] = (tag << 2) | current | marks
        return current
    }
}

/// Visited tables reused across searches and threads (one is taken per search and given back).
final class VisitedPool: Sendable {
    static let shared = VisitedPool()
    private let free = Mutex<[VisitedTable]>([])

    func withTable<T>(count: Int, _ body: (VisitedTable) throws -> T) rethrows -> T {
        let reused: VisitedTable? = free.withLock { free in
            guard let index = free.lastIndex(where: { $0.count == count }) else { return nil }
            return free.remove(at: index)
        }
        let table = reused ?? VisitedTable(count: count)
        table.reset()
        defer {
            free.withLock { free in
                free.append(table)
                if free.count > 16 { free.removeFirst() }
            }
        }
        return try body(table)
    }
}
