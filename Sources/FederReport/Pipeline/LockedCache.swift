import Synchronization

/// A dictionary filled on first use from several threads: each key's value is made once and then shared.
final class LockedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let storage = Mutex<[Key: Value]>([:])

    /// The value for `key`, made by `make` when missing. Two threads asking for a missing key at once may
    /// both make it; the first stored wins, so every caller sees one value.
    func value(for key: Key, make: () throws -> Value) throws -> Value {
        if let cached = storage.withLock({ $0[key] }) { return cached }
        let made = try make()
        return storage.withLock { values in
            if let cached = values[key] { return cached }
            values[key] = made
            return made
        }
    }
}
