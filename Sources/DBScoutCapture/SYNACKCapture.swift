import DBScoutCore
import DBScoutProtocols
import DBScoutScanner
import Foundation
import Logging
import Synchronization

/// Watches every interface for the SYN-ACKs that answer the scanner's own connects, so the server's TCP/IP
/// stack can be fingerprinted without a second packet on the wire. Needs CAP_NET_RAW; ``start(logger:)``
/// returns `nil` without it, and the scanner goes on with the other OS sources.
public final class SYNACKCapture: SYNACKSource {
    /// The sender's address as text (not IPAddress: its 128-bit payload inside a Mutex-guarded dictionary
    /// crashed at run time on Linux), its port, and our port.
    private struct Key: Hashable {
        let address: String
        let port: UInt16
        let localPort: UInt16
    }

    /// At most this many SYN-ACKs are kept; the oldest go first.
    static let capacity = 65_536

    /// SYN-ACKs by sender and our port, with their arrival order for eviction.
    private struct Seen: ~Copyable {
        var entries: [Key: [UInt8]] = [:]
        var order: [Key] = []
    }

    private let seen = Mutex(Seen())
    /// Checked by the capture thread after every packet; ``stop()`` also breaks a read that waits for one.
    private let stopping = Mutex(false)
    private let breaker = Mutex<PcapBreaker?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    private init() {}

    /// Starts capturing on the `any` device, or returns `nil` (logging why, once) when that is not allowed.
    public static func start(logger: Logger) -> SYNACKCapture? {
        let capture = SYNACKCapture()
        let opened = DispatchSemaphore(value: 0)
        let failure = Mutex<CaptureError?>(nil)
        let thread = Thread {
            do {
                let handle = try PcapHandle(live: "any")
                try handle.setFilter("tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)")
                capture.breaker.withLock { $0 = handle.breaker }
                opened.signal()
                capture.run(handle)
            } catch let error as CaptureError {
                failure.withLock { $0 = error }
                opened.signal()
            } catch {
                opened.signal()
            }
            capture.finished.signal()
        }
        thread.name = "dbscout-synack"
        thread.start()
        opened.wait()
        if let error = failure.withLock({ $0 }) {
            logger.notice("no TCP/IP fingerprints of servers: \(error.message)")
            return nil
        }
        return capture
    }

    public func synAck(from endpoint: Endpoint, toLocalPort localPort: UInt16) async -> [UInt8]? {
        let key = Key(address: endpoint.address.description, port: endpoint.port, localPort: localPort)
        // The capture thread may be behind the connect that the SYN-ACK completed, more so on a loaded host;
        // half a second is long next to a handshake and short next to a scan.
        for _ in 0..<50 {
            if let headers = seen.withLock({ $0.entries[key] }) { return headers }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// Stops the capture thread and waits for it.
    public func stop() {
        stopping.withLock { $0 = true }
        breaker.withLock { $0 }?.breakLoop()
        finished.wait()
    }

    private func run(_ handle: PcapHandle) {
        let linkType = handle.linkType
        while !stopping.withLock({ $0 }), let frame = handle.next() {
            guard let segment = PacketDecoder.decode(frame.bytes, linkType: linkType).segment,
                segment.flags.isSuperset(of: [.syn, .ack]), !segment.flags.contains(.rst)
            else { continue }
            let key = Key(
                address: segment.source.address.description,
                port: segment.source.port,
                localPort: segment.destination.port
            )
            remember(key, Array(segment.headers))
        }
    }

    private func remember(_ key: Key, _ headers: [UInt8]) {
        seen.withLock { state in
            if state.entries.updateValue(headers, forKey: key) == nil { state.order.append(key) }
            if state.order.count > SYNACKCapture.capacity {
                state.entries[state.order.removeFirst()] = nil
            }
        }
    }
}
