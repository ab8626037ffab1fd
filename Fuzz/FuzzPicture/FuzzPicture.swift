// libFuzzer target: any bytes as a picture (PNG or JPEG) for a result strip's thumbnail. The decoders must refuse
// bad input with an error: never crash, hang or allocate what the header promises before checking it.
import FederRender
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPicture(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let scratch = NSTemporaryDirectory() + "feder-fuzz-\(getpid()).picture"
    guard FileManager.default.createFile(atPath: scratch, contents: Data(UnsafeBufferPointer(start: data, count: size))) else {
        return 0
    }
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    for maxPixels in [64, 512] { _ = try? Thumbnail.load(path: scratch, maxPixels: maxPixels) }
    return 0
}
