import Foundation

/// Runs a Python script with the repository's `.venv` (faiss-cpu and hnswlib as pip built them on this
/// machine), so a test can ask the real library for its answer on the same machine.
public enum LibraryScript {
    /// The venv's interpreter.
    public static var python: URL {
        FixtureManifest.committedDirectory().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".venv/bin/python")
    }

    /// Whether the venv exists (tests skip without it).
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: python.path) }

    /// Runs `script` with `arguments` (and `environment` added to this process's) and returns what it printed
    /// on standard output.
    /// - Throws: `Failure` when the script exits non-zero (its standard error is in the message).
    public static func run(_ script: String, arguments: [String], environment: [String: String] = [:]) throws -> Data {
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", script] + arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        nonisolated(unsafe) var errorData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errorData = errors.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(status: process.terminationStatus, stderr: String(decoding: errorData, as: UTF8.self))
        }
        return data
    }

    public struct Failure: Error, CustomStringConvertible {
        public var status: Int32
        public var stderr: String
        public var description: String { "the library script exited \(status): \(stderr)" }
    }
}
