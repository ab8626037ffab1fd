// libFuzzer target: any bytes as a job spec (parsed and validated; files it names resolve against /nonexistent).
import FederReport
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJobSpec(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    _ = try? JobSpecParser.parse(data: Data(UnsafeBufferPointer(start: data, count: size)), file: "/nonexistent/fuzz.json")
    return 0
}
