import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads /proc with plain system calls: its files report a size of 0, so they are read until end of file, and a
/// process may exit between two reads, so every failure is an answer rather than a crash.
enum ProcFiles {
    /// A failed read, with the C `errno`.
    struct Failure: Error {
        let errno: Int32

        var isMissing: Bool { errno == ENOENT || errno == ENOTDIR }
        var text: String { String(cString: strerror(errno)) }
    }

    /// The contents of a file, at most `limit` bytes.
    static func bytes(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(errno: errno) }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while contents.count < limit {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw Failure(errno: errno) }
            if count == 0 { break }
            contents.append(contentsOf: chunk[..<min(count, limit - contents.count)])
        }
        return contents
    }

    /// A file's contents as text (invalid UTF-8 shown as U+FFFD), or `nil` when it cannot be read.
    static func text(_ path: String, limit: Int = 65_536) -> String? {
        (try? bytes(path, limit: limit)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The target of a symbolic link, or `nil` when it is not a link or cannot be read.
    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The names in a directory, or `nil` when it cannot be listed.
    static func entries(_ path: String) -> [String]? {
        try? FileManager.default.contentsOfDirectory(atPath: path)
    }
}
