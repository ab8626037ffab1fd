import XCTest

@testable import FederReport

/// Every spelling in the synonym tables leads to a key that exists, and wrong-place keys name their home.
final class SpecKeyAdviceTests: XCTestCase {
    func testEveryGlobalSynonymIsSuggestedWhereItsKeyIsValid() {
        for (spelling, key) in SpecKeyAdvice.globalSynonyms {
            let homes = SpecObjectKind.allCases.filter { $0.allowed.contains(key) }
            XCTAssertFalse(homes.isEmpty, "\(spelling) → \(key), which no object allows")
            for kind in homes where kind.synonyms[spelling] == nil {
                XCTAssertEqual(SpecKeyAdvice.for(spelling, in: kind), .didYouMean(key), "\(spelling) in \(kind)")
            }
        }
    }

    func testEveryLocalSynonymIsSuggested() {
        for kind in SpecObjectKind.allCases {
            for (spelling, key) in kind.synonyms {
                XCTAssertTrue(kind.allowed.contains(key), "\(spelling) → \(key), which \(kind) does not allow")
                XCTAssertEqual(SpecKeyAdvice.for(spelling, in: kind), .didYouMean(key), "\(spelling) in \(kind)")
            }
        }
    }

    func testUsersSpellingsFromTheReport() {
        for spelling in ["efSearch", "ef_search", "efsearch"] {
            XCTAssertEqual(SpecKeyAdvice.for(spelling, in: .params), .didYouMean("ef"))
        }
        for spelling in ["n_probe", "nprobes", "nProbe"] { XCTAssertEqual(SpecKeyAdvice.for(spelling, in: .params), .didYouMean("nprobe")) }
        for spelling in ["topk", "top_k", "topK"] { XCTAssertEqual(SpecKeyAdvice.for(spelling, in: .params), .didYouMean("k")) }
        XCTAssertEqual(SpecKeyAdvice.for("metric", in: .index), .didYouMean("space"))
        XCTAssertEqual(SpecKeyAdvice.for("path", in: .index), .didYouMean("file"))
        XCTAssertEqual(SpecKeyAdvice.for("vectors", in: .query), .didYouMean("vector"))
        XCTAssertEqual(SpecKeyAdvice.for("vec", in: .query), .didYouMean("vector"))
    }

    func testEveryKeyOutOfPlaceNamesItsHome() {
        for kind in SpecObjectKind.allCases {
            for other in SpecObjectKind.allCases where other != kind {
                for key in other.allowed where !kind.allowed.contains(key) && kind.synonyms[SpecKeyAdvice.normalize(key)] == nil {
                    guard case .belongsIn(let named, let home, false) = SpecKeyAdvice.for(key, in: kind) else {
                        XCTFail("\(key) in \(kind): \(SpecKeyAdvice.for(key, in: kind))")
                        continue
                    }
                    XCTAssertEqual(named, key)
                    XCTAssertTrue(home.allowed.contains(key), "\(key) in \(kind) sent to \(home)")
                }
            }
        }
        XCTAssertEqual(
            SpecKeyAdvice.for("nprobe", in: .index).text,
            " — `nprobe` is a search parameter: put it in $.params or in a side's params")
        XCTAssertEqual(SpecKeyAdvice.for("sweep", in: .side), .belongsIn(key: "sweep", home: .comparison, spelled: false))
        XCTAssertEqual(SpecKeyAdvice.for("theme", in: .root), .belongsIn(key: "theme", home: .output, spelled: false))
        XCTAssertEqual(SpecKeyAdvice.for("page", in: .root), .belongsIn(key: "page", home: .output, spelled: false))
    }
}
