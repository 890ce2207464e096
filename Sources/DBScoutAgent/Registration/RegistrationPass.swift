import DBSSClient
import DBScoutCore
import DBScoutInventory
import Foundation
import Logging

/// One registration pass: DBSS's list of registered databases, read once and kept current, and what is done
/// with each claimed record.
struct RegistrationPass {
    enum Next {
        case proceed, stop
    }

    let registrar: Registrar
    /// DBSS's databases by endpoint, with their ids.
    private var registered: [String: String] = [:]
    private var capacityChecked = false

    init(registrar: Registrar) {
        self.registrar = registrar
    }

    /// Reads DBSS's list, so that nothing it holds is added again.
    mutating func loadRegistered() async throws {
        registered = Self.index(try await registrar.client.allDatabases())
    }

    /// Stops before adding anything to an instance that has no room left.
    private func checkCapacity() async throws {
        let instance = try await registrar.client.auditInstance()
        guard instance.remainingCapacity == 0 else { return }
        throw DBSSError(
            code: .badRequest,
            operation: "capacity check of audit instance \(instance.id)",
            httpStatus: 400,
            errorCode: "DBSS.10020118",
            errorMessage: "it holds \(instance.configNum) of its \(instance.databaseLimit) databases"
        )
    }

    /// Imports, adds, holds or refuses one record the registrar has claimed.
    mutating func submit(_ record: InventoryRecord, into summary: inout RegistrationSummary) async throws -> Next {
        let endpoint = record.endpoint
        if let id = registered[Self.key(endpoint)] {
            try await imported(endpoint, id: id, into: &summary)
            return .proceed
        }
        let policy = registrar.policy
        if let reason = policy.holdReason(for: record.finding) {
            try await registrar.complete(endpoint, .waiting(reason: reason))
            summary.waiting += 1
            return .proceed
        }
        guard let body = policy.database(for: record.finding) else {
            // Skipped by an override: left pending, as an operator may lift the override.
            try await registrar.complete(endpoint, .released)
            return .proceed
        }
        do {
            if !capacityChecked {
                try await checkCapacity()
                capacityChecked = true
            }
            let id = try await registrar.client.addDatabase(body)
            registered[Self.key(endpoint)] = id
            try await registrar.complete(endpoint, .registered(id: id))
            summary.registered += 1
            registrar.logger.notice("registered with DBSS", metadata: ["endpoint": "\(endpoint)", "id": "\(id)"])
            return .proceed
        } catch let error as DBSSError {
            return try await failed(record, error, into: &summary)
        }
    }

    private mutating func failed(_ record: InventoryRecord, _ error: DBSSError, into summary: inout RegistrationSummary)
        async throws -> Next
    {
        let endpoint = record.endpoint
        let logger = registrar.logger
        switch error.action {
        case .reject:
            try await registrar.complete(endpoint, .rejected(error: error.description))
            summary.rejected += 1
            logger.error("DBSS rejected the database", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
            return .proceed
        case .reconcile:
            // The add may have been applied: DBSS's own list decides before anything is sent again.
            if (try? await loadRegistered()) != nil, let id = registered[Self.key(endpoint)] {
                try await imported(endpoint, id: id, into: &summary)
                return .proceed
            }
            try await registrar.complete(endpoint, .uncertain(error: error.description))
            summary.uncertain += 1
            summary.note(stoppedBy: error)
            logger.error(
                "the outcome of an add is unknown; it stays claimed and is reconciled before any new add",
                metadata: ["endpoint": "\(endpoint)", "error": "\(error)"]
            )
            return .stop
        case .retry, .reauthenticate, .stopInstanceFull:
            let wait = registrar.retrySchedule.delay(afterAttempts: record.registration.attempts)
            let due = Date().addingTimeInterval(wait.timeInterval)
            try await registrar.complete(endpoint, .retryLater(error: error.description, notBefore: due))
            summary.deferred += 1
            summary.note(stoppedBy: error)
            logger.error("registration deferred", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
            return .stop
        case .stop:
            try await registrar.complete(endpoint, .released)
            summary.note(stoppedBy: error)
            logger.error("registration stopped", metadata: ["error": "\(error)"])
            return .stop
        }
    }

    private func imported(_ endpoint: Endpoint, id: String, into summary: inout RegistrationSummary) async throws {
        try await registrar.complete(endpoint, .imported(id: id))
        summary.imported += 1
        registrar.logger.notice(
            "already registered in DBSS; recorded without adding it again",
            metadata: ["endpoint": "\(endpoint)", "id": "\(id)"]
        )
    }

    /// DBSS keeps ip and port as free text; the address is compared in its canonical form.
    static func key(ip: String, port: String) -> String {
        let address = IPAddress(ip.trimmingCharacters(in: .whitespaces))?.description ?? ip
        return "\(address):\(port.trimmingCharacters(in: .whitespaces))"
    }

    static func key(_ endpoint: Endpoint) -> String { key(ip: endpoint.address.description, port: "\(endpoint.port)") }

    static func index(_ databases: [DBSSDatabase]) -> [String: String] {
        var index: [String: String] = [:]
        for database in databases {
            guard let id = database.id else { continue }
            index[key(ip: database.ip, port: database.port)] = id
        }
        return index
    }
}

extension Duration {
    /// The duration in seconds, for `Date` arithmetic.
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
