import Foundation

/// A value in the spec with its JSON path: typed accessors throw `ReportError.spec` with a `SpecProblem` that says
/// where and what.
struct SpecNode {
    let value: JSONTree
    let path: String
    let diagnostics: SpecDiagnostics

    /// `fault`, located at this value.
    func problem(_ fault: SpecFault) -> SpecProblem {
        var problem = SpecProblem(file: diagnostics.file, path: path, message: fault.message, position: value.position)
        problem.cannotOpen = fault.isUnopenableFile
        return problem
    }

    /// `fault` at this value, to throw: the part being checked stops there (`SpecDiagnostics.attempt` records it).
    func error(_ fault: SpecFault) -> ReportError { .spec([problem(fault)]) }

    /// Records `fault` at this value and goes on.
    func report(_ fault: SpecFault) { diagnostics.record(problem(fault)) }

    /// `$.indexes.ivf`, or `$.indexes["my index"]` for keys that are not plain words.
    static func path(_ parent: String, key fullKey: String) -> String {
        let key = fullKey.count > 64 ? fullKey.prefix(64) + "…" : fullKey
        let simple =
            !key.isEmpty && key.count == fullKey.count
            && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        if simple { return "\(parent).\(key)" }
        var escaped = ""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                escaped += "\\u" + JSONSyntaxError.hex(UInt32(scalar.value))
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return "\(parent)[\"\(SpecFault.printable(escaped))\"]"
    }

    func child(_ member: JSONTree.Member) -> SpecNode {
        SpecNode(value: member.value, path: Self.path(path, key: member.key), diagnostics: diagnostics)
    }

    /// The object's members (the first of duplicated keys). Unknown keys (for a `kind`) and missing required
    /// keys are recorded, not thrown, so the known members can still be checked.
    func object(_ kind: SpecObjectKind?) throws -> SpecFields {
        guard case .object(let members) = value.kind else { throw error(.wrongType(expected: "an object", found: value.typeName)) }
        var fields: [String: SpecNode] = [:]
        var order: [String] = []
        var meant: Set<String> = []
        for member in members where fields[member.key] == nil {
            if let kind, !kind.allowed.contains(member.key) {
                let advice = SpecKeyAdvice.for(member.key, in: kind)
                if case .didYouMean(let key) = advice { meant.insert(key) }
                diagnostics.record(
                    SpecProblem(
                        file: diagnostics.file, path: Self.path(path, key: member.key),
                        message: SpecFault.unknownKey(member.key, advice: advice).message, position: member.keyPosition))
                continue
            }
            fields[member.key] = child(member)
            order.append(member.key)
        }
        // A required key written another way is reported once, as that unknown key.
        for key in kind?.required ?? [] where fields[key] == nil && !meant.contains(key) { report(.missingKey(key)) }
        return SpecFields(node: self, members: fields, keys: order, meant: meant)
    }

    func array() throws -> [SpecNode] {
        try elements().indices.map(element)
    }

    /// The raw elements of an array, for long arrays of numbers (build a node only for the one that is wrong).
    func elements() throws -> [JSONTree] {
        guard case .array(let items) = value.kind else { throw error(.wrongType(expected: "an array", found: value.typeName)) }
        return items
    }

    /// Element `offset` of this array (which must be one) as a node with its path.
    func element(_ offset: Int) -> SpecNode {
        guard case .array(let items) = value.kind, items.indices.contains(offset) else { return self }
        return SpecNode(value: items[offset], path: "\(path)[\(offset)]", diagnostics: diagnostics)
    }

    func string() throws -> String {
        guard case .string(let text) = value.kind else { throw error(.wrongType(expected: "a string", found: value.typeName)) }
        return text
    }

    /// A whole number in `range`; `name` words the message (`` `k` must be a positive whole number… ``).
    func int(in range: ClosedRange<Int>, name: String? = nil) throws -> Int {
        guard case .number(let number) = value.kind else {
            throw error(.wrongType(expected: "a whole number", found: value.quoted))
        }
        guard let integer = number.integer, range.contains(integer) else {
            throw error(.notWholeNumber(text: number.text, range: range, name: name))
        }
        return integer
    }

    func float() throws -> Float {
        guard case .number(let number) = value.kind else { throw error(.wrongType(expected: "a number", found: value.typeName)) }
        let float = Float(number.value)
        guard float.isFinite else { throw error(.notFloat(text: number.text)) }
        return float
    }

    /// A path relative to the spec's folder, made absolute; `existing` requires a file (not a folder) there.
    func path(existing: Bool) throws -> String {
        let text = try string()
        guard !text.isEmpty else { throw error(.emptyPath) }
        guard !text.unicodeScalars.contains("\0") else { throw error(.nulInPath) }
        let resolved = resolve(text)
        if existing {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isFolder) else {
                throw error(.fileNotFound(path: text, resolved: resolved))
            }
            guard !isFolder.boolValue else { throw error(.folderNotFile(path: text, resolved: resolved)) }
        }
        return resolved
    }

    func resolve(_ text: String) -> String {
        text.hasPrefix("/") ? text : diagnostics.directory.appendingPathComponent(text).standardizedFileURL.path
    }
}
