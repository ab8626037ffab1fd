/// Compares what a library reported about an index file (`expect` in the manifest) with our summary JSON.
public enum SummaryComparison {
    /// Mismatches as readable lines (empty when everything agrees). Keys named differently on our side are
    /// translated; `ids` (an IDMap's first ids) is checked only when `idMap` gives them.
    public static func mismatches(
        expected: JSONValue, ours: JSONValue, name: String, idMap: (() -> [Int64])? = nil
    ) -> [String] {
        guard let keys = expected.object else { return ["\(name): expect is not an object"] }
        var problems: [String] = []
        func check(_ got: JSONValue?, _ want: JSONValue, _ key: String) {
            if (got ?? .null) != want { problems.append("\(name).\(key): ours \(got ?? .null), library \(want)") }
        }
        for (key, value) in keys.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "sqType":
                check(ours["sq"]?["qtype"], value, key)
            case "maxLevel":
                check(.number((ours["levels"]?.number ?? 0) - 1), value, key)
            case "ids":
                guard let idMap, let wanted = value.array else { continue }
                check(.array(idMap().prefix(wanted.count).map { .number(Double($0)) }), value, key)
            case "inner", "base":
                guard let inner = ours[key] else {
                    problems.append("\(name): no \(key) summary")
                    continue
                }
                problems += mismatches(expected: value, ours: inner, name: name + "." + key)
            case "transformCount":
                check(.number(Double(ours["transforms"]?.array?.count ?? -1)), value, key)
            case "entryPoint" where ours["inner"] != nil:
                continue  // an IDMap's outer entry point is the mapped label; the inner one is compared in `inner`
            default:
                check(ours[key], value, key)
            }
        }
        return problems
    }
}
