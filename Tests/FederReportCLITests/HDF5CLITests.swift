import FederTestSupport
import Foundation
import XCTest

/// ann-benchmarks HDF5 files written by h5py: queries from `test`, the added vectors from `train`, ground truth
/// from `neighbors` (and `distances`), and clear refusals of what is not such a file.
final class HDF5CLITests: XCTestCase {
    nonisolated(unsafe) static var built: URL?
    var directory: URL { Self.built ?? URL(fileURLWithPath: "/nonexistent") }

    override func setUpWithError() throws {
        guard LibraryScript.isAvailable else { throw XCTSkip("no .venv") }
        if Self.built != nil { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feder-hdf5-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = """
            import sys
            import numpy as np, h5py, faiss
            out = sys.argv[1]
            rng = np.random.default_rng(11)
            train = rng.normal(size=(700, 24)).astype(np.float32)
            test = rng.normal(size=(9, 24)).astype(np.float32)
            d2 = ((test[:, None, :] - train[None, :, :]) ** 2).sum(-1)
            neighbors = np.argsort(d2, axis=1, kind="stable")[:, :10]
            with h5py.File(f"{out}/ann.hdf5", "w") as f:
                f.create_dataset("train", data=train)
                f.create_dataset("test", data=test.astype(np.float64))
                f.create_dataset("neighbors", data=neighbors.astype(np.int32))
                f.create_dataset("distances", data=np.sqrt(np.take_along_axis(d2, neighbors, 1)).astype(np.float32))
            with h5py.File(f"{out}/no-test.hdf5", "w") as f:
                f.create_dataset("train", data=train)
            np.save(f"{out}/test.npy", test)
            index = faiss.index_factory(24, "IVF8,Flat")
            index.train(train)
            index.add(train)
            index.nprobe = 2
            faiss.write_index(index, f"{out}/ivf.faiss")
            pq = faiss.index_factory(24, "IVF8,PQ6x4")
            pq.train(train)
            pq.add(train)
            pq.nprobe = 8
            faiss.write_index(pq, f"{out}/ivfpq.faiss")
            open(f"{out}/fake.hdf5", "w").write("not hdf5")
            # One flipped bit in a dataspace: test's 24 columns read as 2^27 + 24, its 9 rows as 2^26 + 9, and the
            # neighbours' rows too (the first match is the dimensions, the second the maximum dimensions).
            import struct
            data = bytes(open(f"{out}/ann.hdf5", "rb").read())
            def flipped(name, pattern, offset, value):
                at = data.find(pattern)
                assert at >= 0
                patched = bytearray(data)
                patched[at + offset:at + offset + 8] = struct.pack("<Q", value)
                open(f"{out}/{name}", "wb").write(bytes(patched))
            flipped("wide.hdf5", struct.pack("<QQ", 9, 24), 8, 24 | 1 << 27)
            flipped("tall.hdf5", struct.pack("<QQ", 9, 24), 0, 9 | 1 << 26)
            flipped("tall-neighbors.hdf5", struct.pack("<QQ", 9, 10), 0, 9 | 1 << 26)
            with h5py.File(f"{out}/gzip.hdf5", "w") as f:
                f.create_dataset("test", data=test, compression="gzip", chunks=(3, 24))
            data = bytes(open(f"{out}/gzip.hdf5", "rb").read())
            flipped("gzip-wide.hdf5", struct.pack("<QQ", 9, 24), 8, 24 | 1 << 27)
            """
        _ = try LibraryScript.run(script, arguments: [directory.path])
        Self.built = directory
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func lines(_ arguments: [String]) throws -> [[String: Any]] {
        let outcome = try CLI.run(["trace"] + arguments + ["--json"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        return outcome.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func testQueriesAndGroundTruthFromAnAnnBenchmarksFile() throws {
        let fromHDF5 = try lines([path("ivf.faiss"), "--vector", path("ann.hdf5")])
        let fromNpy = try lines([path("ivf.faiss"), "--vector", path("test.npy")])
        XCTAssertEqual(fromHDF5.count, 9)
        XCTAssertEqual(fromHDF5.map { $0["results"] as? NSArray }, fromNpy.map { $0["results"] as? NSArray })
        // neighbors is exact search over train (no ties in random floats): the same recall as exact search.
        let given = try lines([path("ivf.faiss"), "--vector", path("ann.hdf5"), "--ground-truth", path("ann.hdf5")])
        XCTAssertEqual(given.map { $0["recall"] as? Double }, fromNpy.map { $0["recall"] as? Double })
        XCTAssertEqual(given.first?["groundTruth"] as? String, path("ann.hdf5"))
        // Codes-only index: the added vectors come from train.
        let codes = try lines([path("ivfpq.faiss"), "--vector", path("ann.hdf5"), "--vectors", path("ann.hdf5")])
        XCTAssertEqual(codes.count, 9)
        XCTAssertNotNil(codes.first?["recall"] as? Double)
    }

    /// `"dataset"` (spec) and `--dataset` (trace) read another dataset of the file: a train row finds itself.
    func testADatasetOtherThanTestIsReadWhenNamed() throws {
        let traced = try lines([path("ivf.faiss"), "--vector", path("ann.hdf5"), "--dataset", "train", "--row", "5", "--nprobe", "4"])
        let first = (traced.first?["results"] as? [[String: Any]])?.first
        XCTAssertEqual(first?["id"] as? Int, 5)
        XCTAssertEqual((first?["distance"] as? NSNumber)?.doubleValue, 0)
        for (dataset, file, status, message) in [
            ("train", "ann.hdf5", Int32(0), ""), ("nope", "ann.hdf5", Int32(65), "nope"),
            ("train", "test.npy", Int32(65), "dataset names a dataset of an .hdf5"),
        ] {
            let spec: [String: Any] = [
                "indexes": ["ivf": ["file": path("ivf.faiss")]],
                "queries": ["q": ["vector": path(file), "dataset": dataset, "row": 5]],
                "params": ["k": 3, "nprobe": 4],
                "comparisons": [["left": ["index": "ivf", "query": "q"], "right": ["index": "ivf", "query": "q"]]],
            ]
            let specPath = path("dataset.json")
            try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: specPath))
            let outcome = try CLI.run(["report", specPath, "-o", path("dataset.pdf"), "--summary", path("dataset.json.out"), "--quiet"])
            XCTAssertEqual(outcome.status, status, outcome.stderr)
            if !message.isEmpty { XCTAssertTrue(outcome.stderr.contains(message), outcome.stderr) }
            if status == 0 {
                let summary =
                    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("dataset.json.out"))))
                    as? [String: Any]
                let left = (summary?["comparisons"] as? [[String: Any]])?.first?["left"] as? [String: Any]
                let result = ((left?["queries"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])?.first
                XCTAssertEqual(result?["id"] as? Int, 5)
            } else if file == "test.npy" {
                XCTAssertTrue(outcome.stderr.contains("$.queries.q.dataset"), outcome.stderr)
            }
        }
    }

    /// A job spec's query entry reads the file's `test` rows and takes its `neighbors` as the truth, and the page
    /// says so.
    func testAJobSpecWithAGroundTruthFile() throws {
        let spec: [String: Any] = [
            "title": "ann-benchmarks file",
            "indexes": ["ivf": ["file": path("ivf.faiss")]],
            "queries": ["set": ["vector": path("ann.hdf5"), "groundTruth": path("ann.hdf5")]],
            "params": ["k": 10, "nprobe": 2],
            "comparisons": [
                [
                    "title": "nprobe 2 vs 8", "left": ["index": "ivf", "query": "set"],
                    "right": ["index": "ivf", "query": "set", "params": ["nprobe": 8]], "sweep": ["nprobe": [1, 8]],
                ]
            ],
        ]
        let specPath = path("spec.json")
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: specPath))
        let outcome = try CLI.run(["report", specPath, "-o", path("report.pdf"), "--summary", path("summary.json"), "--quiet"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("summary.json")))) as? [String: Any]
        let comparison = (summary?["comparisons"] as? [[String: Any]])?.first
        let left = comparison?["left"] as? [String: Any]
        XCTAssertEqual(left?["groundTruth"] as? String, path("ann.hdf5"))
        XCTAssertEqual(left?["queryCount"] as? Int, 9)
        // The mean recall equals the trace's against the same file at the same nprobe.
        let traced = try lines([path("ivf.faiss"), "--vector", path("ann.hdf5"), "--ground-truth", path("ann.hdf5"), "--nprobe", "2"])
        let recalls = traced.compactMap { $0["recall"] as? Double }
        let mean = recalls.reduce(0, +) / Double(max(recalls.count, 1))
        let sweep = comparison?["sweep"] as? [String: Any]
        let right = sweep?["right"] as? [[String: Any]]
        XCTAssertNotNil(right?.first?["recall"] as? Double)
        let aggregates = left?["aggregates"] as? [String: Any]
        let recall = aggregates?["recall"] as? [String: Any]
        XCTAssertEqual(recall?["mean"] as? Double ?? -1, mean, accuracy: 1e-12)
        if let text = try pdfText(path("report.pdf")) {
            XCTAssertTrue(text.contains("recall against ann.hdf5, as given"), text)
        }
    }

    func testWhatIsNotAnAnnBenchmarksFileIsRefused() throws {
        let missing = try CLI.run(["trace", path("ivf.faiss"), "--vector", path("no-test.hdf5")])
        XCTAssertEqual(missing.status, 65, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("no dataset 'test'"), missing.stderr)
        let fake = try CLI.run(["trace", path("ivf.faiss"), "--vector", path("fake.hdf5")])
        XCTAssertEqual(fake.status, 65, fake.stderr)
        XCTAssertTrue(fake.stderr.contains("fake.hdf5") && fake.stderr.contains("not an HDF5 file"), fake.stderr)
        XCTAssertFalse(fake.stderr.contains("\n\n"))
    }

    /// A dataspace that promises more than the file stores (one flipped bit) is refused before anything is
    /// allocated: contiguous data must be stored in full, compressed chunks are read under a budget.
    func testADataspaceTheFileCannotHoldIsRefusedBeforeReading() throws {
        for (file, option, promise) in [
            ("wide.hdf5", "--vector", "9 × 134217752 values"), ("tall.hdf5", "--vector", "67108873 × 24 values"),
            ("gzip-wide.hdf5", "--vector", "9 × 134217752 values"),
        ] {
            let outcome = try CLI.run(["trace", path("ivf.faiss"), option, path(file), "--k", "3"])
            XCTAssertEqual(outcome.status, 65, "\(file): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains("its dataspace says \(promise)"), "\(file): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains("but the file stores"), outcome.stderr)
        }
        let truth = try CLI.run([
            "trace", path("ivf.faiss"), "--vector", path("ann.hdf5"), "--ground-truth", path("tall-neighbors.hdf5"), "--k", "3",
        ])
        XCTAssertEqual(truth.status, 65, truth.stderr)
        XCTAssertTrue(truth.stderr.contains("its dataspace says 67108873 × 10 values"), truth.stderr)
    }
}
