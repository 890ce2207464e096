import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A listening TCP socket on 127.0.0.1 or ::1 with a port the kernel picks, closed when it goes out of scope.
/// A plain socket rather than NIO: the test needs the descriptor itself, to read the socket's inode with `fstat`.
struct LoopbackListener: ~Copyable {
    let port: UInt16
    /// The socket's inode, which /proc/net/tcp and /proc/PID/fd report.
    let inode: UInt64
    private let descriptor: Int32

    init(ipv6: Bool) throws {
        let descriptor = socket(
            ipv6 ? AF_INET6 : AF_INET,
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
            0
        )
        guard descriptor >= 0 else { throw LoopbackListenerError(operation: "socket", errno: errno) }
        do {
            (port, inode) = try Self.listen(descriptor, ipv6: ipv6)
            self.descriptor = descriptor
        } catch {
            close(descriptor)
            throw error
        }
    }

    /// Binds to loopback with port 0, listens, and reads back the port and the socket's inode.
    private static func listen(_ descriptor: Int32, ipv6: Bool) throws -> (port: UInt16, inode: UInt64) {
        var storage = sockaddr_storage()
        let length = ipv6 ? fillIPv6(&storage) : fillIPv4(&storage)
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw LoopbackListenerError(operation: "bind", errno: errno) }
        guard Glibc.listen(descriptor, 8) == 0 else { throw LoopbackListenerError(operation: "listen", errno: errno) }
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        guard named == 0 else { throw LoopbackListenerError(operation: "getsockname", errno: errno) }
        let port = withUnsafeBytes(of: storage) {
            // sin_port and sin6_port sit at the same offset, in network byte order.
            UInt16(bigEndian: $0.load(fromByteOffset: MemoryLayout<sa_family_t>.size, as: UInt16.self))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw LoopbackListenerError(operation: "fstat", errno: errno) }
        return (port, UInt64(status.st_ino))
    }

    deinit {
        close(descriptor)
    }

    private static func fillIPv4(_ storage: inout sockaddr_storage) -> socklen_t {
        withUnsafeMutableBytes(of: &storage) {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr = in_addr(s_addr: in_addr_t(0x7F00_0001).bigEndian)
            $0.storeBytes(of: address, as: sockaddr_in.self)
        }
        return socklen_t(MemoryLayout<sockaddr_in>.size)
    }

    private static func fillIPv6(_ storage: inout sockaddr_storage) -> socklen_t {
        withUnsafeMutableBytes(of: &storage) {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_addr = in6addr_loopback
            $0.storeBytes(of: address, as: sockaddr_in6.self)
        }
        return socklen_t(MemoryLayout<sockaddr_in6>.size)
    }
}

struct LoopbackListenerError: Error {
    var operation: String
    var errno: Int32
}
