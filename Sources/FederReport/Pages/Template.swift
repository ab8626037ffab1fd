import Foundation

/// A report layout as data: page size, which pages, and which blocks each comparison page stacks.
/// The built-in templates are embedded here and mirrored in `Templates/*.json`; a spec may name its own file.
public struct Template: Codable, Equatable, Sendable {
    /// The blocks a comparison page can hold, stacked top to bottom.
    public enum Block: String, Codable, Sendable, CaseIterable {
        /// The two sides' main views side by side (HNSW search; IVF coarse map and polar fine search).
        case views
        /// The paired-bar comparison table.
        case table
        /// Both sides' result strips.
        case results
        /// For query sets: distributions of the work per query.
        case distributions
        /// For sweeps: recall and work against the swept parameter.
        case sweep
        /// Why exact neighbours were missed: each side's misses by reason, and for IVF the share of queries each
        /// nprobe serves fully.
        case misses
        /// For indexes that keep codes: each side's approximate against true distance (and a refine index's
        /// shortlist re-scored), when the true vectors are known.
        case quantization
    }

    public var name: String
    public var description: String
    /// Page size name (see `JobSpec.PageSize`); a spec's `output.page` wins when given.
    public var page: String
    /// Start with a summary page of every comparison.
    public var summary: Bool
    /// The pages of one comparison, each a list of blocks. Blocks with nothing to show are skipped.
    public var comparisonPages: [[Block]]
    /// Multiplies every font size (slides read from afar).
    public var fontScale: Double

    public static let compare = Template(
        name: "compare", description: "Summary, then per comparison a page of views and a page of numbers, results and charts.",
        page: "A4-landscape", summary: true,
        comparisonPages: [[.views], [.quantization], [.table, .results], [.distributions, .sweep, .misses]],
        fontScale: 1)
    public static let compact = Template(
        name: "compact", description: "Summary, then one page per comparison: views, table and results together.",
        page: "A4-landscape", summary: true,
        comparisonPages: [[.views, .table], [.quantization], [.results, .distributions, .sweep, .misses]],
        fontScale: 0.9)
    public static let slides = Template(
        name: "slides", description: "16:9 slides: views, numbers and charts each on a slide of their own, larger type.",
        page: "16:9", summary: true,
        comparisonPages: [[.views], [.quantization], [.table], [.results], [.sweep], [.distributions], [.misses]],
        fontScale: 1.15)

    public static let builtIn: [String: Template] = ["compare": compare, "compact": compact, "slides": slides]

    /// A built-in template by name, or a template file.
    /// - Throws: `ReportError.spec` naming the file and the problem.
    public static func load(_ choice: JobSpec.TemplateChoice, specFile: String) throws -> Template {
        let nameOrPath: String
        switch choice {
        case .builtIn(let name):
            guard let template = builtIn[name] else {
                throw ReportError.spec([SpecProblem(file: specFile, path: "$.template", message: "no built-in template '\(name)'")])
            }
            return template
        case .file(let path):
            nameOrPath = path
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: nameOrPath))
            let template = try JSONDecoder().decode(Template.self, from: data)
            guard !template.comparisonPages.isEmpty, template.fontScale > 0.3, template.fontScale < 4 else {
                throw ReportError.spec([
                    SpecProblem(file: nameOrPath, path: "$", message: "a template needs comparisonPages and a fontScale within 0.3…4")
                ])
            }
            guard JobSpec.PageSize(rawValue: template.page) != nil else {
                throw ReportError.spec([
                    SpecProblem(file: nameOrPath, path: "$.page", message: "page '\(template.page)' is not a known page size")
                ])
            }
            return template
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError.spec([
                SpecProblem(
                    file: specFile, path: "$.template",
                    message: "template \(nameOrPath) is not a valid template file (\(error.localizedDescription)); see Templates/README.md")
            ])
        }
    }
}
