import DBScoutCapture
import DBScoutTestSupport
import Foundation
import Testing

/// The traces under ../shared/testdata through the capture module: the file as libpcap reads it, and the flow
/// snapshots the flow table makes of it.
enum SharedTraces {
    static func file(_ relativePath: String) throws -> CaptureFile {
        let root = try #require(PcapTrace.sharedTestData)
        return try CaptureFile(path: root.appendingPathComponent(relativePath).path)
    }

    /// What the flow table makes of a trace: each segment ingested at its frame's capture time, flows left idle for
    /// the timeout expired as that time passes (so a later connection on the same ports is a flow of its own), and
    /// the rest drained at the end.
    static func snapshots(_ relativePath: String, limits: FlowTableLimits = FlowTableLimits()) throws
        -> [FlowSnapshot]
    {
        var table = FlowTable(limits: limits)
        var snapshots: [FlowSnapshot] = []
        for (frame, segment) in try file(relativePath).segments {
            snapshots += table.expire(now: frame.timestamp)
            snapshots += table.ingest(segment, at: frame.timestamp)
        }
        return snapshots + table.drain()
    }
}
