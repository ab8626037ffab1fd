/// The known members of one spec object.
struct SpecFields {
    let node: SpecNode
    let members: [String: SpecNode]
    /// Known keys in source order.
    let keys: [String]
    /// Keys that unknown keys of this object were taken for (already reported as `did you mean`).
    let meant: Set<String>

    subscript(key: String) -> SpecNode? { members[key] }

    /// A required member; its absence (or its misspelling) was recorded when the object was read.
    func required(_ key: String) throws -> SpecNode {
        guard let member = members[key] else { throw SpecAlreadyReported() }
        return member
    }
}
