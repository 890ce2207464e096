import DBScoutCapture
import DBScoutCore
import DBScoutInventory
import DBScoutScanner
import Foundation
import Logging
import Synchronization

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

    /// Reads every source, then records and registers what was found.
    /// - Throws: ``DBScoutError`` `invalid-capture` naming a source that cannot be read or a bad filter.
    public func run() async throws -> ScanReport {
        let stage = RegistrationStage(settings: settings, dryRun: dryRun, logger: logger)
        let inventory = try stage.openInventory()
        let startedAt = Date()
        let clock = ContinuousClock.now
        let found = Mutex<[Finding]>([])
        var summary = PassiveSummary()
        for source in sources {
            logger.info("reading", metadata: ["source": "\(source)"])
            let stats: PassiveStats
            do {
                stats = try await PassiveReader.read(source, filter: filter, duration: duration) { finding in
                    found.withLock { $0.append(finding) }
                }
            } catch let error as CaptureError {
                throw DBScoutError(.invalidCapture, error.message)
            }
            summary.add(stats)
        }
        let findings = found.withLock { $0 }
        if !dryRun {
            for finding in findings { try await inventory.record(finding) }
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
}

/// What a passive run read, for the report.
public struct PassiveSummary: Sendable, Hashable {
    public var frames = 0
    public var skipped = 0
    public var flows = 0

    public init() {}

    mutating func add(_ stats: PassiveStats) {
        frames += stats.decoding.frames
        skipped += stats.decoding.frames - stats.decoding.segments
        flows += stats.flows
    }
}
