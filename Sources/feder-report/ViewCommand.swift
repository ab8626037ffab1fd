import ArgumentParser
import FederReport

/// `feder-report view FILE --id N -o out.pdf`: every view of one index and one query.
struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Draw what a search did: every view of one index and one query, as PDF, PNG, SVG or HTML.",
        discussion: """
            PDF and HTML: an overview page, then one page per view (HTML: one self-contained file whose vectors, \
            nodes and lists show what they are on hover and their route on click). PNG and SVG: every view on one \
            page. Several index files (the shards of one index): the views draw the shard that gave the merged \
            first answer, the result strip the merged answer. Without -o the \
            file is INDEX-view.pdf in the current directory; either way the path written is printed. Output is deterministic \
            (the PDF date is fixed, or SOURCE_DATE_EPOCH). Exit codes: 0 ok, 64 usage, 65 bad data, 66 cannot open, \
            73 cannot write.
            """)

    @OptionGroup var index: IndexFilesOption

    @OptionGroup var query: QueryOptions

    @OptionGroup var kernelsOption: KernelsOption

    @OptionGroup(title: "PostgreSQL (pgvector)") var postgres: PostgresOptions

    @Option(name: .shortAndLong, help: "Output file: .pdf, .png, .svg or .html.")
    var output: String?

    @Option(help: "Media list: one image path (or text line) per id, line i for id i.")
    var media: String?

    @Option(name: .customLong("media-type"), help: "What the media list holds: image or text.")
    var mediaType: MediaKind = .image

    @Option(name: .customLong("media-root"), help: "Folder that relative media paths are resolved against.")
    var mediaRoot: String?

    @Option(name: .customLong("query-media"), help: "An image of the query, shown beside its results.")
    var queryMedia: String?

    @Option(help: "Colour theme: light or dark.")
    var theme: ThemeName = .light

    @Option(help: "PNG resolution in pixels per inch.")
    var dpi: Double = 144

    @Option(help: "Seed for jitter and sampling (layouts are deterministic for a seed).")
    var seed: UInt64 = 1

    @Option(help: "2-D projection used by the maps: pca, umap or tsne.")
    var projection: ProjectionMethod = .pca

    @Flag(
        name: .customLong("check-layout"),
        help: ArgumentHelp(
            "Print one line per layout problem (a text cut with …, overlapping, out of its panel, crossed by a line or hidden "
                + "under a shape; a legend entry without its mark; a mostly empty panel); exit 1 if there is any."))
    var checkLayout = false

    func validate() throws {
        if postgres.isGiven {
            guard index.files.isEmpty else { throw ValidationError("Give either an index file or --postgres, not both.") }
        } else {
            try index.requireFile()
        }
        try query.validate(allowMany: false)
        try index.refuseVectors(query.vectors)
        guard dpi >= 18, dpi <= 1200 else { throw ValidationError("--dpi must be within 18…1200.") }
        if let output, (try? OutputFormat(path: output)) == nil {
            throw ValidationError("-o must end in .pdf, .html, .png or .svg (got '\(output)').")
        }
    }

    func run() throws {
        try kernelsOption.apply()
        let database = try postgres.index()
        var request = ViewRequest(
            file: database?.index ?? index.file, space: query.space, query: try query.source(), search: query.search)
        request.postgres = database
        request.shards = index.shards
        request.successiveIDs = index.successiveIDs
        request.output = output
        request.media = media.map { JobSpec.MediaSpec(kind: mediaType, list: $0, root: mediaRoot) }
        request.queryMedia = queryMedia
        request.theme = theme
        request.dpi = dpi
        request.seed = seed
        request.projection = projection
        request.vectors = query.vectors
        request.checkLayout = checkLayout
        let outcome = try ViewJob.run(request)
        for warning in outcome.warnings { printError("feder-report: warning: \(warning)") }
        let pages = "\(outcome.pages) page\(outcome.pages == 1 ? "" : "s")"
        print("wrote \(outcome.path): \(pages) (\(outcome.views.map(\.rawValue).joined(separator: ", ")))")
        if !outcome.layoutProblems.isEmpty { throw ReportError.layoutProblems(outcome.layoutProblems) }
    }
}
