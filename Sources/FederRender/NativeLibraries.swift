import CCairo
import CPangoCairo
import CTurboJPEG

/// The versions of the native drawing libraries this build is linked against (shown by `--version`).
public enum NativeLibraries {
    public static var cairoVersion: String { String(cString: cairo_version_string()) }
    public static var pangoVersion: String { String(cString: pango_version_string()) }
}

/// Width and height of a JPEG image, read from its header without decoding the pixels.
public struct JPEGHeader: Equatable, Sendable {
    public var width: Int
    public var height: Int

    /// Reads the header of `bytes`, or returns nil when they are not a JPEG turbojpeg can read.
    public init?(bytes: [UInt8]) {
        guard let handle = tjInitDecompress() else { return nil }
        defer { tjDestroy(handle) }
        var width: Int32 = 0
        var height: Int32 = 0
        var subsampling: Int32 = 0
        var colorspace: Int32 = 0
        let status = bytes.withUnsafeBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return tjDecompressHeader3(
                handle, base, UInt(buffer.count), &width, &height, &subsampling, &colorspace)
        }
        guard status == 0, width > 0, height > 0 else { return nil }
        self.width = Int(width)
        self.height = Int(height)
    }
}
