import FederIndex
import FederLayout
import FederSearch
import XCTest

@testable import FederReport

/// A miss reason is worded once (`Miss.Reason.label`): the text output, the results strip's note and the misses
/// table all say it in those words, whatever each adds after them.
final class MissWordingTests: XCTestCase {
    func testEveryOutputNamesAReasonInTheSameWords() throws {
        let reasons: [Miss.Reason] = [
            .unprobedList, .quantization, .transform, .refineShortlist, .unreachable, .deletedPath, .notReached, .notKept, .tie,
            .filteredBeforeK, .scanBudget,
        ]
        XCTAssertEqual(Set(Miss.Reason.tableOrder), Set(reasons))
        XCTAssertEqual(Set(reasons.map(\.label)).count, reasons.count, "two reasons share a label")
        for reason in reasons {
            var miss = Miss(id: 812, exactRank: 3, distance: 15_000, reason: reason)
            (miss.list, miss.listRank, miss.approximateDistance, miss.hops) = (17, 9, 14_000, 2)
            let text = TraceText.describe(TraceOutput.MissOutput(miss, unsigned: false))
            XCTAssertTrue(text.hasPrefix("id 812 (exact rank 3, 15000): \(reason.label)"), text)
            let json = #"{"exact": [], "recall": 0.9, "rankOfTrueNearest": 1}"#
            var measures = try JSONDecoder().decode(SearchMeasures.self, from: Data(json.utf8))
            measures.misses = [miss]
            let note = try XCTUnwrap(ReportBlocks.missNote(measures, unsigned: false))
            // The unprobed list is named with its number inside the words ("list 17 not probed").
            let words = reason == .unprobedList ? "list 17 not probed" : reason.label
            XCTAssertTrue(note.contains("id 812 (exact #3): \(words)"), note)
        }
    }
}
