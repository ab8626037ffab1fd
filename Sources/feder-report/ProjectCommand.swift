import ArgumentParser
import FederReport
import Foundation

/// `feder-report project FILE -o out.npy|png|pdf`: a 2-D embedding of any vector set.
struct ProjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Project vectors (.npy, .fvecs, .json or an index's stored vectors) to 2-D with PCA, UMAP or t-SNE.",
        discussion: """
            -o out.npy writes the coordinates (N×2 float32, row order; for an index, its stored vectors in \
            storage order). -o out.png / .pdf / .svg draws a scatter plot, coloured by --labels (one label per \
            line, line i for row i) with a legend. Seeded and deterministic. Exit codes: 0 ok, 64 usage, \
            65 bad data, 66 an input cannot be opened, 73 cannot write.
            """)

    @Argument(help: "Vectors (.npy, .fvecs, .json) or an index file.")
    var file: String

    @Option(help: "pca, umap or tsne.")
    var method: ProjectionMethod = .umap

    @Option(help: "Seed for the projection.")
    var seed: UInt64 = 1

    @Option(help: "Labels, one per line, to colour the scatter plot.")
    var labels: String?

    @Option(help: "The hnswlib space when FILE is an hnswlib index.")
    var space: Space = .l2

    @Flag(help: "Print the trustworthiness (10 neighbours) of the embedding.")
    var trustworthiness = false

    @Option(name: .shortAndLong, help: "Output: .npy, .png, .pdf or .svg.")
    var output: String

    func validate() throws {
        let ext = (output as NSString).pathExtension.lowercased()
        guard ["npy", "png", "pdf", "svg"].contains(ext) else { throw ValidationError("-o must end in .npy, .png, .pdf or .svg.") }
    }

    func run() throws {
        var request = ProjectRequest(file: file, output: output)
        request.space = space
        request.method = method
        request.seed = seed
        request.labels = labels
        request.trustworthiness = trustworthiness
        let outcome = try ProjectJob.run(request)
        if let score = outcome.trustworthiness { print(String(format: "trustworthiness@10 %.4f", score)) }
        printError(
            String(
                format: "feder-report: projected %d vectors with %@ in %.2f s → %@", outcome.count, method.rawValue, outcome.seconds, output
            ))
    }
}
