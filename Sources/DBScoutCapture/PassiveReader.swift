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
    /// Bytes of the frames as captured.
    public var bytes = 0
    public var flows = 0
    public var findings = 0
    /// The kernel's counters, for a live capture.
    public var capture: CaptureStatistics?
    /// Why the read stopped early (libpcap's words), e.g. a file cut short; what was read before still counts.
    public var readError: String?

    public init() {}
}

/// What a passive read reports, in order: findings as they are made, then the statistics once the read ends.
public enum PassiveEvent: Sendable {
    /// The source is open and the filter set: from now on, packets are read.
    case opened
    /// A server's first finding, or a later one that tells a version the first did not.
    case finding(Finding)
    /// The read is over (end of file, deadline, or the consumer stopped).
    case finished(PassiveStats)
}

/// Reads packets (a capture file, or an interface for a while), follows TCP flows, and reports each database
/// server its conversations reveal: once per server, and again only when a later conversation tells its version.
public enum PassiveReader {
    /// Starts reading `source` on a dedicated thread (libpcap handles block and belong to one thread) and returns
    /// the events as they come. The thread waits when `bufferLimit` events are not taken yet, and stops when the
    /// events are no longer iterated.
    /// - Parameters:
    ///   - filter: a BPF expression; all TCP when `nil`.
    ///   - duration: how long to watch an interface; files are read to the end.
    /// - Returns: events that throw ``CaptureError`` when the source cannot be opened or the filter is invalid.
    public static func events(
        _ source: PassiveSource,
        filter: String?,
        duration: Duration?,
        bufferLimit: Int = 256
    ) -> PassiveEvents {
        let handoff = BoundedHandoff<PassiveEvent>(limit: bufferLimit)
        let thread = Thread {
            do {
                let session = try PassiveSession(source, filter: filter, duration: duration, handoff: handoff)
                guard handoff.put(.opened) else { return handoff.finish() }
                let stats = session.run()
                _ = handoff.put(.finished(stats))
                handoff.finish()
            } catch {
                handoff.finish(throwing: error)
            }
        }
        thread.name = "dbscout-passive"
        thread.start()
        return PassiveEvents(handoff: handoff)
    }
}

/// The events of one passive read; iterate them once.
public struct PassiveEvents: AsyncSequence, Sendable {
    public typealias Element = PassiveEvent
    fileprivate let handoff: BoundedHandoff<PassiveEvent>

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: handoff.stream.makeAsyncIterator(), handoff: handoff)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<PassiveEvent, any Error>.AsyncIterator
        let handoff: BoundedHandoff<PassiveEvent>

        public mutating func next() async throws -> PassiveEvent? {
            let event = try await base.next()
            if event != nil { handoff.taken() }
            return event
        }
    }
}

/// One read of one source, on the reading thread.
private struct PassiveSession {
    let handle: PcapHandle
    let isLive: Bool
    let duration: Duration?
    let handoff: BoundedHandoff<PassiveEvent>

    init(_ source: PassiveSource, filter: String?, duration: Duration?, handoff: BoundedHandoff<PassiveEvent>) throws {
        switch source {
        case .file(let path): handle = try PcapHandle(file: path)
        case .interface(let name): handle = try PcapHandle(live: name, snapshotLength: 16_384)
        }
        do {
            try handle.setFilter(filter ?? "tcp")
        } catch {
            // Named by source: with several files, a filter that suits one link type may not suit another's.
            throw CaptureError(error.code, "\(source): \(error.message)")
        }
        isLive = source.isInterface
        self.duration = duration
        self.handoff = handoff
    }

    func run() -> PassiveStats {
        if let duration, isLive {
            // A live read with no traffic can wait in libpcap indefinitely; breaking the loop at the deadline
            // ends it whatever arrives.
            let breaker = handle.breaker
            DispatchQueue.global().asyncAfter(deadline: .now() + duration.seconds) { breaker.breakLoop() }
        }
        var table = FlowTable()
        var stats = PassiveStats()
        var reported: [Endpoint: Bool] = [:]  // server → whether its version is known
        func classify(_ snapshots: [FlowSnapshot]) {
            for snapshot in snapshots {
                stats.flows += 1
                guard reported[snapshot.server] != true, let finding = PassiveClassifier.classify(snapshot.flow),
                    reported[snapshot.server] == nil || finding.version != nil
                else { continue }
                reported[snapshot.server] = finding.version != nil
                stats.findings += 1
                if !handoff.put(.finding(finding)) { handle.breaker.breakLoop() }
            }
        }
        let linkType = handle.linkType
        let started = ContinuousClock.now
        var clock = CaptureClock()
        var frame = CapturedFrame()
        while !handoff.isAbandoned, handle.read(into: &frame) {
            // Files keep their own time, so idle flows expire as they did on the wire however fast the file is read.
            let now = isLive ? ContinuousClock.now - started : clock.advance(to: frame.timestamp)
            if let duration, isLive, now >= duration { break }
            // Expired before the frame is ingested, so a later conversation on an idle 4-tuple is a flow of its own.
            classify(table.expire(now: now))
            guard !frame.bytes.isEmpty else { continue }
            let outcome = PacketDecoder.decode(frame.bytes, linkType: linkType)
            stats.decoding.count(outcome)
            stats.bytes += frame.bytes.count
            if let segment = outcome.segment { classify(table.ingest(segment, at: now)) }
        }
        if isLive { stats.capture = handle.statistics() }
        stats.readError = handle.readError
        classify(table.drain())
        return stats
    }
}

/// The flow table's time for a file: capture timestamps relative to the first frame, never going backwards
/// (captures merged from several interfaces are slightly out of order).
private struct CaptureClock {
    private var origin: Duration?
    private var latest: Duration = .zero

    mutating func advance(to timestamp: Duration) -> Duration {
        let origin = self.origin ?? timestamp
        self.origin = origin
        latest = max(latest, timestamp - origin)
        return latest
    }
}

extension PassiveSource {
    var isInterface: Bool {
        if case .interface = self { return true }
        return false
    }
}

extension Duration {
    /// The duration in seconds, for Dispatch deadlines.
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
