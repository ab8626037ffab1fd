// feder-bench: times feder-report's index loading and traced searches on one index, single-threaded, the
// way Benchmarks/search_bench.py times faiss and hnswlib. Prints one JSON object.
//
// Usage: feder-bench INDEX --space l2 --queries Q.npy --k 10 [--nprobe 8,32] [--ef 16,64] [--repeat 3]
//        feder-bench INDEX --queries Q.npy --k 10 --exact [--scan]   (exact top-k of every query on all cores,
//        blocked; with --scan also the row-by-row scan; prints seconds, ids and distance bits)
//        feder-bench INDEX --queries Q.npy --k 10 --serve    (then one line per run on stdin: "nprobe 8" or
//        "ef 16"; each answered with one JSON line {"msPerQuery": …}, so a driver can take turns with a library
//        run by run in one process each)
import FederIndex
import FederLayout
import FederRender
import FederSearch
import Foundation

struct Options {
    var index = ""
    var space = Metric.l2
    var queries = ""
    var k = 10
    var nprobes: [Int] = []
    var efs: [Int] = []
    var rounds = 3
    var copy = false
    /// Answer runs named on standard input instead of timing the settings once.
    var serve = false
    /// Time every view of the first query's trace, rendered to PNG in this folder.
    var views: String?
    /// Time exact search of the whole query set instead of traced searches.
    var exact = false
    var scan = false
}

func parse() -> Options? {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst()
    while let argument = arguments.popFirst() {
        switch argument {
        case "--space": options.space = arguments.popFirst().flatMap(Metric.init(name:)) ?? .l2
        case "--queries": options.queries = arguments.popFirst() ?? ""
        case "--k": options.k = arguments.popFirst().flatMap(Int.init) ?? 10
        case "--nprobe": options.nprobes = (arguments.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }
        case "--ef": options.efs = (arguments.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }
        case "--copy": options.copy = true
        case "--exact": options.exact = true
        case "--scan": options.scan = true
        case "--serve": options.serve = true
        case "--views": options.views = arguments.popFirst()
        case "--repeat": options.rounds = arguments.popFirst().flatMap(Int.init) ?? 3
        default: options.index = argument
        }
    }
    return options.index.isEmpty || options.queries.isEmpty ? nil : options
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

guard let options = parse() else {
    FileHandle.standardError.write(Data("usage: feder-bench INDEX --queries Q.npy [--space S] [--k K] [--nprobe a,b] [--ef a,b]\n".utf8))
    exit(64)
}

do {
    var opens: [Double] = []
    var index: IndexFile?
    for _ in 0..<5 {
        opens.append(
            try seconds {
                if options.copy {
                    let data = try Data(contentsOf: URL(fileURLWithPath: options.index))
                    index = try IndexFile.decode(MappedFile(name: options.index, data: data), space: options.space)
                } else {
                    index = try IndexFile.open(path: options.index, space: options.space)
                }
            })
    }
    guard let index else { exit(65) }
    let queries = try VectorFile.read(path: options.queries)
    let rows = (0..<queries.count).map { queries.row($0) }
    if options.exact {
        var blocked: [[Neighbor]] = []
        let blockedSeconds = try seconds { blocked = try BlockedExact.neighbors(index, queries: rows, k: options.k) }
        var output: [String: Any] = [
            "blockedSeconds": blockedSeconds, "ids": blocked.map { $0.map(\.id) }, "bits": blocked.map { $0.map(\.distance.bitPattern) },
        ]
        if options.scan {
            let slots = DisjointBuffer<[Neighbor]>(repeating: [], count: rows.count)
            output["scanSeconds"] = seconds {
                DispatchQueue.concurrentPerform(iterations: rows.count) {
                    slots[$0] = (try? Measures.exactNeighbors(index, query: rows[$0], k: options.k)) ?? []
                }
            }
            output["scanEqual"] = zip(slots.elements, blocked).allSatisfy { scanned, screened in
                scanned.map(\.id) == screened.map(\.id) && scanned.map(\.distance.bitPattern) == screened.map(\.distance.bitPattern)
            }
        }
        let data = try JSONSerialization.data(withJSONObject: output, options: [.sortedKeys])
        FileHandle.standardOutput.write(data)
        print()
        exit(0)
    }
    if options.serve {
        // One run over every query per request line, timed alone: the driver alternates with the library.
        while let line = readLine() {
            let words = line.split(separator: " ")
            guard words.count == 2, let value = Int(words[1]) else { continue }
            let request =
                words[0] == "nprobe" ? SearchRequest(k: options.k, nprobe: value) : SearchRequest(k: options.k, ef: value)
            let elapsed = try seconds { for row in rows { _ = try Searcher.trace(index, query: row, request: request) } }
            print("{\"msPerQuery\": \(elapsed * 1000 / Double(max(rows.count, 1)))}")
            fflush(nil)
        }
        exit(0)
    }
    var runs: [[String: Any]] = []
    let settings: [SearchRequest] =
        options.nprobes.map { SearchRequest(k: options.k, nprobe: $0) } + options.efs.map { SearchRequest(k: options.k, ef: $0) }
    for request in settings {
        var best = Double.infinity
        var results: [[Int64]] = []
        var bits: [[UInt32]] = []
        var counts: [Int] = []
        for _ in 0..<options.rounds {
            var round: [[Int64]] = []
            var roundBits: [[UInt32]] = []
            var roundCounts: [Int] = []
            let elapsed = try seconds {
                for row in rows {
                    let (trace, _) = try Searcher.trace(index, query: row, request: request)
                    round.append(trace.results.map(\.id))
                    roundBits.append(trace.results.map(\.distance.bitPattern))
                    roundCounts.append(trace.counts.distanceComputations)
                }
            }
            if elapsed < best { best = elapsed }
            results = round
            bits = roundBits
            counts = roundCounts
        }
        var run: [String: Any] = [
            "k": request.k, "msPerQuery": best * 1000 / Double(rows.count), "ids": results, "bits": bits,
            "meanDistanceComputations": Double(counts.reduce(0, +)) / Double(max(counts.count, 1)),
        ]
        if let nprobe = request.nprobe { run["nprobe"] = nprobe }
        if let ef = request.ef { run["ef"] = ef }
        runs.append(run)
    }
    var output: [String: Any] = ["openSeconds": opens.sorted()[opens.count / 2], "runs": runs]
    if let folder = options.views, let request = settings.first, let row = rows.first {
        var (trace, _) = try Searcher.trace(index, query: row, request: request)
        try Measures.measure(&trace, index: index, query: row)
        let measurer = PangoTextMeasurer()
        var timings: [String: Double] = [:]
        var report = ViewSet(
            indexName: (options.index as NSString).lastPathComponent, index: index, trace: trace, query: row, queryLabel: "row 0")
        // Building the report includes the per-index work (the IVF cluster map), timed with the first view.
        var views: [ViewSet.View] = []
        let setup = seconds { views = report.views() }
        report.seed = 1
        for view in views {
            let rect = Rect(x: 20, y: 20, width: 802, height: 555)
            let elapsed = try seconds {
                var scene = Scene(size: Size(842, 595), background: Theme.light.background, title: view.name)
                scene.marks = view.draw(rect, measurer)
                try DocumentWriter.write([scene], to: (folder as NSString).appendingPathComponent("\(view.name).png"), dpi: 144)
            }
            timings[view.name] = elapsed
        }
        output["viewSetupSeconds"] = setup
        output["viewSeconds"] = timings
    }
    let data = try JSONSerialization.data(withJSONObject: output, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
} catch {
    FileHandle.standardError.write(Data("feder-bench: \(error.localizedDescription)\n".utf8))
    exit(65)
}
