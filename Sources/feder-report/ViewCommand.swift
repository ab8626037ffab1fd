import ArgumentParser
import FederIndex
import FederLayout
import FederRender
import FederSearch
import Foundation

/// `feder-report view FILE --id N -o out.pdf`: every view of one index and one query.
struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Draw what a search did: every view of one index and one query, as PDF, PNG or SVG.",
        discussion: """
            PDF: an overview page, then one page per view. PNG and SVG: every view on one page. Without -o the \
            file is written next to the index as INDEX-view.pdf and its path printed. Output is deterministic \
            (the PDF date is fixed, or SOURCE_DATE_EPOCH). Exit codes: 0 ok, 64 usage, 65 bad data, 66 cannot open.
            """)

    @Argument(help: "The index file.")
    var file: String

    @OptionGroup var query: QueryOptions

    @Option(name: .shortAndLong, help: "Output file: .pdf, .png or .svg.")
    var output: String?

    @Option(help: "Media list: one image path (or text line) per id, line i for id i.")
    var media: String?

    @Option(name: .customLong("media-type"), help: "What the media list holds: image or text.")
    var mediaType: String = "image"

    @Option(name: .customLong("media-root"), help: "Folder that relative media paths are resolved against.")
    var mediaRoot: String?

    @Option(name: .customLong("query-media"), help: "An image of the query, shown beside its results.")
    var queryMedia: String?

    @Option(help: "Colour theme: light or dark.")
    var theme: String = "light"

    @Option(help: "PNG resolution in pixels per inch.")
    var dpi: Double = 144

    @Option(help: "Seed for jitter and sampling (layouts are deterministic for a seed).")
    var seed: UInt64 = 1

    @Option(help: "2-D projection used by the maps: pca, umap or tsne.")
    var projection: String = "pca"

    func validate() throws {
        try query.validate(allowMany: false)
        guard Theme.named(theme) != nil else { throw ValidationError("--theme is light or dark (got '\(theme)').") }
        guard ProjectionMethod(rawValue: projection) != nil else { throw ValidationError("--projection is pca, umap or tsne (got '\(projection)').") }
        guard dpi >= 18, dpi <= 1200 else { throw ValidationError("--dpi must be within 18…1200.") }
        guard mediaType == "image" || mediaType == "text" else { throw ValidationError("--media-type is image or text.") }
        if let output, (try? OutputFormat(path: output)) == nil {
            throw ValidationError("-o must end in .pdf, .png or .svg (got '\(output)').")
        }
    }

    func run() throws {
        let index = try reportingErrors { try IndexFile.open(path: file, space: query.space.metric) }
        let queries = try reportingErrors { try query.resolve(index) }
        guard let first = queries.first else { throw ValidationError("No query vector.") }
        var (trace, warnings) = try reportingErrors {
            try Searcher.trace(index, query: first.vector, request: query.request, source: first.source)
        }
        Measures.measure(&trace, index: index, query: first.vector)
        let mediaList = try media.map { path in
            do {
                return try MediaList.load(listPath: path, kind: mediaType == "text" ? .text : .image, root: mediaRoot)
            } catch {
                printError("feder-report: error: \(error.localizedDescription)")
                throw ExitCode(65)
            }
        }
        var report = ViewReport(
            indexName: (file as NSString).lastPathComponent, index: index, trace: trace, query: first.vector,
            queryLabel: first.source, queryMedia: queryMedia, media: mediaList, theme: Theme.named(theme) ?? .light, seed: seed)
        report.projection = ProjectionMethod(rawValue: projection) ?? .pca
        let measurer = PangoTextMeasurer()
        let path = output ?? ((file as NSString).deletingPathExtension + "-view.pdf")
        let format = try OutputFormat(path: path)
        let scenes = format == .pdf ? report.pages(measurer: measurer) : [report.singlePage(measurer: measurer)]
        do {
            warnings += try DocumentWriter.write(scenes, to: path, dpi: dpi, title: "feder-report — \(report.indexName)")
        } catch {
            printError("feder-report: error: \(error.localizedDescription)")
            throw ExitCode(73)
        }
        for warning in warnings.prefix(5) { printError("feder-report: warning: \(warning)") }
        if warnings.count > 5 { printError("feder-report: warning: … and \(warnings.count - 5) more") }
        if output == nil || queries.count > 1 {
            print("wrote \(path): \(scenes.count) page\(scenes.count == 1 ? "" : "s") (\(report.views().map(\.name).joined(separator: ", ")))")
        }
    }
}
