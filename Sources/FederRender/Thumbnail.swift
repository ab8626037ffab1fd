import CCairo
import CTurboJPEG
import Foundation

/// A small decoded picture (PNG or JPEG) held as a cairo image surface, ready to paint.
///
/// The longer side is at most `maxPixels`: a large JPEG is decoded through turbojpeg's DCT scaling (never at
/// full size), then resampled with cairo. A JPEG small enough to be used as is keeps its original bytes
/// attached as `CAIRO_MIME_TYPE_JPEG`, so the PDF backend embeds the JPEG stream instead of raw pixels.
///
/// Unchecked `Sendable`: the surface is finished when the initialiser returns and only read afterwards (painted as
/// a source, encoded); cairo allows a surface to be read from several threads so long as none writes it.
public final class Thumbnail: @unchecked Sendable {
    /// Width of the decoded thumbnail, in pixels.
    public let width: Int
    /// Height of the decoded thumbnail, in pixels.
    public let height: Int
    /// The original JPEG file bytes when they are attached to `surface` as MIME data (full-size JPEGs only).
    public let jpegData: [UInt8]?
    /// The cairo image surface (owned; destroyed with the thumbnail).
    let surface: OpaquePointer

    /// Largest PNG width or height accepted, and largest thumbnail side produced.
    public static let maxSide = 16384

    private init(surface: OpaquePointer, jpegData: [UInt8]?) {
        self.surface = surface
        self.width = Int(cairo_image_surface_get_width(surface))
        self.height = Int(cairo_image_surface_get_height(surface))
        self.jpegData = jpegData
    }

    deinit { cairo_surface_destroy(surface) }

    /// The thumbnail's pixels as a baseline JPEG over white (transparency flattened), quality `quality`; nil when
    /// turbojpeg cannot encode it. A photo is a few times smaller so than as PNG.
    public func encodedJPEG(quality: Int32 = 85) -> Data? {
        cairo_surface_flush(surface)
        guard let pixels = cairo_image_surface_get_data(surface), width > 0, height > 0 else { return nil }
        let stride = Int(cairo_image_surface_get_stride(surface))
        let hasAlpha = cairo_image_surface_get_format(surface) == CAIRO_FORMAT_ARGB32
        // Cairo's ARGB32 words are premultiplied: over white, each channel c becomes c + (255 − alpha).
        var rgb = [UInt8](repeating: 255, count: width * height * 3)
        for y in 0..<height {
            let row = pixels + y * stride
            for x in 0..<width {
                let word = row.advanced(by: x * 4).withMemoryRebound(to: UInt32.self, capacity: 1) { $0.pointee }
                let alpha = hasAlpha ? Int(word >> 24) : 255
                let white = 255 - alpha
                let out = (y * width + x) * 3
                rgb[out] = UInt8(min(255, Int((word >> 16) & 0xFF) + white))
                rgb[out + 1] = UInt8(min(255, Int((word >> 8) & 0xFF) + white))
                rgb[out + 2] = UInt8(min(255, Int(word & 0xFF) + white))
            }
        }
        guard let handle = tjInitCompress() else { return nil }
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = rgb.withUnsafeBufferPointer { source -> Int32 in
            guard let base = source.baseAddress else { return -1 }
            return tjCompress2(
                handle, base, Int32(width), Int32(width * 3), Int32(height), Int32(TJPF_RGB.rawValue), &buffer, &size,
                Int32(TJSAMP_420.rawValue), quality, 0)
        }
        defer { if let buffer { tjFree(buffer) } }
        guard status == 0, let buffer, size > 0 else { return nil }
        return Data(bytes: buffer, count: Int(size))
    }

    /// The thumbnail's pixels as a PNG file; nil when cairo cannot write it.
    public func pngData() -> Data? {
        let sink = CairoDataSink()
        let status = withExtendedLifetime(sink) { cairo_surface_write_to_png_stream(surface, CairoDataSink.write, sink.closure) }
        return status == CAIRO_STATUS_SUCCESS ? sink.data : nil
    }

    /// Decodes the PNG or JPEG at `path` (recognised by its first bytes) with its longer side ≤ `maxPixels`.
    ///
    /// `maxPixels` is clamped to 1…`maxSide`. Never traps on bad input.
    ///
    /// - Throws: `RenderError.cannotReadImage`, `.notAnImage`, `.cannotDecodeImage` or `.imageTooLarge`.
    public static func load(path: String, maxPixels: Int) throws -> Thumbnail {
        let limit = min(max(maxPixels, 1), maxSide)
        let bytes = try readFile(path)
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            return try loadPNG(bytes, path: path, maxPixels: limit)
        }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            return try loadJPEG(bytes, path: path, maxPixels: limit)
        }
        throw RenderError.notAnImage(path: path)
    }

    /// The smallest turbojpeg scaling factor (≤ 1) whose output keeps the longer side ≥ `maxPixels`; 1/1 when
    /// the image is already that small.
    static func jpegScale(width: Int, height: Int, maxPixels: Int) -> (num: Int32, denom: Int32) {
        let longer = max(width, height)
        var best: (num: Int32, denom: Int32) = (1, 1)
        var count: Int32 = 0
        guard let factors = tjGetScalingFactors(&count), count > 0 else { return best }
        for factor in UnsafeBufferPointer(start: factors, count: Int(count)) {
            guard factor.num > 0, factor.denom > 0, factor.num <= factor.denom else { continue }
            guard scaled(longer, factor.num, factor.denom) >= maxPixels else { continue }
            if Int(factor.num) * Int(best.denom) < Int(best.num) * Int(factor.denom) {
                best = (factor.num, factor.denom)
            }
        }
        return best
    }

    /// turbojpeg's `TJSCALED` macro (not imported into Swift): `dimension` scaled by num/denom, rounded up.
    static func scaled(_ dimension: Int, _ num: Int32, _ denom: Int32) -> Int {
        (dimension * Int(num) + Int(denom) - 1) / Int(denom)
    }

    // MARK: - Decoders

    private static func readFile(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RenderError.cannotReadImage(path: path, reason: "no such file")
        }
        if isDirectory.boolValue { throw RenderError.cannotReadImage(path: path, reason: "is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RenderError.cannotReadImage(path: path, reason: "permission denied or read error")
        }
        return [UInt8](data)
    }

    private static func loadPNG(_ bytes: [UInt8], path: String, maxPixels: Int) throws -> Thumbnail {
        // Signature (8 bytes), then the IHDR chunk: length (4), "IHDR" (4), width (4, BE), height (4, BE).
        guard bytes.count >= 24, Array(bytes[12..<16]) == Array("IHDR".utf8) else {
            throw RenderError.cannotDecodeImage(path: path, reason: "PNG header (IHDR) missing or truncated")
        }
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
        guard width > 0, height > 0 else {
            throw RenderError.cannotDecodeImage(path: path, reason: "PNG size \(width)×\(height)")
        }
        guard width <= maxSide, height <= maxSide else {
            throw RenderError.imageTooLarge(path: path, width: width, height: height, limit: maxSide)
        }
        // Decode from the bytes already read (one read, and the size check applies to what is decoded).
        let reader = PNGReader(bytes)
        let decoded: OpaquePointer? = withExtendedLifetime(reader) {
            cairo_image_surface_create_from_png_stream(
                { closure, data, length in
                    guard let closure, let data else { return CAIRO_STATUS_READ_ERROR }
                    let reader = Unmanaged<PNGReader>.fromOpaque(closure).takeUnretainedValue()
                    return reader.read(into: data, count: Int(length)) ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_READ_ERROR
                }, Unmanaged.passUnretained(reader).toOpaque())
        }
        guard let surface = decoded else {
            throw RenderError.cannotDecodeImage(path: path, reason: "cairo returned no surface")
        }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            throw RenderError.cannotDecodeImage(path: path, reason: String(cString: cairo_status_to_string(status)))
        }
        let format = cairo_image_surface_get_format(surface)
        let fits = max(width, height) <= maxPixels
        if fits && (format == CAIRO_FORMAT_ARGB32 || format == CAIRO_FORMAT_RGB24) {
            return Thumbnail(surface: surface, jpegData: nil)
        }
        defer { cairo_surface_destroy(surface) }
        return Thumbnail(
            surface: try resample(surface, width: width, height: height, maxPixels: maxPixels, path: path),
            jpegData: nil)
    }

    private static func loadJPEG(_ bytes: [UInt8], path: String, maxPixels: Int) throws -> Thumbnail {
        guard let handle = tjInitDecompress() else {
            throw RenderError.cannotDecodeImage(path: path, reason: "cannot start turbojpeg")
        }
        defer { tjDestroy(handle) }
        func failure(_ what: String) -> RenderError {
            let message = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
            return RenderError.cannotDecodeImage(path: path, reason: "\(what): \(message)")
        }
        var width: Int32 = 0
        var height: Int32 = 0
        var subsampling: Int32 = 0
        var colorspace: Int32 = 0
        let headerStatus = bytes.withUnsafeBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return tjDecompressHeader3(handle, base, UInt(buffer.count), &width, &height, &subsampling, &colorspace)
        }
        guard headerStatus == 0, width > 0, height > 0 else { throw failure("JPEG header") }

        let scale = jpegScale(width: Int(width), height: Int(height), maxPixels: maxPixels)
        let outWidth = scaled(Int(width), scale.num, scale.denom)
        let outHeight = scaled(Int(height), scale.num, scale.denom)
        guard outWidth <= maxSide, outHeight <= maxSide else {
            throw RenderError.imageTooLarge(path: path, width: Int(width), height: Int(height), limit: maxSide)
        }
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(outWidth), Int32(outHeight)),
            cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS
        else {
            throw RenderError.cannotDecodeImage(path: path, reason: "cannot create a \(outWidth)×\(outHeight) surface")
        }
        var keep = false
        defer { if !keep { cairo_surface_destroy(surface) } }

        cairo_surface_flush(surface)
        guard let pixels = cairo_image_surface_get_data(surface) else {
            throw RenderError.cannotDecodeImage(path: path, reason: "cairo surface has no pixel data")
        }
        let stride = cairo_image_surface_get_stride(surface)
        // Cairo's ARGB32 is a native-endian 32-bit word: B,G,R,A in memory on little-endian machines. turbojpeg
        // writes alpha 0xFF, so the pixels are already premultiplied.
        #if _endian(little)
            let pixelFormat = Int32(TJPF_BGRA.rawValue)
        #else
            let pixelFormat = Int32(TJPF_ARGB.rawValue)
        #endif
        let status = bytes.withUnsafeBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return tjDecompress2(
                handle, base, UInt(buffer.count), pixels, Int32(outWidth), stride, Int32(outHeight),
                pixelFormat, TJFLAG_LIMITSCANS)
        }
        cairo_surface_mark_dirty(surface)
        if status != 0 {
            // Warnings (e.g. extraneous bytes before a marker) still give a whole image; a premature end of
            // the data does not — the missing rows are filled with grey — so that one counts as a failure.
            let message = tjGetErrorStr2(handle).map { String(cString: $0) } ?? ""
            let isWarning = tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue)
            if !isWarning || message.localizedCaseInsensitiveContains("premature end") {
                throw failure("JPEG data")
            }
        }

        if max(outWidth, outHeight) > maxPixels {
            return Thumbnail(
                surface: try resample(surface, width: outWidth, height: outHeight, maxPixels: maxPixels, path: path),
                jpegData: nil)
        }
        keep = true
        let attached = scale.num == scale.denom && attachJPEG(bytes, to: surface)
        return Thumbnail(surface: surface, jpegData: attached ? bytes : nil)
    }

    /// Attaches a malloc'd copy of `bytes` as the surface's JPEG MIME data; cairo frees it in the callback.
    private static func attachJPEG(_ bytes: [UInt8], to surface: OpaquePointer) -> Bool {
        guard !bytes.isEmpty, let copy = malloc(bytes.count) else { return false }
        copy.copyMemory(from: bytes, byteCount: bytes.count)
        let status = cairo_surface_set_mime_data(
            surface, CAIRO_MIME_TYPE_JPEG, copy.assumingMemoryBound(to: UInt8.self), UInt(bytes.count),
            { free($0) }, copy)
        // On failure cairo does not call the destroy function.
        if status != CAIRO_STATUS_SUCCESS { free(copy) }
        return status == CAIRO_STATUS_SUCCESS
    }

    /// A new ARGB32 surface holding `source` scaled so its longer side is `maxPixels` (or copied as is when it
    /// already fits), filtered with `CAIRO_FILTER_GOOD` and padded edges.
    private static func resample(
        _ source: OpaquePointer, width: Int, height: Int, maxPixels: Int, path: String
    ) throws -> OpaquePointer {
        let longer = max(width, height)
        let factor = longer > maxPixels ? Double(maxPixels) / Double(longer) : 1
        let newWidth = max(1, min(maxPixels, Int((Double(width) * factor).rounded())))
        let newHeight = max(1, min(maxPixels, Int((Double(height) * factor).rounded())))
        guard let target = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(newWidth), Int32(newHeight)),
            cairo_surface_status(target) == CAIRO_STATUS_SUCCESS
        else {
            throw RenderError.cannotDecodeImage(path: path, reason: "cannot create a \(newWidth)×\(newHeight) surface")
        }
        guard let context = cairo_create(target) else {
            cairo_surface_destroy(target)
            throw RenderError.cannotDecodeImage(path: path, reason: "cannot create a cairo context")
        }
        defer { cairo_destroy(context) }
        cairo_scale(context, Double(newWidth) / Double(width), Double(newHeight) / Double(height))
        cairo_set_source_surface(context, source, 0, 0)
        if let pattern = cairo_get_source(context) {
            cairo_pattern_set_filter(pattern, CAIRO_FILTER_GOOD)
            cairo_pattern_set_extend(pattern, CAIRO_EXTEND_PAD)  // no fade to transparent at the edges
        }
        cairo_set_operator(context, CAIRO_OPERATOR_SOURCE)
        cairo_paint(context)
        cairo_surface_flush(target)
        let status = cairo_status(context)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(target)
            throw RenderError.cannotDecodeImage(path: path, reason: String(cString: cairo_status_to_string(status)))
        }
        return target
    }
}

/// Feeds a byte array to `cairo_image_surface_create_from_png_stream`.
private final class PNGReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Copies the next `count` bytes to `destination`; false when fewer are left.
    func read(into destination: UnsafeMutablePointer<UInt8>, count: Int) -> Bool {
        guard count >= 0, count <= bytes.count - offset else { return false }
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            destination.update(from: base + offset, count: count)
        }
        offset += count
        return true
    }
}
