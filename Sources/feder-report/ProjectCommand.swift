import ArgumentParser
import FederIndex
import FederLayout
import FederRender
import Foundation

/// `feder-report project FILE -o out.npy|png|pdf`: a 2-D embedding of any vector set.
struct ProjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Project vectors (.npy, .fvecs, .json or an index's stored vectors) to 2-D with PCA, UMAP or t-SNE.",
        discussion: """
            -o out.npy writes the coordinates (N×2 float32, row order; for an index, its stored vectors in \
            storage order). -o out.png / .pdf / .svg draws a scatter plot, coloured by --labels (one label per \
            line, line i for row i) with a legend. Seeded and deterministic.
            """)

    @Argument(help: "Vectors (.npy, .fvecs, .json) or an index file.")
    var file: String

    @Option(help: "pca, umap or tsne.")
    var method: String = "umap"

    @Option(help: "Seed for the projection.")
    var seed: UInt64 = 1

    @Option(help: "Labels, one per line, to colour the scatter plot.")
    var labels: String?

    @Option(help: "The hnswlib space when FILE is an hnswlib index.")
    var space: SpaceOption = .l2

    @Flag(help: "Print the trustworthiness (10 neighbours) of the embedding.")
    var trustworthiness = false

    @Option(name: .shortAndLong, help: "Output: .npy, .png, .pdf or .svg.")
    var output: String

    func validate() throws {
        guard ProjectionMethod(rawValue: method) != nil else { throw ValidationError("--method is pca, umap or tsne (got '\(method)').") }
        let ext = (output as NSString).pathExtension.lowercased()
        guard ["npy", "png", "pdf", "svg"].contains(ext) else { throw ValidationError("-o must end in .npy, .png, .pdf or .svg.") }
    }

    func run() throws {
        let table = try reportingErrors { try loadVectors() }
        guard table.count > 0 else { throw ValidationError("\(file) holds no vectors.") }
        let methodValue = ProjectionMethod(rawValue: method) ?? .umap
        let started = Date()
        let points = methodValue.embed(table, seed: seed)
        let elapsed = Date().timeIntervalSince(started)
        if trustworthiness {
            print(String(format: "trustworthiness@10 %.4f", Trustworthiness.score(original: table, embedding: points)))
        }
        let ext = (output as NSString).pathExtension.lowercased()
        do {
            if ext == "npy" {
                let values = points.flatMap { [Float($0.x), Float($0.y)] }
                try VectorFile.npyData(values, rows: points.count, dim: 2).write(to: URL(fileURLWithPath: output), options: .atomic)
            } else {
                var labelList: [String]?
                if let labels {
                    let text = try String(contentsOfFile: labels, encoding: .utf8)
                    labelList = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                }
                let subtitle = "\(table.count) × \(table.dim) from \((file as NSString).lastPathComponent) · \(methodValue.displayName) · seed \(seed)"
                let scene = ScatterPlot.scene(
                    points: points, labels: labelList, title: "\(methodValue.displayName) projection", subtitle: subtitle,
                    size: Size(640, 560), theme: .light, measurer: PangoTextMeasurer())
                try DocumentWriter.write([scene], to: output)
            }
        } catch {
            printError("feder-report: error: \(error.localizedDescription)")
            throw ExitCode(73)
        }
        printError(String(format: "feder-report: projected %d vectors with %@ in %.2f s → %@", table.count, methodValue.rawValue, elapsed, output))
    }

    func loadVectors() throws -> VectorTable {
        let lower = file.lowercased()
        if lower.hasSuffix(".npy") || lower.hasSuffix(".fvecs") || lower.hasSuffix(".json") {
            return try VectorFile.read(path: file)
        }
        let index = try IndexFile.open(path: file, space: space.metric)
        var values: [Float] = []
        var rows = 0
        index.forEachStoredVector { _, pointer in
            for lane in 0..<index.dim { values.append(pointer.loadUnaligned(fromByteOffset: lane * 4, as: Float.self)) }
            rows += 1
        }
        return VectorTable(name: file, rows: values, dim: index.dim)
    }
}
