import DBScoutCapture
import DBScoutCore
import DBScoutInventory
import DBScoutScanner
import Foundation
import Logging

/// Passive discovery: read capture files or an interface, record every database the traffic reveals, and
/// register the new ones exactly as a scan does.
public struct SniffJob: Sendable {
    public let settings: AgentSettings
    public let sources: [PassiveSource]
    /// A BPF expression narrowing what is read; all TCP when `nil`.
    public let filter: String?
    /// How long to watch an interface; capture files are read to the end.
    public let duration: Duration?
    public let dryRun: Bool
    private let logger: Logger

    public init(
        settings: AgentSettings,
        sources: [PassiveSource],
        filter: String?,
        duration: Duration?,
        dryRun: Bool,
        logger: Logger
    ) {
        self.settings = settings
        self.sources = sources
        self.filter = filter
        self.duration = duration
        self.dryRun = dryRun
        self.logger = logger
    }

    /// Reads every source, recording each finding as it is made, then registers what is new.
    /// - Throws: ``DBScoutError`` `invalid-capture` naming a source that cannot be read or a bad filter.
    public func run() async throws -> ScanReport {
        let stage = RegistrationStage(settings: settings, dryRun: dryRun, logger: logger)
        return try await stage.withInventory { try await read(stage: stage, inventory: $0) }
    }

    private func read(stage: RegistrationStage, inventory: any Inventory) async throws -> ScanReport {
        let startedAt = Date()
        let clock = ContinuousClock.now
        var findings: [Finding] = []
        var summary = PassiveSummary()
        for source in sources {
            do {
                for try await event in PassiveReader.events(source, filter: filter, duration: duration) {
                    switch event {
                    case .opened:
                        logger.info("reading", metadata: ["source": "\(source)"])
                    case .finding(let finding):
                        // Stored as soon as it is made, so an interrupted watch loses nothing it saw.
                        if !dryRun { try await inventory.record(finding) }
                        findings.append(finding)
                    case .finished(let stats):
                        summary.add(stats, from: source)
                        warnAboutDrops(stats, source: source)
                    }
                }
            } catch let error as CaptureError {
                throw DBScoutError(.invalidCapture, error.message)
            }
        }
        let (records, registration) = try await stage.conclude(findings, in: inventory)
        var progress = ScanProgress(total: summary.flows)
        progress.done = summary.flows
        progress.identified = Set(findings.map(\.endpoint)).count
        return ScanReport(
            records: records,
            unidentified: [],
            progress: progress,
            startedAt: startedAt,
            duration: ContinuousClock.now - clock,
            targets: sources.map(\.description),
            ports: PortSet([]),
            registration: registration,
            passive: summary
        )
    }

    private func warnAboutDrops(_ stats: PassiveStats, source: PassiveSource) {
        guard let capture = stats.capture, capture.dropped + capture.interfaceDropped > 0 else { return }
        logger.warning(
            "packets were dropped before dbscout read them; databases in them may be missed",
            metadata: [
                "source": "\(source)", "dropped": "\(capture.dropped)",
                "interface_dropped": "\(capture.interfaceDropped)", "received": "\(capture.received)",
            ]
        )
    }
}

/// What a passive run read, for the report.
public struct PassiveSummary: Sendable, Hashable {
    public var frames = 0
    public var bytes = 0
    public var skipped = 0
    public var flows = 0
    /// Packets the kernel or the interface dropped during live captures.
    public var dropped = 0
    /// Sources whose reading stopped early, with libpcap's reason; what came before was used.
    public var errors: [String] = []

    public init() {}

    mutating func add(_ stats: PassiveStats, from source: PassiveSource) {
        if let error = stats.readError { errors.append("\(source): \(error)") }
        frames += stats.decoding.frames
        bytes += stats.bytes
        skipped += stats.decoding.frames - stats.decoding.segments
        flows += stats.flows
        dropped += (stats.capture?.dropped ?? 0) + (stats.capture?.interfaceDropped ?? 0)
    }
}
