import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes sd_notify messages (`READY=1`, `WATCHDOG=1`, `STOPPING=1`, `STATUS=…`) to the datagram socket systemd
/// names in `NOTIFY_SOCKET`; does nothing when the daemon was not started by systemd.
public struct SystemdNotifier: Sendable {
    /// The socket path; a leading `@` names an abstract socket.
    public let socketPath: String?
    /// How often systemd expects `WATCHDOG=1`, when it watches this process.
    public let watchdogInterval: Duration?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        let watchdogForUs = environment["WATCHDOG_PID"].map { $0 == "\(getpid())" } ?? true
        watchdogInterval =
            watchdogForUs
            ? environment["WATCHDOG_USEC"].flatMap(Int64.init).flatMap { $0 > 0 ? .microseconds($0) : nil } : nil
    }

    /// Sends one message; returns whether it was delivered.
    @discardableResult
    public func notify(_ message: String) -> Bool {
        guard let socketPath, var address = Self.address(socketPath) else { return false }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let bytes = Array(message.utf8)
        let sent = address.withUnsafeMutableBytes { raw in
            sendto(
                descriptor,
                bytes,
                bytes.count,
                Int32(MSG_NOSIGNAL),
                raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                socklen_t(raw.count)
            )
        }
        return sent == bytes.count
    }

    /// A `sockaddr_un` as bytes: the family, then the path (NUL first for an abstract socket). Built by hand so
    /// that no C struct field is named (several C modules declare them, which breaks optimised builds).
    static func address(_ path: String) -> [UInt8]? {
        var name = Array(path.utf8)
        if name.first == UInt8(ascii: "@") { name[0] = 0 }
        guard !name.isEmpty, name.count < 108 else { return nil }
        let family = UInt16(AF_UNIX)
        return [UInt8(family & 0xFF), UInt8(family >> 8)] + name + (name.first == 0 ? [] : [0])
    }
}
