/// Parses the target of a `/proc/PID/fd/N` link, which for a socket reads `socket:[INODE]`.
enum SocketLink {
    /// The socket inode a descriptor link names, or `nil` for files, pipes, anonymous inodes and malformed text.
    static func inode(_ target: some StringProtocol) -> UInt64? {
        let prefix = "socket:[", suffix = "]"
        guard target.hasPrefix(prefix), target.hasSuffix(suffix) else { return nil }
        return decimal(target.dropFirst(prefix.count).dropLast(suffix.count).utf8, as: UInt64.self)
    }
}
