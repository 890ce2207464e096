/// Parses `/proc/PID/cmdline`: the process's arguments, each followed by a NUL byte.
///
/// Servers that rewrite their title in place (PostgreSQL backends, Redis, Pgpool-II) leave one argument that holds
/// the whole title with spaces, often followed by a run of NULs where the old arguments were; those trailing empty
/// fields are dropped, empty arguments between others are kept.
public enum ProcCommandLine {
    /// Splits a command line into its arguments.
    ///
    /// - Parameter bytes: The file's contents; any bytes, including invalid UTF-8 (shown as U+FFFD).
    /// - Returns: The arguments; empty for kernel threads and zombies, whose command line is empty.
    public static func arguments(_ bytes: some Collection<UInt8>) -> [String] {
        var fields = bytes.split(separator: 0, omittingEmptySubsequences: false)
        while fields.last?.isEmpty == true { fields.removeLast() }
        return fields.map { String(decoding: $0, as: UTF8.self) }
    }
}
