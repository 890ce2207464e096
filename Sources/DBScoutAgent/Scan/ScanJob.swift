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
        let inventory = try openInventory()
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
        try await collector.throwIfFailed()
        let findings = await collector.findings
        let registration: RegistrationReport
        let records: [InventoryRecord]
        if dryRun {
            records = try await merged(findings, into: inventory)
            registration = .dryRun(plannedRequests(for: records, alsoPending: try await inventory.pending()))
        } else {
            registration = try await register(inventory)
            records = try await stored(findings, in: inventory)
        }
        return ScanReport(
            records: records,
            unidentified: await collector.unidentified.sorted(),
            progress: await collector.latest,
            startedAt: startedAt,
            duration: ContinuousClock.now - clock,
            targets: settings.targets,
            ports: scope.ports,
            registration: registration
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

    private func openInventory() throws -> any Inventory {
        let directory = settings.stateDirectory
        let file = directory.appendingPathComponent(SQLiteInventory.fileName).path
        if dryRun, !FileManager.default.fileExists(atPath: file) { return try SQLiteInventory() }
        return try SQLiteInventory(directory: directory)
    }

    private func register(_ inventory: any Inventory) async throws -> RegistrationReport {
        guard let dbss = settings.dbss else { return .notConfigured }
        return try await DBSSClient.withClient(configuration: dbss, logger: logger) { client in
            let registrar = Registrar(
                client: client,
                inventory: inventory,
                policy: settings.registration,
                logger: logger
            )
            return .submitted(try await registrar.registerPending())
        }
    }

    /// This run's findings as the inventory now holds them.
    private func stored(_ findings: [Finding], in inventory: any Inventory) async throws -> [InventoryRecord] {
        let found = Set(findings.map(\.endpoint))
        return try await inventory.all().filter { found.contains($0.endpoint) }
    }

    /// This run's findings merged in memory with what the inventory holds, for a dry run that writes nothing.
    private func merged(_ findings: [Finding], into inventory: any Inventory) async throws -> [InventoryRecord] {
        let known = Dictionary(try await inventory.all().map { ($0.endpoint, $0) }, uniquingKeysWith: { a, _ in a })
        return findings.map { InventoryRecord.merging($0, into: known[$0.endpoint]) }.sorted {
            $0.endpoint < $1.endpoint
        }
    }

    /// The requests a real run would send: this run's pending records, then those pending from earlier runs.
    private func plannedRequests(for records: [InventoryRecord], alsoPending earlier: [InventoryRecord])
        -> [PlannedRequest]
    {
        let path = settings.dbss?.addDatabasePath ?? "/v1/{project_id}/{instance_id}/audit/databases"
        let seen = Set(records.map(\.endpoint))
        let due = records.filter { $0.registration.status == .pending } + earlier.filter { !seen.contains($0.endpoint) }
        return due.filter { settings.registration.holdReason(for: $0.finding) == nil }.compactMap { record in
            settings.registration.database(for: record.finding).map {
                PlannedRequest(method: "POST", path: path, body: $0)
            }
        }
    }
}

/// Gathers findings from the scan's concurrent tasks and records each in the inventory as it arrives, so a
/// crash mid-scan loses nothing already found.
private actor FindingCollector {
    private let inventory: (any Inventory)?
    private(set) var findings: [Finding] = []
    private(set) var unidentified: [Endpoint] = []
    private(set) var latest: ScanProgress
    private var failure: (any Error)?

    init(inventory: (any Inventory)?, total: Int) {
        self.inventory = inventory
        latest = ScanProgress(total: total)
    }

    func add(_ endpoint: Endpoint, _ outcome: EndpointOutcome, _ counts: ScanProgress) async {
        if counts.done > latest.done { latest = counts }
        if case .unidentified = outcome { unidentified.append(endpoint) }
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
