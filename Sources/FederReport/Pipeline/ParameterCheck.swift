import FederIndex
import FederSearch

/// Search parameters given for an index whose search does not read them (`--ef` for an IVF over a flat quantizer,
/// `--nprobe` for an HNSW graph): never silently ignored. The command line refuses them; a spec's side warns.
enum ParameterCheck {
    /// One message for each parameter `request` sets that `model`'s search does not read, naming the index kind and
    /// what it does read; `name` says how the caller spells a parameter (`--ef`, `"ef"`).
    static func unread(_ request: SearchRequest, model: IndexModel, name: (SearchParameter) -> String) -> [String] {
        let given: [(SearchParameter, Int?)] = [(.nprobe, request.nprobe), (.ef, request.ef)]
        let reads =
            model.parameters.isEmpty
            ? "reads no search parameter beyond k" : "reads " + model.parameters.map(\.rawValue).joined(separator: " and ")
        return given.compactMap { parameter, value in
            guard value != nil, !model.reads(parameter) else { return nil }
            return "\(name(parameter)) does not apply to this \(model.engine) index (\(model.typeName)): its search \(reads)"
        }
    }

    /// For the command line: the first parameter the index does not read, refused.
    /// - Throws: `ReportError.inapplicable`.
    static func refuse(_ request: SearchRequest, model: IndexModel) throws {
        if let first = unread(request, model: model, name: { "--\($0.rawValue)" }).first {
            throw ReportError.inapplicable(first)
        }
    }
}
