import FederIndex
import FederLayout
import FederProjection
import FederRender
import Foundation

/// What `feder-report project` is asked for.
public struct ProjectRequest: Sendable {
    /// Vectors (.npy, .fvecs, .json) or an index file whose stored vectors are projected.
    public var file: String
    public var space: Space = .l2
    public var method: ProjectionMethod = .umap
    public var seed: UInt64 = 1
    /// One label per line (line i for row i), to colour the scatter plot.
    public var labels: String?
    public var trustworthiness = false
    /// `.npy` (the coordinates) or `.png` / `.pdf` / `.svg` (a scatter plot).
    public var output: String

    public init(file: String, output: String) {
        self.file = file
        self.output = output
    }
}

/// What `project` did.
public struct ProjectOutcome: Sendable {
    public var count: Int
    public var seconds: Double
    /// Trustworthiness with 10 neighbours, when asked for.
    public var trustworthiness: Double?
}

/// `feder-report project`: a seeded 2-D embedding of any vector set.
public enum ProjectJob {
    /// - Throws: `FederIndexError`, `ReportError.query(.emptySet)`, `ReportError.cannotRead` (labels),
    ///   `ReportError.cannotWrite` / `RenderError` (output).
    public static func run(_ request: ProjectRequest) throws -> ProjectOutcome {
        let table = try vectors(request)
        guard table.count > 0 else { throw ReportError.query(.emptySet(source: request.file)) }
        guard table.dim > 0 else { throw ReportError.query(.zeroDimension(source: request.file)) }
        let labels = try request.labels.map(readLabels)
        let started = Date()
        let points = request.method.embed(table, seed: request.seed)
        let seconds = Date().timeIntervalSince(started)
        let score = request.trustworthiness ? Trustworthiness.score(original: table, embedding: points) : nil
        if (request.output as NSString).pathExtension.lowercased() == "npy" {
            let values = points.flatMap { [Float($0.x), Float($0.y)] }
            try OutputWriter().write(VectorFile.npyData(values, rows: points.count, dim: 2), to: request.output)
        } else {
            let name = request.method.displayName
            let subtitle =
                "\(table.count) × \(table.dim) from \((request.file as NSString).lastPathComponent) · \(name) · seed \(request.seed)"
            let scene = ScatterPlot.scene(
                points: points.map(Point.init), labels: labels, title: "\(name) projection", subtitle: subtitle, size: Size(640, 560),
                theme: .light,
                measurer: PangoTextMeasurer())
            var writer = OutputWriter()
            _ = try writer.write([scene], to: request.output, title: "\(name) projection")
        }
        return ProjectOutcome(count: table.count, seconds: seconds, trustworthiness: score)
    }

    /// The vectors of a vector file, or an index's stored vectors in storage order.
    static func vectors(_ request: ProjectRequest) throws -> VectorTable {
        let lower = request.file.lowercased()
        if lower.hasSuffix(".npy") || lower.hasSuffix(".fvecs") || lower.hasSuffix(".json") {
            return try VectorFile.read(path: request.file)
        }
        let index = try IndexFile.open(path: request.file, space: request.space.metric)
        var values: [Float] = []
        values.reserveCapacity(index.count * index.dim)
        var rows = 0
        index.forEachStoredVector { _, pointer in
            // Stored vectors sit at any byte offset of the mapped file: read them unaligned.
            for lane in 0..<index.dim { values.append(pointer.loadUnaligned(fromByteOffset: lane * 4, as: Float.self)) }
            rows += 1
        }
        return VectorTable(name: request.file, rows: values, dim: index.dim)
    }

    /// One label per line, surrounding spaces trimmed.
    static func readLabels(_ path: String) throws -> [String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ReportError.cannotRead(
                path: path, reason: FileManager.default.fileExists(atPath: path) ? "not UTF-8 text" : "no such file")
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
