/// A fixed-size buffer that concurrent iterations fill, each writing only its own positions.
///
/// The one shared-memory type of the package: `DispatchQueue.concurrentPerform` bodies write disjoint indices
/// (row `i` of a result, slot `i` of a query list) without a lock, and the caller reads the whole buffer after
/// every iteration has returned. Reading or writing one index from two iterations at once is a data race; the
/// type does not check it (that is what makes it fast), so every use writes index `i` from iteration `i` only.
public final class DisjointBuffer<Element: Sendable>: @unchecked Sendable {
    // Unchecked: the buffer is shared by design; the disjoint-index rule above is what keeps it race-free.
    public let pointer: UnsafeMutableBufferPointer<Element>

    /// `count` copies of `value`.
    public init(repeating value: Element, count: Int) {
        pointer = .allocate(capacity: Swift.max(count, 0))
        pointer.initialize(repeating: value)
    }

    deinit {
        pointer.deinitialize()
        pointer.deallocate()
    }

    public var count: Int { pointer.count }

    public subscript(position: Int) -> Element {
        get { pointer[position] }
        set { pointer[position] = newValue }
    }

    /// Every element, in order (read after the concurrent writes have finished).
    public var elements: [Element] { Array(pointer) }
}
