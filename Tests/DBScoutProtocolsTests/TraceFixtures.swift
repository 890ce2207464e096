import DBScoutTestSupport
import NIOCore

/// Real handshakes from ../shared/testdata; tests that use them are skipped where it is absent.
enum TraceFixtures {
    static let available = PcapTrace.sharedTestData != nil

    /// What the server side (source port `port`) sent in the trace.
    static func serverBytes(_ path: String, port: UInt16) throws -> ByteBuffer {
        ByteBuffer(bytes: try PcapTrace.shared(path).bytes(fromPort: port))
    }

    /// What the client sent to port `port` in the trace.
    static func clientBytes(_ path: String, port: UInt16) throws -> ByteBuffer {
        ByteBuffer(bytes: try PcapTrace.shared(path).bytes(toPort: port))
    }
}
