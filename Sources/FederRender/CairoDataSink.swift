import CCairo
import Foundation

/// Bytes cairo writes to a stream (an SVG surface, a PNG), collected in memory: pass `CairoDataSink.write` and
/// `closure` to a cairo `…_for_stream` / `…_to_png_stream` call, and keep the sink alive until it returns.
final class CairoDataSink {
    private(set) var data = Data()

    /// The sink, as cairo's closure argument.
    var closure: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static let write: cairo_write_func_t = { closure, bytes, length in
        guard let closure, let bytes else { return CAIRO_STATUS_WRITE_ERROR }
        Unmanaged<CairoDataSink>.fromOpaque(closure).takeUnretainedValue().data.append(bytes, count: Int(length))
        return CAIRO_STATUS_SUCCESS
    }
}
