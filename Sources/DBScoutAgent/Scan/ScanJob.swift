import DBSSClient
import DBScoutCapture
import DBScoutCore
import DBScoutInventory
import DBScoutScanner
import Foundation
import Logging

/// The one-shot pipeline: scan the scope, record every finding, register the new ones.
public struct ScanJob: Sendable {
    public let settings: AgentSettings
    /// Scan and show what would be submitted, changing nothing: no inventory writes, no DBSS calls.
    public let dryRun: Bool
    private let logger: Logger

    public init(settings: AgentSettings, dryRun: Bool, logger: Logger) {
        self.settings = settings
        self.dryRun = dryRun
        self.logger = logger
    }

    /// Runs the pipeline.
    /// - Parameter progress: called as endpoints complete, from concurrent tasks.
    /// - Throws: ``DBScoutError`` for a bad scope or settings (nothing was scanned) or an inventory failure.
    public func run(progress: @escaping @Sendable (ScanProgress) -> Void = { _ in }) async throws -> ScanReport {
        let scope = try await resolveScope()
        let stage = RegistrationStage(settings: settings, dryRun: dryRun, logger: logger)
        return try await stage.withInventory { inventory in
            try await scan(scope, stage: stage, inventory: inventory, progress: progress)
        }
    }

    /// Runs the pipeline on an inventory the caller holds open (the daemon's, for its whole life).
    public func run(
        recordingInto inventory: any Inventory,
        progress: @escaping @Sendable (ScanProgress) -> Void = { _ in }
    ) async throws -> ScanReport {
        let scope = try await resolveScope()
        let stage = RegistrationStage(settings: settings, dryRun: dryRun, logger: logger)
        return try await scan(scope, stage: stage, inventory: inventory, progress: progress)
    }

    private func scan(
        _ scope: ScanScope,
        stage: RegistrationStage,
        inventory: any Inventory,
        progress: @escaping @Sendable (ScanProgress) -> Void
    ) async throws -> ScanReport {
        let startedAt = Date()
        let clock = ContinuousClock.now
        let collector = FindingCollector(inventory: dryRun ? nil : inventory, total: scope.endpointCount)
        logger.info("scan starting", metadata: ["endpoints": "\(scope.endpointCount)", "ports": "\(scope.ports)"])
        let synAcks = SYNACKCapture.start(logger: logger)
        let scanner = Scanner(options: settings.scan, logger: logger, synAcks: synAcks)
        await scanner.scan(scope.endpoints, total: scope.endpointCount) { endpoint, outcome, counts in
            await collector.add(endpoint, outcome, counts)
            progress(counts)
        }
        synAcks?.stop()
        let counts = await collector.latest
        if counts.unprobed > 0, let reason = await collector.unprobedReason {
            logger.warning(
                "endpoints not probed: raise the open-file limit (ulimit -n) or lower --concurrency",
                metadata: ["unprobed": "\(counts.unprobed)", "reason": "\(reason)"]
            )
        }
        try await collector.throwIfFailed()
        let (records, registration) = try await stage.conclude(await collector.findings, in: inventory)
        return ScanReport(
            records: records,
            unidentified: await collector.unidentified.sorted(),
            progress: await collector.latest,
            startedAt: startedAt,
            duration: ContinuousClock.now - clock,
            targets: settings.targets,
            ports: scope.ports,
            registration: registration,
            unprobedReason: await collector.unprobedReason
        )
    }

    private func resolveScope() async throws -> ScanScope {
        guard !settings.targets.isEmpty else {
            throw DBScoutError(.invalidConfiguration, "no targets: name them on the command line or in scan.targets")
        }
        let include = try await TargetResolver.resolve(try settings.targets.map(TargetSpec.init(parsing:)))
        let exclude = try await TargetResolver.resolve(try settings.exclude.map(TargetSpec.init(parsing:)))
        return try ScanScope(
            addresses: TargetSet(including: include, excluding: exclude),
            ports: settings.ports,
            allowLarge: settings.allowLargeScope,
            allowPublic: settings.allowPublic
        )
    }
}

/// Gathers findings from the scan's concurrent tasks and records each in the inventory as it arrives, so a
/// crash mid-scan loses nothing already found.
private actor FindingCollector {
    private let inventory: (any Inventory)?
    private(set) var findings: [Finding] = []
    private(set) var unidentified: [Endpoint] = []
    /// Why the first unprobed endpoint was not probed; they all share a cause (this host's resources).
    private(set) var unprobedReason: String?
    private(set) var latest: ScanProgress
    private var failure: (any Error)?

    init(inventory: (any Inventory)?, total: Int) {
        self.inventory = inventory
        latest = ScanProgress(total: total)
    }

    func add(_ endpoint: Endpoint, _ outcome: EndpointOutcome, _ counts: ScanProgress) async {
        if counts.done > latest.done { latest = counts }
        switch outcome {
        case .unidentified: unidentified.append(endpoint)
        case .unprobed(let reason): unprobedReason = unprobedReason ?? reason
        case .closed, .identified: break
        }
        guard case .identified(let finding) = outcome else { return }
        findings.append(finding)
        guard let inventory else { return }
        do {
            try await inventory.record(finding)
        } catch {
            failure = failure ?? error
        }
    }

    func throwIfFailed() throws {
        if let failure { throw failure }
    }
}
