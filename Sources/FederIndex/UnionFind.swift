/// Disjoint sets over 0..<count, with path halving; a union hangs the larger root under the smaller, so a set's
/// root is its smallest member.
public struct UnionFind: Sendable {
    private var parent: [Int]

    public init(count: Int) { parent = Array(0..<count) }

    /// The root of `node`'s set (its smallest member).
    public mutating func root(_ node: Int) -> Int {
        var node = node
        while parent[node] != node {
            parent[node] = parent[parent[node]]
            node = parent[node]
        }
        return node
    }

    /// Joins the sets of `a` and `b`.
    public mutating func union(_ a: Int, _ b: Int) {
        let (rootA, rootB) = (root(a), root(b))
        if rootA != rootB { parent[max(rootA, rootB)] = min(rootA, rootB) }
    }
}
