import CHDF5
import Foundation
import Synchronization

/// ann-benchmarks HDF5 files (`train`, `test`, `neighbors`, `distances`), read through libhdf5.
///
/// A dataset of rank 2 is rows × values (rank 1: one row); integer and double datasets are converted by the
/// library. Datasets larger than half the machine's memory are refused before anything is allocated.
public enum HDF5File {
    /// The dataset queries are read from when none is named.
    public static let queryDataset = "test"

    /// libhdf5 keeps global state and is built without thread safety here: one call at a time.
    private static let lock = Mutex<Void>(())

    /// The float rows of `dataset`.
    /// - Throws: `FederIndexError` naming the file and the dataset.
    public static func vectors(path: String, dataset: String = queryDataset) throws -> VectorTable {
        let (values, _, columns) = try read(path: path, dataset: dataset, as: Float.self, type: feder_h5t_native_float())
        return VectorTable(name: "\(path) (\(dataset))", rows: values, dim: columns)
    }

    /// The integer rows of `dataset` (ground-truth ids).
    public static func integers(path: String, dataset: String) throws -> [[Int64]] {
        let (values, rows, columns) = try read(path: path, dataset: dataset, as: Int64.self, type: feder_h5t_native_int64())
        return (0..<rows).map { row in Array(values[row * columns..<(row + 1) * columns]) }
    }

    /// The float rows of `dataset`, or nil when the file has no such dataset.
    public static func floatsIfPresent(path: String, dataset: String) throws -> [[Float]]? {
        guard try has(path: path, dataset: dataset) else { return nil }
        let (values, rows, columns) = try read(path: path, dataset: dataset, as: Float.self, type: feder_h5t_native_float())
        return (0..<rows).map { row in Array(values[row * columns..<(row + 1) * columns]) }
    }

    static func fail(_ path: String, _ field: String, _ detail: String) -> FederIndexError {
        .invalid(path: path, format: "hdf5", field: field, offset: 0, detail: detail)
    }

    static func has(path: String, dataset: String) throws -> Bool {
        try lock.withLock { _ in
            feder_h5_quiet()
            let file = H5Fopen(path, feder_h5f_acc_rdonly(), feder_h5p_default())
            guard file >= 0 else { throw fail(path, "file", "not an HDF5 file libhdf5 can open") }
            defer { H5Fclose(file) }
            return H5Lexists(file, dataset, feder_h5p_default()) > 0
        }
    }

    /// Refuses a dataspace the file cannot hold — one flipped bit in a header can promise 2^27 columns — before
    /// anything is allocated: contiguous data must be stored in full (and fit in the file); chunked data is read
    /// under a budget of 256 × what it stores (compression seldom gains more), and never above what the file could
    /// expand to.
    static func checkStorage(_ handle: hid_t, rows: Int, columns: Int, path: String, dataset: String) throws {
        let elementSize = feder_h5d_element_size(handle)
        guard elementSize > 0 else { throw fail(path, dataset, "its element type cannot be read") }
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        let (promised, tooMany) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow, !tooMany else { throw fail(path, dataset, "\(rows) × \(columns) values cannot be held") }
        let stored = Int(clamping: H5Dget_storage_size(handle))
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        let contiguous = feder_h5d_is_contiguous(handle)
        guard contiguous >= 0 else { throw fail(path, dataset, "its storage layout cannot be read") }
        if contiguous == 1 {
            guard stored >= promised, fileBytes.map({ promised <= $0 }) ?? true else {
                throw fail(
                    path, dataset,
                    "its dataspace says \(rows) × \(columns) values (\(promised) bytes) but the file stores \(stored) bytes for it"
                        + (fileBytes.map { " in \($0) bytes" } ?? ""))
            }
        } else {
            let budget = feder_h5d_filter_count(handle) > 0 ? stored.multipliedReportingOverflow(by: 256).partialValue : stored
            guard promised <= max(budget, 1 << 20) else {
                throw fail(
                    path, dataset,
                    "its dataspace says \(rows) × \(columns) values (\(promised) bytes) but the file stores \(stored) bytes of chunks for it"
                )
            }
        }
    }

    static func read<T: Numeric & Sendable>(
        path: String, dataset: String, as: T.Type, type: hid_t
    ) throws -> (values: [T], rows: Int, columns: Int) {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw FederIndexError.cannotOpen(path: path, reason: "cannot read the file")
        }
        return try lock.withLock { _ in
            feder_h5_quiet()
            let file = H5Fopen(path, feder_h5f_acc_rdonly(), feder_h5p_default())
            guard file >= 0 else { throw fail(path, "file", "not an HDF5 file libhdf5 can open") }
            defer { H5Fclose(file) }
            guard H5Lexists(file, dataset, feder_h5p_default()) > 0 else {
                throw fail(path, dataset, "no dataset '\(dataset)' (ann-benchmarks files hold train, test, neighbors, distances)")
            }
            let handle = H5Dopen2(file, dataset, feder_h5p_default())
            guard handle >= 0 else { throw fail(path, dataset, "'\(dataset)' is not a dataset") }
            defer { H5Dclose(handle) }
            let space = H5Dget_space(handle)
            guard space >= 0 else { throw fail(path, dataset, "its dataspace cannot be read") }
            defer { H5Sclose(space) }
            let rank = Int(H5Sget_simple_extent_ndims(space))
            guard rank == 1 || rank == 2 else { throw fail(path, dataset, "rank \(rank); 1-D or 2-D expected") }
            var dims = [hsize_t](repeating: 0, count: 2)
            guard H5Sget_simple_extent_dims(space, &dims, nil) == Int32(rank) else {
                throw fail(path, dataset, "its dimensions cannot be read")
            }
            let (rows, columns) = rank == 2 ? (Int(clamping: dims[0]), Int(clamping: dims[1])) : (1, Int(clamping: dims[0]))
            let limit = Int(ProcessInfo.processInfo.physicalMemory / 2) / MemoryLayout<T>.size
            guard columns > 0, rows >= 0, rows <= limit / max(columns, 1) else {
                throw fail(path, dataset, "\(rows) × \(columns) values, more than half this machine's memory or empty rows")
            }
            try checkStorage(handle, rows: rows, columns: columns, path: path, dataset: dataset)
            var values = [T](repeating: 0, count: rows * columns)
            let status = values.withUnsafeMutableBytes { buffer in
                H5Dread(handle, type, feder_h5s_all(), feder_h5s_all(), feder_h5p_default(), buffer.baseAddress)
            }
            guard status >= 0 else { throw fail(path, dataset, "its values cannot be read as \(T.self) (not a numeric dataset?)") }
            return (values, rows, columns)
        }
    }
}
