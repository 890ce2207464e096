import Foundation
import Synchronization

/// How a presented `X-Auth-Token` relates to the tokens the emulator knows.
enum TokenStatus: Sendable, Equatable {
    case valid
    case missing
    case unknown
    case expired(Date)
}

/// All mutable state of one emulator, behind one lock.
///
/// Every operation is a short critical section with no I/O, so a `Mutex` serialises requests from
/// all event loops without the hops an actor would add to each request.
final class EmulatorState: Sendable {
    private struct Storage {
        var databases: [EmulatedDatabase] = []
        var faults: [Fault] = []
        var requests: [RecordedRequest] = []
        var issuedTokens: [String: Date] = [:]
    }

    let configuration: DBSSEmulatorConfiguration
    private let storage = Mutex(Storage())

    init(configuration: DBSSEmulatorConfiguration) {
        self.configuration = configuration
    }

    /// The databases added so far, in order.
    func databases() -> [EmulatedDatabase] {
        storage.withLock { $0.databases }
    }

    /// Adds a validated database, enforcing the instance's limit and, if configured, uniqueness.
    func addDatabase(_ draft: DatabaseDraft, via version: DBSSAPIVersion) throws(APIError) -> EmulatedDatabase {
        let result: Result<EmulatedDatabase, APIError> = storage.withLock { storage in
            if storage.databases.count >= configuration.databaseLimit {
                return .failure(.databaseLimitExceeded)
            }
            if configuration.rejectDuplicates, storage.databases.contains(where: { Self.sameEndpoint($0, draft) }) {
                return .failure(.duplicateDatabase(ip: draft.ip, port: draft.port))
            }
            let database = EmulatedDatabase(draft: draft, id: Identifiers.databaseID(), apiVersion: version)
            storage.databases.append(database)
            return .success(database)
        }
        return try result.get()
    }

    /// Queues a fault behind those already queued; a fault with a count below 1 is ignored.
    func injectFault(_ fault: Fault) {
        guard fault.count > 0 else { return }
        storage.withLock { $0.faults.append(fault) }
    }

    /// Consumes one unit of the first queued fault that applies to `operation`.
    func takeFault(for operation: RecordedRequest.Operation) -> Fault.Action? {
        storage.withLock { storage in
            guard let index = storage.faults.firstIndex(where: { $0.applies(to: operation) }) else { return nil }
            let action = storage.faults[index].action
            storage.faults[index].count -= 1
            if storage.faults[index].count == 0 { storage.faults.remove(at: index) }
            return action
        }
    }

    /// Appends to the request log, dropping the oldest entries beyond the configured limit.
    func record(_ request: RecordedRequest) {
        let limit = configuration.requestLogLimit
        storage.withLock { storage in
            storage.requests.append(request)
            if storage.requests.count > limit {
                storage.requests.removeFirst(storage.requests.count - limit)
            }
        }
    }

    /// The request log, oldest first.
    func requestLog() -> [RecordedRequest] {
        storage.withLock { $0.requests }
    }

    /// Back to the state right after start: no databases, faults, log entries or issued tokens.
    func reset() {
        storage.withLock { $0 = Storage() }
    }

    /// Creates a new IAM token valid until `expiresAt`.
    func issueToken(expiresAt: Date) -> String {
        let token = Identifiers.token()
        storage.withLock { $0.issuedTokens[token] = expiresAt }
        return token
    }

    /// Makes every IAM-issued token expire at `now`; static tokens from the configuration stay valid.
    func expireIssuedTokens(now: Date) {
        storage.withLock { storage in
            for (token, expiresAt) in storage.issuedTokens where expiresAt > now {
                storage.issuedTokens[token] = now
            }
        }
    }

    /// Classifies the `X-Auth-Token` header value.
    func checkToken(_ token: String?, now: Date) -> TokenStatus {
        guard let token, !token.isEmpty else { return .missing }
        if configuration.validTokens.contains(token) { return .valid }
        guard let expiresAt = storage.withLock({ $0.issuedTokens[token] }) else { return .unknown }
        return expiresAt > now ? .valid : .expired(expiresAt)
    }

    /// Whether `database` has the same IP (compared canonically) and port as `draft`.
    private static func sameEndpoint(_ database: EmulatedDatabase, _ draft: DatabaseDraft) -> Bool {
        database.port == draft.port
            && DatabaseValidation.canonicalIPAddress(database.ip) == DatabaseValidation.canonicalIPAddress(draft.ip)
    }
}

extension EmulatedDatabase {
    init(draft: DatabaseDraft, id: String, apiVersion: DBSSAPIVersion) {
        self.init(
            id: id,
            dbClassification: draft.dbClassification,
            name: draft.name,
            type: draft.type,
            version: draft.version,
            charset: draft.charset,
            ip: draft.ip,
            port: draft.port,
            os: draft.os,
            instanceName: draft.instanceName,
            apiVersion: apiVersion
        )
    }
}
