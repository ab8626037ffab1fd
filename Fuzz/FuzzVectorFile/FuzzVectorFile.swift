// libFuzzer target: any bytes as a .npy, an .fvecs and a JSON vector file.
import FederIndex
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVectorFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let file = MappedFile(name: "fuzz.vectors", data: bytes)
    if let table = try? VectorFile.readNpy(file), table.count > 0 { _ = table.row(table.count - 1) }
    if let table = try? VectorFile.readFvecs(file), table.count > 0 { _ = table.row(table.count - 1) }
    _ = try? VectorFile.parseJSON(Data(bytes), name: "fuzz.json")
    return 0
}
