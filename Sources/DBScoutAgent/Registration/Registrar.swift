import DBSSClient
import DBScoutCore
import DBScoutInventory
import Logging

/// Submits pending inventory records to DBSS, once each, and records what became of them.
public struct Registrar: Sendable {
    let client: DBSSClient
    let inventory: any Inventory
    let policy: RegistrationPolicy
    let logger: Logger

    public init(client: DBSSClient, inventory: any Inventory, policy: RegistrationPolicy, logger: Logger) {
        self.client = client
        self.inventory = inventory
        self.policy = policy
        self.logger = logger
    }

    /// Submits every pending record.
    ///
    /// A 400 marks that record failed and moves on. Any other failure (DBSS unreachable, token refused, server
    /// error) would fail every record alike, so the run stops there and the rest stay pending for the next run.
    public func registerPending() async throws -> RegistrationSummary {
        var summary = RegistrationSummary()
        for record in try await inventory.pending() {
            if let reason = policy.holdReason(for: record.finding) {
                try await inventory.recordSubmission(.waiting(reason: reason), for: record.endpoint)
                summary.waiting += 1
                continue
            }
            guard let body = policy.database(for: record.finding) else { continue }
            let outcome = await submit(body)
            try await inventory.recordSubmission(outcome, for: record.endpoint)
            switch outcome {
            case .registered(let id):
                summary.registered += 1
                logger.notice("registered with DBSS", metadata: ["endpoint": "\(record.endpoint)", "id": "\(id)"])
            case .rejected(let error):
                summary.rejected += 1
                logger.error(
                    "DBSS rejected the database",
                    metadata: ["endpoint": "\(record.endpoint)", "error": "\(error)"]
                )
            case .waiting:
                summary.waiting += 1
            case .retryLater(let error):
                summary.deferred += 1
                summary.stoppedBy = error
                logger.error(
                    "registration deferred",
                    metadata: ["endpoint": "\(record.endpoint)", "error": "\(error)"]
                )
                return summary
            }
        }
        return summary
    }

    private func submit(_ body: DBSSDatabase) async -> SubmissionOutcome {
        do {
            return .registered(id: try await client.addDatabase(body))
        } catch let error as DBSSError where error.code == .badRequest && !Registrar.isQuota(error) {
            return .rejected(error: error.description)
        } catch {
            return .retryLater(error: "\(error)")
        }
    }

    /// Quota errors are 400s that clear once capacity is added, so they defer rather than fail the record.
    static func isQuota(_ error: DBSSError) -> Bool {
        ["DBSS.10020118", "DBSS.100210016"].contains(error.errorCode ?? "")
    }
}

/// What one registration pass did.
public struct RegistrationSummary: Sendable, Hashable {
    public var registered = 0
    public var rejected = 0
    /// Submissions that failed transiently and stay pending.
    public var deferred = 0
    /// Findings held back because something the submission needs is unknown.
    public var waiting = 0
    /// The error that stopped the pass early, if any.
    public var stoppedBy: String?

    public init() {}

    /// Whether everything that was due went through.
    public var isClean: Bool { rejected == 0 && deferred == 0 }
}
