/// How an index compares vectors.
///
/// Faiss records its metric in the file (`metric_type`: 0 inner product, 1 L2, others rarely used); hnswlib
/// does not, so its space is given by the user.
public enum Metric: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Squared Euclidean distance, smaller is closer.
    case l2
    /// Inner product. Faiss reports the raw dot product (larger is closer); hnswlib `ip` reports 1 − dot.
    case innerProduct
    /// hnswlib `cosine`: inner product over vectors normalised on insertion, query normalised at search.
    case cosine
    /// faiss `METRIC_L1`: Σ|a − b|, smaller is closer.
    case l1
    /// faiss `METRIC_Linf`: max |a − b|, smaller is closer.
    case linf
    /// Differing bits between packed binary codes (faiss binary indexes), smaller is closer.
    case hamming
    /// A faiss metric this tool reads but cannot search with (Lp, Canberra, …): its raw `metric_type`.
    case other(Int32)

    /// The faiss `metric_type` value → metric.
    public init(faissMetricType value: Int32) {
        switch value {
        case 0: self = .innerProduct
        case 1: self = .l2
        case 2: self = .l1
        case 3: self = .linf
        default: self = .other(value)
        }
    }

    /// Parses the names used on the command line and in JSON: `l2`, `ip`, `cosine`.
    public init?(name: String) {
        switch name.lowercased() {
        case "l2": self = .l2
        case "ip", "inner_product", "innerproduct": self = .innerProduct
        case "cosine": self = .cosine
        default: return nil
        }
    }

    /// The short name used in output: `l2`, `ip`, `cosine`, or faiss's name for other metrics.
    public var name: String {
        switch self {
        case .l2: return "l2"
        case .innerProduct: return "ip"
        case .cosine: return "cosine"
        case .l1: return "l1"
        case .linf: return "linf"
        case .hamming: return "hamming"
        case .other(let value):
            switch value {
            case 4: return "lp"
            case 20: return "canberra"
            case 21: return "braycurtis"
            case 22: return "jensenshannon"
            case 23: return "jaccard"
            default: return "metric\(value)"
            }
        }
    }

    public var description: String { name }
}
