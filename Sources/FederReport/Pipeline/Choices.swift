import FederIndex
import FederLayout
import FederProjection
import FederRender
import FederSearch

/// The spaces hnswlib knows (its files do not record which one they were built with).
public enum Space: String, Sendable, CaseIterable {
    case l2, ip, cosine

    public var metric: Metric {
        switch self {
        case .l2: return .l2
        case .ip: return .innerProduct
        case .cosine: return .cosine
        }
    }
}

// The value types a request is made of, named here so that a front end importing FederReport alone can build
// every request.

/// The library builds whose distance kernels searches reproduce.
public typealias Kernels = FederSearch.Kernels
/// A search's parameters: k, nprobe, ef.
public typealias SearchRequest = FederSearch.SearchRequest
/// `light` or `dark`.
public typealias ThemeName = FederLayout.ThemeName
/// `pca`, `umap` or `tsne`.
public typealias ProjectionMethod = FederProjection.ProjectionMethod
/// What a media list holds: `image` or `text`.
public typealias MediaKind = FederIndex.MediaList.Kind
/// `pdf`, `png` or `svg`.
public typealias OutputFormat = FederRender.OutputFormat
/// The views there are.
public typealias ViewKind = FederLayout.ViewKind
