import FederIndex
import Foundation

/// Why a document could not be written, or a picture in it could not be drawn.
public enum RenderError: Error, Equatable, Sendable {
    case cairo(status: String, path: String)
    case unsupportedFormat(String)
    case multiplePagesInSingleFileFormat(format: String, pages: Int)
    case cannotWrite(path: String, reason: String)
    /// An image file is missing, a directory or unreadable.
    case cannotReadImage(path: String, reason: String)
    /// An image file starts with neither the PNG nor the JPEG signature.
    case notAnImage(path: String)
    /// The PNG or JPEG decoder rejected the data (truncated, corrupt, unsupported colour space, …).
    case cannotDecodeImage(path: String, reason: String)
    /// An image is larger than `limit` pixels on a side.
    case imageTooLarge(path: String, width: Int, height: Int, limit: Int)
}

extension RenderError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case .cairo(let status, let path): return "\(path): cairo failed: \(status)"
        case .unsupportedFormat(let name): return "unsupported output format '\(name)' (use .pdf, .html, .png or .svg)"
        case .multiplePagesInSingleFileFormat(let format, let pages):
            return "\(format) holds one page, the document has \(pages)"
        case .cannotWrite(let path, let reason): return "\(path): cannot write: \(reason)"
        case .cannotReadImage(let path, let reason): return "\(path): cannot read image: \(reason)"
        case .notAnImage(let path): return "\(path): not a PNG or JPEG image"
        case .cannotDecodeImage(let path, let reason): return "\(path): cannot decode image: \(reason)"
        case .imageTooLarge(let path, let width, let height, let limit):
            return "\(path): image is \(width)×\(height) pixels, more than \(limit) on a side"
        }
    }
}

extension RenderError: ToolError {
    /// An output format the renderer does not write is a usage error (64); an image that cannot be read cannot be
    /// opened (66), one that is not a usable PNG or JPEG is bad data (65); anything else failed to write (73).
    public var exitCode: ToolExitCode {
        switch self {
        case .unsupportedFormat: return .usage
        case .cannotReadImage: return .cannotOpen
        case .notAnImage, .cannotDecodeImage, .imageTooLarge: return .dataError
        case .cairo, .multiplePagesInSingleFileFormat, .cannotWrite: return .cannotWrite
        }
    }
}
