// libFuzzer target: any bytes as a .npy, .fvecs, .bvecs, .fbin/.u8bin/.i8bin and JSON vector file, as an
// .ivecs, .ibin and integer .npy ground-truth file, as an ann-benchmarks HDF5 file (queries, the added vectors,
// ground truth) and as a media list. libhdf5 and the media list read a path: the bytes are written to a scratch
// file first.
import FederIndex
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVectorFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let file = MappedFile(name: "fuzz.vectors", data: bytes)
    if let table = try? VectorFile.readNpy(file), table.count > 0 { _ = table.row(table.count - 1) }
    if let table = try? VectorFile.readFvecs(file), table.count > 0 { _ = table.row(table.count - 1) }
    if let table = try? VectorFile.readBvecs(file), table.count > 0 { _ = table.row(table.count - 1) }
    for element in [VectorFile.BinElement.float32, .uint8, .int8] {
        if let table = try? VectorFile.readBin(file, element: element), table.count > 0 { _ = table.row(table.count - 1) }
    }
    _ = try? GroundTruthFile.readIvecs(file, path: "fuzz.ivecs")
    _ = try? GroundTruthFile.readIbin(file, path: "fuzz.ibin")
    _ = try? VectorFile.readNpyIntegers(file)
    _ = try? VectorFile.parseJSON(Data(bytes), name: "fuzz.json")
    let scratch = NSTemporaryDirectory() + "feder-fuzz-\(getpid()).input"
    if FileManager.default.createFile(atPath: scratch, contents: Data(bytes)) {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for dataset in ["test", "train"] { _ = try? HDF5File.vectors(path: scratch, dataset: dataset) }
        _ = try? HDF5File.integers(path: scratch, dataset: "neighbors")
        _ = try? HDF5File.floatsIfPresent(path: scratch, dataset: "distances")
        _ = try? MediaList.load(listPath: scratch, kind: .image, root: nil)
        _ = try? MediaList.load(listPath: scratch, kind: .text, root: nil)
    }
    return 0
}
