import ArgumentParser
import FederReport

/// `feder-report inspect FILE`: what an index file holds.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarise a Faiss (float or binary), hnswlib or Voyager index file.",
        discussion: "Exit codes: 0 ok, 65 the file is corrupt or unsupported, 66 it cannot be opened.")

    @Argument(help: "The index file (faiss write_index or hnswlib save_index); or --postgres with --index.")
    var file: String?

    @Option(help: "The hnswlib space the index was built with: l2, ip or cosine (hnswlib files do not record it).")
    var space: Space = .l2

    @OptionGroup(title: "PostgreSQL (pgvector)") var postgres: PostgresOptions

    @Flag(help: "Print one JSON object instead of the readable summary.")
    var json = false

    @OptionGroup var kernelsOption: KernelsOption

    func validate() throws {
        guard (file == nil) == postgres.isGiven else {
            throw ValidationError(
                postgres.isGiven
                    ? "Give either an index file or --postgres, not both." : "Give the index file (or --postgres with --index).")
        }
    }

    func run() throws {
        try kernelsOption.apply()
        if let database = try postgres.index() {
            let index = try database.open()
            print(try InspectJob.run(index: index, name: database.name, fileBytes: nil, json: json), terminator: "")
            return
        }
        print(try InspectJob.run(file: file ?? "", space: space, json: json), terminator: "")
    }
}
