import FederIndex
import XCTest

@testable import FederSearch

/// A query is refused when any value is a NaN or an infinity, wherever it sits; every finite value passes.
final class FiniteQueryTests: XCTestCase {
    func testEveryNonFiniteValueIsFoundAndEveryFiniteOnePasses() {
        let finite: [Float] = [0, -0.0, 1, -1, .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude, -3.4e38]
        XCTAssertTrue(allFinite(finite))
        XCTAssertTrue(allFinite([]))
        for bad: Float in [.nan, -.nan, .infinity, -.infinity, .signalingNaN] {
            for position in [0, 3, finite.count] {
                var values = finite
                values.insert(bad, at: position)
                XCTAssertFalse(allFinite(values), "\(bad) at \(position)")
            }
        }
        // Each of 100 positions in a long query.
        for position in 0..<100 {
            var values = [Float](repeating: 0.5, count: 100)
            values[position] = .nan
            XCTAssertFalse(allFinite(values))
        }
    }
}
