import FederIndex
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
        case .cairo(let status, let path): return "\(path): cairo failed: \(status)"
        case .unsupportedFormat(let name): return "unsupported output format '\(name)' (use .pdf, .html, .png or .svg)"
        case .multiplePagesInSingleFileFormat(let format, let pages):
            return "\(format) holds one page, the document has \(pages)"
        case .cannotWrite(let path, let reason): return "\(path): cannot write: \(reason)"
        }
    }
}

extension RenderError: ToolError {
    /// An output format the renderer does not write is a usage error (64); anything else failed to write (73).
    public var exitCode: ToolExitCode {
        if case .unsupportedFormat = self { return .usage }
        return .cannotWrite
    }
}

extension ThumbnailError: ToolError {
    public var exitCode: ToolExitCode {
        if case .cannotRead = self { return .cannotOpen }
        return .dataError
    }
}
