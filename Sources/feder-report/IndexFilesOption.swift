import ArgumentParser

/// The index file of `trace` and `view`, or several: the shards of one index (`--shard-ids`).
struct IndexFilesOption: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "The index file. Several files are the shards of one index: each searched alone and the answers merged as faiss IndexShards merges them (--shard-ids).",
            valueName: "file"))
    var files: [String] = []

    @Option(
        name: .customLong("shard-ids"),
        help: ArgumentHelp(
            "With several files: successive (each shard's labels shifted by the vectors of the shards before it, IndexShards(d)'s default) or stored (every shard holds its own global ids).",
            valueName: "successive|stored"))
    var shardIDs: String = "successive"

    func validate() throws {
        guard shardIDs == "successive" || shardIDs == "stored" else {
            throw ValidationError("--shard-ids must be successive or stored (got '\(shardIDs)').")
        }
    }

    /// An index file must be given (unless the index is in a database).
    func requireFile() throws {
        guard !files.isEmpty else { throw ValidationError("Give the index file.") }
    }

    /// `--vectors` names one index's added vectors: with shards, each shard's own vectors are the truth.
    func refuseVectors(_ vectors: String?) throws {
        if files.count > 1, vectors != nil {
            throw ValidationError("--vectors cannot be combined with shards: each shard's own vectors are the truth.")
        }
    }

    /// The first file (the index, or shard 0).
    var file: String { files.first ?? "" }
    /// The files after the first: more shards.
    var shards: [String] { Array(files.dropFirst()) }
    var successiveIDs: Bool { shardIDs == "successive" }
}
