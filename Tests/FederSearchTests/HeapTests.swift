import FederProjection
import XCTest

@testable import FederSearch

/// The ported heaps keep the orders their libraries guarantee, over many seeded inputs full of ties.
final class HeapTests: XCTestCase {
    func testResultHeapKeepsTheSmallestWithTiesToTheEarlierID() {
        for seed in 0..<300 as Range<UInt64> {
            var rng = SeededRandom(seed: seed)
            let n = Int.random(in: 1...60, using: &rng)
            let k = Int.random(in: 1...20, using: &rng)
            let values = (0..<n).map { _ in Float(Int.random(in: 0...6, using: &rng)) }
            var heap = FaissResultHeap(capacity: k, order: .keepSmallest)
            for (id, value) in values.enumerated() { heap.offer(value, id: Int64(id)) }
            let expected = values.enumerated().sorted { ($0.element, $0.offset) < ($1.element, $1.offset) }.prefix(k)
            let got = heap.sortedResults()
            XCTAssertEqual(got.prefix(expected.count).map(\.id), expected.map { Int64($0.offset) }, "seed \(seed)")
            XCTAssertEqual(got.count, k)
            XCTAssertTrue(got.dropFirst(expected.count).allSatisfy { $0.id == -1 && $0.distance == .greatestFiniteMagnitude })
            XCTAssertEqual(heap.filled, min(n, k))
        }
    }

    func testInnerProductHeapListsTiesWithTheLargerIDFirst() {
        for seed in 0..<300 as Range<UInt64> {
            var rng = SeededRandom(seed: seed)
            let n = Int.random(in: 1...60, using: &rng)
            let k = Int.random(in: 1...20, using: &rng)
            let values = (0..<n).map { _ in Float(Int.random(in: -3...3, using: &rng)) }
            var heap = FaissResultHeap(capacity: k, order: .keepLargest)
            for (id, value) in values.enumerated() { heap.offer(value, id: Int64(id)) }
            // Kept: the k largest scores (which of several tied ids survives depends on the scan, as in faiss);
            // listed descending, ties by the larger id first.
            let got = heap.sortedResults().prefix(min(n, k))
            let bestScores = values.sorted(by: >).prefix(k)
            XCTAssertEqual(got.map(\.distance), Array(bestScores), "seed \(seed)")
            for (a, b) in zip(got, got.dropFirst()) where a.distance == b.distance {
                XCTAssertGreaterThan(a.id, b.id, "seed \(seed)")
            }
            XCTAssertTrue(got.allSatisfy { values[Int($0.id)] == $0.distance })
        }
    }

    func testMinimaxHeapPopsTheBestAndCountsPoppedSlots() {
        for seed in 0..<200 as Range<UInt64> {
            var rng = SeededRandom(seed: seed)
            let capacity = Int.random(in: 1...12, using: &rng)
            var heap = MinimaxHeap(capacity: capacity, order: .keepSmallest)
            var model: [(id: Int32, distance: Float)] = []
            for id in 0..<Int32(40) {
                let distance = Float(Int.random(in: 0...9, using: &rng))
                let outcome = heap.push(id, distance)
                if outcome.accepted { model.append((id, distance)) }
                if Bool.random(using: &rng), let popped = heap.popMin() {
                    let best = model.map(\.distance).min()
                    XCTAssertEqual(popped.distance, best, "seed \(seed)")
                    model.removeAll { $0.id == popped.id }
                }
            }
            XCTAssertLessThanOrEqual(heap.count, capacity)
            XCTAssertLessThanOrEqual(heap.count, model.count)
        }
    }

    func testStdPriorityQueuePopsInNonIncreasingOrder() {
        for seed in 0..<200 as Range<UInt64> {
            var rng = SeededRandom(seed: seed)
            var queue = StdPriorityQueue()
            var keys: [Float] = []
            for id in 0..<UInt32(Int.random(in: 1...80, using: &rng)) {
                let key = Float(Int.random(in: 0...5, using: &rng))
                queue.push(key, id)
                keys.append(key)
            }
            var popped: [Float] = []
            while !queue.isEmpty { popped.append(queue.pop().key) }
            XCTAssertEqual(popped, keys.sorted(by: >), "seed \(seed)")
        }
    }
}
