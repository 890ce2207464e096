import DBScoutCore
import DBScoutProtocols
import Foundation

/// Where passive discovery reads packets from.
public enum PassiveSource: Sendable, Hashable, CustomStringConvertible {
    case file(String)
    case interface(String)

    public var description: String {
        switch self {
        case .file(let path): path
        case .interface(let name): "interface \(name)"
        }
    }
}

/// What a passive read went through.
public struct PassiveStats: Sendable, Hashable {
    public var decoding = DecodeCounters()
    public var flows = 0
    public var findings = 0

    public init() {}
}

/// Reads packets (a capture file, or an interface for a while), follows TCP flows, and reports each database
/// server its conversations reveal: once per server, and again only when a later conversation tells its version.
public enum PassiveReader {
    /// Reads `source` on a dedicated thread (libpcap blocks) and returns when the file ends or `duration` passes.
    /// - Parameters:
    ///   - filter: a BPF expression; TCP only when `nil`.
    ///   - onFinding: called on the reading thread, for a server's first finding and for a later one that
    ///     tells a version the first did not.
    /// - Throws: ``CaptureError`` when the source cannot be opened or the filter is invalid.
    public static func read(
        _ source: PassiveSource,
        filter: String?,
        duration: Duration?,
        onFinding: @escaping @Sendable (Finding) -> Void
    ) async throws -> PassiveStats {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(
                    with: Result { try readBlocking(source, filter: filter, duration: duration, onFinding: onFinding) }
                )
            }
            thread.name = "dbscout-passive"
            thread.start()
        }
    }

    private static func readBlocking(
        _ source: PassiveSource,
        filter: String?,
        duration: Duration?,
        onFinding: (Finding) -> Void
    ) throws -> PassiveStats {
        let handle: PcapHandle
        switch source {
        case .file(let path): handle = try PcapHandle(file: path)
        case .interface(let name): handle = try PcapHandle(live: name, snapshotLength: 16_384)
        }
        try handle.setFilter(filter ?? "tcp")
        if let duration, case .interface = source {
            // A live read with no traffic can wait in libpcap indefinitely; breaking the loop at the deadline
            // ends it whatever arrives.
            let breaker = handle.breaker
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { breaker.breakLoop() }
        }
        var table = FlowTable()
        var stats = PassiveStats()
        var reported: [Endpoint: Bool] = [:]  // server → whether its version is known
        let started = ContinuousClock.now
        func classify(_ snapshots: [FlowSnapshot]) {
            for snapshot in snapshots {
                stats.flows += 1
                guard reported[snapshot.server] != true, let finding = PassiveClassifier.classify(snapshot.flow),
                    reported[snapshot.server] == nil || finding.version != nil
                else { continue }
                reported[snapshot.server] = finding.version != nil
                stats.findings += 1
                onFinding(finding)
            }
        }
        let linkType = handle.linkType
        while let frame = handle.next() {
            let now = ContinuousClock.now - started
            if let duration, now >= duration { break }
            guard !frame.isEmpty else {
                classify(table.expire(now: now))
                continue
            }
            let outcome = PacketDecoder.decode(frame, linkType: linkType)
            stats.decoding.count(outcome)
            if let segment = outcome.segment { classify(table.ingest(segment, at: now)) }
        }
        classify(table.drain())
        return stats
    }
}
