import DBScoutCore

#if canImport(Glibc)
    import Glibc
#endif

/// Opens a nonblocking TCP socket and starts a connect to an endpoint, with no event loop in between.
enum NonblockingConnect {
    /// What the attempt came to at once.
    enum Start {
        /// The handshake is under way; wait for the socket to become writable.
        case inProgress(CInt)
        /// Connected already (loopback can be that quick).
        case connected(CInt)
        /// The connect failed outright with this errno; the socket is closed.
        case failed(CInt)
    }

    /// Errors that say this host is short of something (descriptors, ports, buffers), not that the endpoint is
    /// closed: the attempt is worth making again once other connections have finished.
    static func isLocalShortage(_ code: CInt) -> Bool {
        [EMFILE, ENFILE, ENOBUFS, ENOMEM, EAGAIN, EADDRNOTAVAIL].contains(code)
    }

    static func start(_ endpoint: Endpoint) -> Start {
        let family = endpoint.address.isIPv4 ? AF_INET : AF_INET6
        let type = CInt(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let descriptor = socket(family, type, 0)
        guard descriptor >= 0 else { return .failed(errno) }
        let result = withSocketAddress(of: endpoint) { address, length in
            connect(descriptor, address, length)
        }
        if result == 0 { return .connected(descriptor) }
        let code = errno
        if code == EINPROGRESS { return .inProgress(descriptor) }
        close(descriptor)
        return .failed(code)
    }

    /// The endpoint as a `sockaddr_in` or `sockaddr_in6`, laid out byte by byte: the family in host order, then
    /// the port and the address in network order, everything else zero.
    private static func withSocketAddress<Result>(
        of endpoint: Endpoint,
        _ body: (UnsafePointer<sockaddr>, socklen_t) -> Result
    ) -> Result {
        withUnsafeTemporaryAllocation(byteCount: 28, alignment: 8) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            buffer.storeBytes(of: endpoint.port.bigEndian, toByteOffset: 2, as: UInt16.self)
            let length: Int
            switch endpoint.address {
            case .v4(let address):
                buffer.storeBytes(of: UInt16(AF_INET), toByteOffset: 0, as: UInt16.self)
                buffer.storeBytes(of: address.bigEndian, toByteOffset: 4, as: UInt32.self)
                length = 16
            case .v6(let address):
                buffer.storeBytes(of: UInt16(AF_INET6), toByteOffset: 0, as: UInt16.self)
                buffer.storeBytes(
                    of: UInt64(truncatingIfNeeded: address >> 64).bigEndian,
                    toByteOffset: 8,
                    as: UInt64.self
                )
                buffer.storeBytes(of: UInt64(truncatingIfNeeded: address).bigEndian, toByteOffset: 16, as: UInt64.self)
                length = 28
            }
            let address = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: sockaddr.self)
            return body(address, socklen_t(length))
        }
    }

    /// The connect's outcome once epoll says the socket is ready: 0 for connected, or the errno it failed with.
    static func outcome(of descriptor: CInt) -> CInt {
        var code: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return errno }
        return code
    }
}
