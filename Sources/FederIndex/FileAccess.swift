import Foundation

/// Why a file cannot be read, in the words the error messages use everywhere: `no such file`, `is a directory`,
/// `permission denied`, `not a regular file`.
public enum FileAccess {
    /// The reason `path` cannot be opened for reading; nil when it can.
    public static func problem(reading path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return words(for: errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR { return "is a directory" }
        guard access(path, R_OK) == 0 else { return words(for: errno) }
        return nil
    }

    /// The reason no file can be written into `directory`; nil when one can.
    public static func problem(writingInto directory: String) -> String? {
        var info = stat()
        guard stat(directory, &info) == 0 else { return errno == ENOENT ? "no such directory" : words(for: errno) }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return "\(directory) is not a directory" }
        guard access(directory, W_OK) == 0 else { return "permission denied" }
        return nil
    }

    /// The words for an `errno` from opening a file.
    public static func words(for code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file"
        case ENOTDIR: return "no such file (a part of the path is not a directory)"
        case EACCES, EPERM: return "permission denied"
        case EISDIR: return "is a directory"
        case ELOOP: return "too many symbolic links"
        case ENAMETOOLONG: return "the name is too long"
        default: return String(cString: strerror(code))
        }
    }
}
