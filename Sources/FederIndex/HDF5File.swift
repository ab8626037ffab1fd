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
            var values = [T](repeating: 0, count: rows * columns)
            let status = values.withUnsafeMutableBytes { buffer in
                H5Dread(handle, type, feder_h5s_all(), feder_h5s_all(), feder_h5p_default(), buffer.baseAddress)
            }
            guard status >= 0 else { throw fail(path, dataset, "its values cannot be read as \(T.self) (not a numeric dataset?)") }
            return (values, rows, columns)
        }
    }
}
