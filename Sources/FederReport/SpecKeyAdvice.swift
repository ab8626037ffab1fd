/// What to tell someone who wrote an unknown key: the key they probably meant (a typo, another spelling
/// such as `efSearch` for `ef`), or where the key belongs when it is valid elsewhere in a spec.
enum SpecKeyAdvice: Equatable, Sendable {
    /// Another spelling of a key that is valid here.
    case didYouMean(String)
    /// A key valid in another part of the spec; `spelled` is set when the user wrote it differently.
    case belongsIn(key: String, home: SpecObjectKind, spelled: Bool)
    /// A build-time parameter: the search-time one is named.
    case buildParameter(searchKey: String)
    case none

    /// The advice for `key` found in an object of `kind`.
    static func `for`(_ key: String, in kind: SpecObjectKind) -> SpecKeyAdvice {
        let normalized = normalize(key)
        if let same = kind.allowed.first(where: { normalize($0) == normalized }) { return .didYouMean(same) }
        if let target = kind.synonyms[normalized] { return .didYouMean(target) }
        if ["efconstruction", "efconstruct", "efbuild"].contains(normalized) { return .buildParameter(searchKey: "ef") }
        var canonical = globalSynonyms[normalized]
        if canonical == nil {
            canonical = SpecObjectKind.allCases.lazy.flatMap(\.allowed).first { normalize($0) == normalized }
        }
        if let canonical {
            if kind.allowed.contains(canonical) { return .didYouMean(canonical) }
            if let home = SpecObjectKind.home(of: canonical, seenIn: kind) {
                return .belongsIn(key: canonical, home: home, spelled: canonical != key)
            }
        }
        if let close = suggestion(for: key, among: kind.allowed) { return .didYouMean(close) }
        return .none
    }

    /// `efSearch`, `ef_search` and `EF-Search` all become `efsearch`.
    static func normalize(_ key: String) -> String {
        String(key.lowercased().unicodeScalars.filter { $0 != "_" && $0 != "-" && $0 != " " && $0 != "." })
    }

    /// Spellings users type for keys, by their normalized form; valid wherever the key is.
    static let globalSynonyms: [String: String] = [
        "efsearch": "ef", "efs": "ef", "searchef": "ef", "efquery": "ef",
        "nprobes": "nprobe", "probe": "nprobe", "probes": "nprobe", "numprobes": "nprobe",
        "topk": "k", "top": "k", "limit": "k", "knn": "k", "neighbors": "k", "neighbours": "k", "numresults": "k",
        "nresults": "k", "kneighbors": "k", "count": "k",
        "metric": "space", "distance": "space", "similarity": "space", "metrictype": "space",
        "vec": "vector", "vecs": "vector", "embedding": "vector", "embeddings": "vector", "queryvector": "vector",
        "label": "id", "queryid": "id", "labels": "ids", "queryids": "ids",
        "pagesize": "page", "paper": "page", "papersize": "page",
        "colors": "theme", "colours": "theme", "colorscheme": "theme", "style": "theme",
        "randomseed": "seed", "rngseed": "seed",
        "sweeps": "sweep", "indices": "indexes", "comparison": "comparisons", "compare": "comparisons",
        "layout": "template", "projections": "projection", "reduction": "projection",
    ]

    /// The advice as the end of an `unknown key` message (empty when there is none).
    var text: String {
        switch self {
        case .didYouMean(let key):
            return " — did you mean \(key)?"
        case .belongsIn(let key, let home, let spelled):
            return " — " + (spelled ? "did you mean \(key)? " : "") + home.placement(of: key)
        case .buildParameter(let searchKey):
            return " — that is fixed when the index is built; the search parameter is \(searchKey)"
        case .none:
            return ""
        }
    }
}
