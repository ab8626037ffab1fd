import Foundation

/// A pgvector index in a live database: found by name in the catalogue, its pages read (through the server, or from
/// a data directory), its table's rows mapped from heap TIDs to the user's ids, all inside one read-only
/// REPEATABLE READ transaction so the pages, the map, a filter and the server's own answers see one snapshot.
/// Nothing is written: no DDL, no DML; `CHECKPOINT` is asked for (where the role may) before the transaction, so
/// the files hold what shared buffers hold.
///
/// Unchecked `Sendable`: the connection serialises its statements (`PGConnection`), `notes` is written only while the
/// index is opened, before the source is shared, and the server's answers (settings, then the statement) are asked
/// under a lock of their own.
public final class PGVectorSource: @unchecked Sendable {
    /// What the catalogue says of the index.
    public struct Description: Sendable, Equatable {
        /// `schema.name`, quoted where needed, as the server prints a `regclass`.
        public var index: String
        public var table: String
        /// `hnsw` or `ivfflat`.
        public var accessMethod: String
        public var opclass: PGVectorOpclass
        /// The indexed column or expression as SQL (`embedding`, `(embedding::halfvec(3))`).
        public var expression: String
        /// The column's type as SQL (`vector(128)`).
        public var columnType: String
        /// The index's options (`m=16`, `ef_construction=64`, `lists=100`).
        public var options: [String]
        /// A partial index's predicate, as SQL.
        public var predicate: String?
        public var extensionVersion: String
        public var serverVersion: Int
        /// The relation's file, relative to the data directory, and its main fork's size in bytes.
        public var filePath: String
        /// The table's file, relative to the data directory (its pages are read only to follow HOT chains).
        public var tableFilePath: String
        public var size: Int
        public var checksums: Bool
        /// The id column and its type.
        public var idColumn: String
        public var idType: String
    }

    public enum Pages: Sendable {
        case hnsw(PGVectorHNSW)
        case ivfflat(PGVectorIVFFlat)
    }

    public let description: Description
    /// Where the pages came from and whether they were written out first: said in every output about them.
    public private(set) var notes: [String] = []
    private let connection: PGConnection
    private let target: String
    /// What `serverAnswer` last set, and which statements' plans scan this index; under `answerLock`.
    private let answerLock = NSLock()
    private var appliedSettings: String?
    private var planVerdicts: [String: (scansIndex: Bool, plan: String)] = [:]
    /// Where pages come from (set by `readRelation`), and the table's blocks read so far to follow HOT chains.
    private var dataDirectory: String?
    private let heapLock = NSLock()
    private var heapBlocks: [UInt32: [UInt8]] = [:]

    /// Connects, finds the index and its id column, and opens the snapshot transaction.
    /// - Parameters:
    ///   - connectionString: a libpq key=value string or URI (libpq's environment, `.pgpass` and service files apply).
    ///   - index: the index's name, schema-qualified or found through `search_path`.
    ///   - idColumn: the column whose values identify rows; nil for the table's single-column primary key.
    public init(connectionString: String, index: String, idColumn: String?) throws {
        target = PGConnection.redacted(connectionString)
        connection = try PGConnection(connectionString: connectionString)
        description = try Self.describe(connection, index: index, idColumn: idColumn, target: target)
        // Files hold what shared buffers hold only after a checkpoint; asked for before the snapshot, where allowed.
        do {
            _ = try connection.query("CHECKPOINT")
        } catch {
            notes.append(
                "CHECKPOINT was not allowed for this role (it needs superuser or pg_checkpoint): the pages read are those last written out, and any scan that disagrees with the server says so"
            )
        }
        try connection.beginReadOnlySnapshot()
    }

    deinit { try? connection.end() }

    private func fail(_ what: String, _ detail: String) -> FederIndexError {
        .databaseObject(target: target, detail: "\(what): \(detail)", missing: true)
    }

    static func describe(_ connection: PGConnection, index: String, idColumn: String?, target: String) throws -> Description {
        let found = try connection.query(
            """
            SELECT c.oid::regclass::text, c.relkind::text, coalesce(am.amname, ''), t.oid::regclass::text,
                   pg_get_indexdef(c.oid, 1, true), coalesce(format_type(a.atttypid, a.atttypmod), ''),
                   oc.opcname, coalesce(array_to_string(c.reloptions, ','), ''), i.indisvalid, i.indisready,
                   pg_get_expr(i.indpred, i.indrelid, true), coalesce((SELECT extversion FROM pg_extension WHERE extname = 'vector'), ''),
                   current_setting('server_version_num'), pg_relation_filepath(c.oid), pg_relation_size(c.oid),
                   current_setting('data_checksums'), t.oid::text, i.indnatts, pg_relation_filepath(t.oid)
            FROM pg_class c
            LEFT JOIN pg_am am ON am.oid = c.relam
            LEFT JOIN pg_index i ON i.indexrelid = c.oid
            LEFT JOIN pg_class t ON t.oid = i.indrelid
            LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] AND i.indkey[0] <> 0
            LEFT JOIN pg_opclass oc ON oc.oid = i.indclass[0]
            WHERE c.oid = to_regclass($1)
            """, parameters: [index])
        guard found.rows == 1 else {
            throw FederIndexError.databaseObject(
                target: target, detail: "no relation named \(index) (schema-qualify it, or check search_path and the database)",
                missing: true)
        }
        let name = found.text(0, 0) ?? index
        guard found.text(0, 1) == "i" else {
            throw FederIndexError.databaseObject(target: target, detail: "\(name) is not an index", missing: false)
        }
        let method = found.text(0, 2) ?? ""
        guard method == "hnsw" || method == "ivfflat" else {
            throw FederIndexError.databaseObject(
                target: target, detail: "\(name) is a \(method) index, not a pgvector hnsw or ivfflat index", missing: false)
        }
        guard found.text(0, 9) == "t", found.text(0, 8) == "t" else {
            throw FederIndexError.databaseObject(
                target: target,
                detail:
                    "\(name) is not valid yet (still being built, or a CREATE INDEX CONCURRENTLY failed): wait for the build, or REINDEX it",
                missing: false)
        }
        let opclassName = found.text(0, 6) ?? ""
        guard let opclass = PGVectorOpclass(name: opclassName) else {
            throw FederIndexError.databaseObject(
                target: target,
                detail: "\(name) uses operator class \(opclassName), which this tool does not read (sparsevec is not supported)",
                missing: false)
        }
        let extensionVersion = found.text(0, 11) ?? ""
        let versionParts = extensionVersion.split(separator: ".").compactMap { Int($0) }
        guard versionParts.count >= 2, versionParts[0] == 0, versionParts[1] == 8 else {
            throw FederIndexError.databaseObject(
                target: target,
                detail:
                    "pgvector \(extensionVersion.isEmpty ? "(not installed)" : extensionVersion): this tool reproduces the scans of pgvector 0.8",
                missing: false)
        }
        let table = found.text(0, 3) ?? ""
        let tableOID = found.text(0, 16) ?? "0"
        var description = Description(
            index: name, table: table, accessMethod: method, opclass: opclass, expression: found.text(0, 4) ?? "",
            columnType: found.text(0, 5) ?? "", options: (found.text(0, 7) ?? "").split(separator: ",").map(String.init),
            predicate: found.text(0, 10), extensionVersion: extensionVersion, serverVersion: Int(found.text(0, 12) ?? "") ?? 0,
            filePath: found.text(0, 13) ?? "", tableFilePath: found.text(0, 18) ?? "", size: Int(found.text(0, 14) ?? "") ?? 0,
            checksums: found.text(0, 15) == "on",
            idColumn: "", idType: "")
        let id: PGResult
        if let idColumn {
            id = try connection.query(
                "SELECT quote_ident(attname), format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = $1::oid AND attname = $2 AND attnum > 0 AND NOT attisdropped",
                parameters: [tableOID, idColumn])
            guard id.rows == 1 else {
                throw FederIndexError.databaseObject(target: target, detail: "\(table) has no column \(idColumn)", missing: false)
            }
        } else {
            id = try connection.query(
                """
                SELECT quote_ident(a.attname), format_type(a.atttypid, a.atttypmod) FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                WHERE i.indrelid = $1::oid AND i.indisprimary AND i.indnatts = 1
                """, parameters: [tableOID])
            guard id.rows == 1 else {
                throw FederIndexError.databaseObject(
                    target: target,
                    detail: "\(table) has no single-column primary key: name the column that identifies rows with --id-column",
                    missing: false)
            }
        }
        description.idColumn = id.text(0, 0) ?? ""
        description.idType = id.text(0, 1) ?? ""
        guard ["bigint", "integer", "smallint"].contains(description.idType) else {
            throw FederIndexError.databaseObject(
                target: target,
                detail:
                    "the id column \(description.idColumn) is \(description.idType); this version maps rows to integer ids (bigint, integer, smallint)",
                missing: false)
        }
        return description
    }

    // MARK: Pages

    /// The index's pages: read through the server (`pg_read_binary_file`, in 64 MiB reads), or mapped from
    /// `dataDirectory`'s segment files.
    public func readPages(dataDirectory: String? = nil) throws -> Pages {
        let pages = try readRelation(dataDirectory: dataDirectory)
        switch description.accessMethod {
        case "hnsw": return .hnsw(try PGVectorHNSW(pages: pages, opclass: description.opclass, checksums: description.checksums))
        default: return .ivfflat(try PGVectorIVFFlat(pages: pages, opclass: description.opclass, checksums: description.checksums))
        }
    }

    /// The index relation's blocks, unparsed.
    public func readRelation(dataDirectory: String? = nil) throws -> PGRelationPages {
        self.dataDirectory = dataDirectory
        let blocks = description.size / PGPageLayout.blockSize
        let segments = (blocks + PGPageLayout.blocksPerSegment - 1) / PGPageLayout.blocksPerSegment
        var runs: [MappedFile] = []
        for segment in 0..<max(segments, 1) where blocks > 0 {
            let relative = segment == 0 ? description.filePath : "\(description.filePath).\(segment)"
            let segmentBlocks = min(blocks - segment * PGPageLayout.blocksPerSegment, PGPageLayout.blocksPerSegment)
            if let dataDirectory {
                let file = try MappedFile(path: (dataDirectory as NSString).appendingPathComponent(relative))
                guard file.count >= segmentBlocks * PGPageLayout.blockSize else {
                    throw FederIndexError.invalid(
                        path: file.path, format: "PostgreSQL relation", field: "size", offset: file.count,
                        detail:
                            "the server says \(segmentBlocks) blocks are in this segment; the file has \(file.count / PGPageLayout.blockSize) (is this the same cluster?)"
                    )
                }
                runs.append(file.prefix(segmentBlocks * PGPageLayout.blockSize))
            } else {
                // One buffer per segment, each 64 MiB read copied straight into it.
                let length = segmentBlocks * PGPageLayout.blockSize
                let chunk = 8192 * PGPageLayout.blockSize
                runs.append(
                    try MappedFile(name: relative, count: length) { buffer in
                        var start = 0
                        while start < length {
                            let size = min(chunk, length - start)
                            let result: PGResult
                            do {
                                result = try connection.query(
                                    "SELECT pg_read_binary_file($1, $2, $3)", parameters: [relative, "\(start)", "\(size)"],
                                    binaryResults: true)
                            } catch FederIndexError.databaseQuery(_, let state, let detail) {
                                throw FederIndexError.databaseObject(
                                    target: target,
                                    detail:
                                        "cannot read \(description.index)'s pages through the server (\(state): \(detail)): pg_read_binary_file needs superuser or pg_read_server_files; on the database host, --data-directory reads the files instead",
                                    missing: true)
                            }
                            let copied = result.withBytes(0, 0) { bytes -> Bool in
                                guard bytes.count == size, let base = buffer.baseAddress, let from = bytes.baseAddress else { return false }
                                (base + start).copyMemory(from: from, byteCount: size)
                                return true
                            }
                            guard copied == true else {
                                throw fail("cannot read \(description.index)'s pages", "\(relative) ends before byte \(start + size)")
                            }
                            start += size
                        }
                    })
            }
        }
        notes.append(
            dataDirectory != nil
                ? "pages mapped from \(dataDirectory ?? "")/\(description.filePath)"
                : "pages read through the server (pg_read_binary_file of \(description.filePath))")
        return try PGRelationPages(relation: "index \(description.index)", runs: runs)
    }

    // MARK: Rows

    /// Every visible row's heap TID → id, at the snapshot.
    public func rowIDs() throws -> [UInt64: Int64] {
        let result = try connection.query("SELECT ctid, \(description.idColumn) FROM \(description.table)")
        var map: [UInt64: Int64] = [:]
        map.reserveCapacity(result.rows)
        for row in 0..<result.rows {
            guard let tid = result.withBytes(row, 0, PGTupleID.init(text:)) ?? nil,
                let id = result.withBytes(row, 1, Self.integer) ?? nil
            else { continue }
            map[tid.key] = id
        }
        return map
    }

    /// A decimal integer's text (an id column's value), read without making a string.
    static func integer(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard !bytes.isEmpty else { return nil }
        var value: Int64 = 0
        var negative = false
        for (position, byte) in bytes.enumerated() {
            if position == 0, byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            guard byte >= 48, byte <= 57 else { return nil }
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(negative ? -Int64(byte - 48) : Int64(byte - 48))
            guard !overflowTimes, !overflowSum else { return nil }
            value = sum
        }
        return bytes.count == (negative ? 1 : 0) ? nil : value
    }

    /// The heap TIDs of the rows `predicate` (SQL, evaluated by the server) keeps, at the snapshot.
    public func rowsPassing(_ predicate: String) throws -> Set<UInt64> {
        let result: PGResult
        do {
            result = try connection.query("SELECT ctid FROM \(description.table) WHERE (\(predicate))")
        } catch FederIndexError.databaseQuery(let target, let state, let detail) {
            throw FederIndexError.databaseQuery(target: target, sqlState: state, detail: "the filter \(predicate) fails: \(detail)")
        }
        var set = Set<UInt64>()
        set.reserveCapacity(result.rows)
        for row in 0..<result.rows {
            if let tid = result.text(row, 0).flatMap(PGTupleID.init(text:)) { set.insert(tid.key) }
        }
        return set
    }

    /// The indexed value of the row whose id is `id`, as floats (bits as 0 / 1); nil when there is no such row.
    public func value(ofID id: Int64) throws -> [Float]? {
        let result = try connection.query(
            "SELECT (\(description.expression))::text FROM \(description.table) WHERE \(description.idColumn) = $1", parameters: ["\(id)"])
        guard result.rows >= 1, let text = result.text(0, 0) else { return nil }
        return Self.parse(text, type: description.opclass.type)
    }

    /// The indexed values (raw, as the table holds them) of the rows at `tids`.
    public func values(at tids: [PGTupleID]) throws -> [PGTupleID: [Float]] {
        guard !tids.isEmpty else { return [:] }
        let list = "{" + tids.map { "\"\($0)\"" }.joined(separator: ",") + "}"
        let result = try connection.query(
            "SELECT ctid, (\(description.expression))::text FROM \(description.table) WHERE ctid = ANY($1::tid[])", parameters: [list])
        var values: [PGTupleID: [Float]] = [:]
        for row in 0..<result.rows {
            guard let tid = result.text(row, 0).flatMap(PGTupleID.init(text:)), let text = result.text(row, 1),
                let value = Self.parse(text, type: description.opclass.type)
            else { continue }
            values[tid] = value
        }
        return values
    }

    /// A value's text form (`[1,2.5,3]` for vector and halfvec, `0101` for bit) as floats.
    static func parse(_ text: String, type: PGVectorType) -> [Float]? {
        switch type {
        case .bit:
            var bits: [Float] = []
            for character in text.utf8 {
                guard character == UInt8(ascii: "0") || character == UInt8(ascii: "1") else { return nil }
                bits.append(character == UInt8(ascii: "1") ? 1 : 0)
            }
            return bits
        case .vector, .halfvec:
            guard text.hasPrefix("["), text.hasSuffix("]") else { return nil }
            let body = text.dropFirst().dropLast()
            if body.isEmpty { return [] }
            var values: [Float] = []
            for part in body.split(separator: ",") {
                guard let value = Float(part.trimmingCharacters(in: .whitespaces)) else { return nil }
                values.append(value)
            }
            return values
        }
    }

    /// A query's SQL literal (`[1,2.5,3]`, `0101`): floats in their shortest exact form, so the server reads the
    /// same bits.
    public static func literal(_ components: [Float], type: PGVectorType) -> String {
        switch type {
        case .bit: return String(components.map { $0 == 1 ? "1" : "0" })
        case .vector, .halfvec: return "[" + components.map { "\($0)" }.joined(separator: ",") + "]"
        }
    }

    // MARK: HOT chains

    /// The visible row an index's heap TID leads to when the row was updated in place (a HOT update: the index still
    /// points at the chain's root, a redirect or the old version): the chain followed through the table's page, as
    /// the server's `heap_hot_search_buffer` follows it, to the member `isVisible` says the snapshot sees; nil when
    /// none is (a dead row), or the page cannot be read.
    public func visibleVersion(of tid: PGTupleID, isVisible: (PGTupleID) -> Bool) -> PGTupleID? {
        guard let page = heapBlock(tid.block) else { return nil }
        func u16(_ at: Int) -> Int { Int(page[at]) | Int(page[at + 1]) << 8 }
        let lower = u16(12)
        let items = lower > 24 ? (lower - 24) / 4 : 0
        var offset = Int(tid.offset)
        // At most every item once: a chain never revisits one.
        for _ in 0...items {
            guard offset >= 1, offset <= items else { return nil }
            let pointer = 24 + 4 * (offset - 1)
            let raw =
                UInt32(page[pointer]) | UInt32(page[pointer + 1]) << 8 | UInt32(page[pointer + 2]) << 16 | UInt32(page[pointer + 3]) << 24
            let (at, flags, length) = (Int(raw & 0x7FFF), (raw >> 15) & 3, Int(raw >> 17))
            switch flags {
            case 2:  // LP_REDIRECT: lp_off is the next item's offset
                offset = at
                continue
            case 1:  // LP_NORMAL: a tuple header (t_ctid at 12, t_infomask2 at 18)
                guard length >= 24, at + 24 <= page.count else { return nil }
                let candidate = PGTupleID(block: tid.block, offset: UInt16(offset))
                if isVisible(candidate) { return candidate }
                let hotUpdated = u16(at + 18) & 0x4000 != 0
                let nextBlock = UInt32(u16(at + 12)) << 16 | UInt32(u16(at + 14))
                guard hotUpdated, nextBlock == tid.block else { return nil }
                offset = u16(at + 16)
            default:
                return nil
            }
        }
        return nil
    }

    /// Block `block` of the table, read once (through the server, or from the data directory the index was read from).
    private func heapBlock(_ block: UInt32) -> [UInt8]? {
        heapLock.lock()
        defer { heapLock.unlock() }
        if let known = heapBlocks[block] { return known }
        let segment = Int(block) / PGPageLayout.blocksPerSegment
        let relative = segment == 0 ? description.tableFilePath : "\(description.tableFilePath).\(segment)"
        let offset = (Int(block) % PGPageLayout.blocksPerSegment) * PGPageLayout.blockSize
        var bytes: [UInt8]?
        if let dataDirectory {
            if let file = try? MappedFile(path: (dataDirectory as NSString).appendingPathComponent(relative)),
                file.count >= offset + PGPageLayout.blockSize
            {
                bytes = Array(file.bytes[offset..<offset + PGPageLayout.blockSize])
            }
        } else {
            bytes =
                (try? connection.query(
                    "SELECT pg_read_binary_file($1, $2, $3)", parameters: [relative, "\(offset)", "\(PGPageLayout.blockSize)"],
                    binaryResults: true))?.bytes(0, 0)
        }
        guard let page = bytes, page.count == PGPageLayout.blockSize else { return nil }
        heapBlocks[block] = page
        return page
    }

    // MARK: The server's own answer

    /// One row of the server's answer.
    public struct ServerRow: Sendable, Equatable {
        public var tid: PGTupleID
        public var id: Int64
        public var distance: Double
    }

    /// What the server returns for `SELECT ctid, id, expr <op> q FROM table [WHERE predicate] ORDER BY expr <op> q
    /// LIMIT k` through this index, with `settings` set for the statement (and sequential, bitmap and parallel
    /// scans off so the plan is an index scan). nil when the server's plan does not scan this index (another index
    /// serves it better), with the plan's first line.
    public func serverAnswer(query: [Float], k: Int, predicate: String?, settings: [(String, String)]) throws -> (
        rows: [ServerRow]?, plan: String
    ) {
        // Settings and statement go together: traces running side by side share this connection.
        answerLock.lock()
        defer { answerLock.unlock() }
        var all = [("enable_seqscan", "off"), ("enable_bitmapscan", "off"), ("max_parallel_workers_per_gather", "0")]
        all += settings
        let key = all.map { "\($0.0)=\($0.1)" }.joined(separator: "\u{1}")
        if key != appliedSettings {
            // One statement sets them all, for the rest of the transaction.
            let calls = (0..<all.count).map { "set_config($\(2 * $0 + 1), $\(2 * $0 + 2), true)" }.joined(separator: ", ")
            _ = try connection.query("SELECT " + calls, parameters: all.flatMap { [$0.0, $0.1] })
            appliedSettings = key
        }
        let type = description.columnType.isEmpty ? description.opclass.type.rawValue : description.columnType
        let q = "$1::\(type)"
        let op = description.opclass.op.rawValue
        let filter = predicate.map { " WHERE (\($0))" } ?? ""
        let sql =
            "SELECT ctid, \(description.idColumn), (\(description.expression)) \(op) \(q) FROM \(description.table)\(filter) ORDER BY (\(description.expression)) \(op) \(q) LIMIT \(k)"
        let literal = Self.literal(query, type: description.opclass.type)
        // Whether the plan scans this index, asked once per statement and settings (the query value does not change
        // the plan's shape; if it ever did, the rows would differ and the check would say so).
        let verdictKey = key + "\u{2}" + sql
        let verdict: (scansIndex: Bool, plan: String)
        if let known = planVerdicts[verdictKey] {
            verdict = known
        } else {
            let plan = try connection.query("EXPLAIN (COSTS OFF) " + sql, parameters: [literal])
            let lines = (0..<plan.rows).compactMap { plan.text($0, 0) }
            let indexName = description.index.split(separator: ".").last.map(String.init) ?? description.index
            let scans = lines.contains(where: { $0.contains("Index Scan using \(indexName) on") })
            verdict = (scans, scans ? lines.first ?? "" : lines.joined(separator: " / "))
            planVerdicts[verdictKey] = verdict
        }
        guard verdict.scansIndex else { return (nil, verdict.plan) }
        let result = try connection.query(sql, parameters: [literal])
        var rows: [ServerRow] = []
        for row in 0..<result.rows {
            guard let tid = result.text(row, 0).flatMap(PGTupleID.init(text:)), let id = result.text(row, 1).flatMap({ Int64($0) }),
                let distance = result.text(row, 2).flatMap({ Double($0) })
            else { continue }
            rows.append(ServerRow(tid: tid, id: id, distance: distance))
        }
        return (rows, verdict.plan)
    }
}
