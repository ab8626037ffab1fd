import Foundation

/// Why a document could not be written.
public enum RenderError: Error, Equatable, Sendable {
    case cairo(status: String, path: String)
    case unsupportedFormat(String)
    case multiplePagesInSingleFileFormat(format: String, pages: Int)
    case cannotWrite(path: String, reason: String)
}

extension RenderError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case let .cairo(status, path): return "\(path): cairo failed: \(status)"
        case let .unsupportedFormat(name): return "unsupported output format '\(name)' (use .pdf, .png or .svg)"
        case let .multiplePagesInSingleFileFormat(format, pages):
            return "\(format) holds one page, the document has \(pages)"
        case let .cannotWrite(path, reason): return "\(path): cannot write: \(reason)"
        }
    }
}
