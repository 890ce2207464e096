import DBScoutCore
import DBScoutInventory
import Foundation
import Logging

/// A registration pass over the inventory without scanning, for `dbscout register`: the operator's "retry
/// failed" once DBSS or a finding has been fixed.
public struct RegisterJob: Sendable {
    public let settings: AgentSettings
    /// Show the requests a pass would send, changing nothing: no requeue, no claim, no DBSS calls.
    public let dryRun: Bool
    private let logger: Logger

    public init(settings: AgentSettings, dryRun: Bool, logger: Logger) {
        self.settings = settings
        self.dryRun = dryRun
        self.logger = logger
    }

    /// Puts rejected and retrying records back to pending, then submits every due record exactly once.
    /// - Throws: ``DBScoutError`` `invalid-configuration` when there are no DBSS settings, or `inventory`.
    public func run() async throws -> RegisterReport {
        guard settings.dbss != nil else {
            throw DBScoutError(
                .invalidConfiguration,
                "registration is not configured: give the DBSS endpoint, project id and instance id "
                    + "(dbss: in the config file, DBSCOUT_DBSS_*, or --dbss-endpoint, --dbss-project-id, "
                    + "--dbss-instance-id)"
            )
        }
        let stage = RegistrationStage(settings: settings, dryRun: dryRun, logger: logger)
        return try await stage.withInventory { inventory in
            dryRun ? try await plan(stage, inventory) : try await register(stage, inventory)
        }
    }

    private func register(_ stage: RegistrationStage, _ inventory: any Inventory) async throws -> RegisterReport {
        let requeued = try await inventory.requeue()
        let now = Date()
        // What the registrar will take: orphaned submissions it may reconcile, then the due records.
        let orphans = try await inventory.inFlight().filter {
            AgentIdentity.current.mayTakeOver($0.registration.claim, now: now)
        }
        let due = orphans + (try await inventory.due(now: now))
        let registration = try await stage.register(inventory)
        var records: [InventoryRecord] = []
        for record in due {
            if let current = try await inventory.record(at: record.endpoint) { records.append(current) }
        }
        return RegisterReport(
            requeued: requeued,
            records: records.sorted { $0.endpoint < $1.endpoint },
            registration: registration
        )
    }

    /// The pass a real run would make, computed from the inventory as it is: what `requeue()` would put back is
    /// due as well.
    private func plan(_ stage: RegistrationStage, _ inventory: any Inventory) async throws -> RegisterReport {
        let now = Date()
        let requeueable: Set<RegistrationStatus> = [.rejected, .retrying]
        var due: [InventoryRecord] = []
        var requeued = 0
        // Only these statuses can be due or put back; the rest of a large inventory is never read.
        for try await record in inventory.records(statuses: requeueable.union([.pending])) {
            let putBack = requeueable.contains(record.registration.status)
            if putBack { requeued += 1 }
            if putBack || record.isDue(at: now) { due.append(record) }
        }
        return RegisterReport(
            requeued: requeued,
            records: due,
            registration: .dryRun(stage.plannedRequests(for: due))
        )
    }
}

/// What `dbscout register` did.
public struct RegisterReport: Sendable {
    /// Rejected and retrying records put back to pending before the pass (in a dry run: that would be).
    public var requeued: Int
    /// The records that were due, as they stand after the pass (in a dry run: as they stand), by endpoint.
    public var records: [InventoryRecord]
    /// The pass's summary, or in a dry run the requests it would send.
    public var registration: RegistrationReport

    public init(requeued: Int, records: [InventoryRecord], registration: RegistrationReport) {
        self.requeued = requeued
        self.records = records
        self.registration = registration
    }

    /// 0 when everything due went through (or a dry run), 1 when registrations failed, were deferred or are
    /// uncertain.
    public var exitCode: Int32 {
        if case .submitted(let summary) = registration, !summary.isClean { return 1 }
        return 0
    }
}
