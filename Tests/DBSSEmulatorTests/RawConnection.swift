import Foundation

/// A plain TCP socket to the emulator, for what an HTTP client will not send: malformed request
/// lines and pipelined requests. Blocking calls with a receive timeout keep it short and bounded.
struct RawConnection: ~Copyable {
    private let descriptor: Int32

    /// Connects to `127.0.0.1:port`.
    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RawConnectionError(operation: "socket") }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: in_addr_t(0x7F00_0001).bigEndian)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        // No close here: `deinit` runs even when `init` throws once `descriptor` is set, and a
        // second close could hit a descriptor number another test's server has reused meanwhile.
        guard connected == 0 else { throw RawConnectionError(operation: "connect") }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Sends all of `text`.
    func transmit(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
            guard sent > 0 else { throw RawConnectionError(operation: "send") }
            offset += sent
        }
    }

    /// Reads until `isComplete` accepts what was received, the peer closes, or 2 s pass.
    func receive(until isComplete: (String) -> Bool = { _ in false }) -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !isComplete(String(decoding: received, as: UTF8.self)) {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received.append(contentsOf: buffer[..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }
}

struct RawConnectionError: Error {
    var operation: String
}
