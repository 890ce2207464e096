import AsyncHTTPClient
import DBScoutCore
import Foundation
import Logging
import NIOHTTP1

/// The DBSS API over HTTPS: add a self-built database, list the instance's databases, read the audit instance.
///
/// Every call is paced by the configured rate limit, authenticated (static token, cached IAM token, or AK/SK
/// signature), and retried per the ``DBSSRetryPolicy`` when its failure may heal. An add whose answer was lost
/// after sending is never repeated: it fails with ``DBSSError/Code/uncertain`` so the caller can look at the
/// list first. A 401 with IAM credentials renews the token once and repeats the call once.
public struct DBSSClient: Sendable {
    public let configuration: DBSSConfiguration
    private let logger: Logger
    private let executor: RetryingExecutor
    private let authenticator: RequestAuthenticator
    private let generations: APIGenerationChoice

    /// A client sending through `http`, which the caller set up (TLS, proxy) and shuts down.
    public init(configuration: DBSSConfiguration, logger: Logger, http: HTTPClient) {
        self.configuration = configuration
        self.logger = logger
        let transport = HTTPTransport(http: http, timeout: configuration.requestTimeout)
        executor = RetryingExecutor(
            transport: transport,
            policy: configuration.retryPolicy,
            limiter: TokenBucket(configuration.rateLimit),
            logger: logger
        )
        let iamExecutor = RetryingExecutor(
            transport: transport,
            policy: configuration.retryPolicy,
            limiter: nil,
            logger: logger
        )
        authenticator = RequestAuthenticator(
            configuration.authentication,
            projectID: configuration.projectID,
            iamExecutor: iamExecutor,
            logger: logger
        )
        generations = APIGenerationChoice(configuration.apiVersion)
    }

    /// Runs `body` with a client whose HTTP connections are set up for `configuration` (deadlines, CA bundle,
    /// proxy) and shut down afterwards.
    /// - Throws: ``DBSSError`` with code ``DBSSError/Code/invalidConfiguration`` for an unusable endpoint,
    ///   CA bundle or proxy; whatever `body` throws.
    public static func withClient<Result>(
        configuration: DBSSConfiguration,
        logger: Logger,
        _ body: (DBSSClient) async throws -> Result
    ) async throws -> Result {
        try Self.checkEndpoint(configuration.endpoint)
        if case .iam(let credentials) = configuration.authentication { try Self.checkEndpoint(credentials.endpoint) }
        let http = try configuration.httpClientConfiguration()
        return try await HTTPClient.withHTTPClient(configuration: http) { client in
            try await body(DBSSClient(configuration: configuration, logger: logger, http: client))
        }
    }

    /// The path generation calls go to now; with ``DBSSAPIVersion/auto``, v2 until a fallback to v1.
    public var apiGeneration: DBSSAPIVersion { generations.current }

    /// Registers a database and returns the id DBSS gave it.
    /// - Throws: ``DBSSError`` for any failure, with DBSS's error code and message when it sent one, and
    ///   ``DBSSError/Code/uncertain`` when the request may have been applied without an answer.
    public func addDatabase(_ database: DBSSDatabase) async throws -> String {
        let operation = "add database \(database.ip):\(database.port)"
        let body = try JSONEncoder().encode(DBSSAddDatabaseRequest(database: database))
        let data = try await call(.POST, operation, idempotent: false, body: Array(body)) {
            configuration.addDatabasePath($0)
        }
        guard let response = try? JSONDecoder().decode(DBSSAddDatabaseResponse.self, from: data),
            !response.id.isEmpty
        else {
            // DBSS said yes, so the database is probably there; only the list can tell its id.
            throw DBSSError(
                code: .unexpectedResponse,
                operation: operation,
                httpStatus: 200,
                errorMessage: "the 200 response has no database id",
                action: .reconcile
            )
        }
        return response.id
    }

    /// Reads one page of the databases registered with the instance.
    public func listDatabases(offset: Int = 0, limit: Int = 100) async throws -> DBSSDatabasePage {
        let operation = "list databases"
        let data = try await call(.GET, operation, idempotent: true) {
            configuration.listDatabasesPath($0) + "?offset=\(offset)&limit=\(limit)"
        }
        return try Self.decode(DBSSDatabasePage.self, from: data, operation: operation)
    }

    /// Every database registered with the instance, page by page.
    public func allDatabases(pageSize: Int = 100) async throws -> [DBSSDatabase] {
        try await Self.collect(pageSize: pageSize) { offset, limit in
            let page = try await listDatabases(offset: offset, limit: limit)
            return (page.databases, page.total)
        }
    }

    /// Reads one page of the project's audit instances.
    public func listAuditInstances(offset: Int = 0, limit: Int = 100) async throws -> DBSSAuditInstancePage {
        let operation = "list audit instances"
        let data = try await call(.GET, operation, idempotent: true) {
            configuration.listInstancesPath($0) + "?offset=\(offset)&limit=\(limit)"
        }
        return try Self.decode(DBSSAuditInstancePage.self, from: data, operation: operation)
    }

    /// The configured audit instance with its capacity (`database_limit`, `config_num`) and status, for a
    /// pre-check before adding.
    /// - Throws: ``DBSSError`` with code ``DBSSError/Code/notFound`` when the project has no such instance.
    public func auditInstance() async throws -> DBSSAuditInstance {
        let instances = try await Self.collect(pageSize: 100) { offset, limit in
            let page = try await listAuditInstances(offset: offset, limit: limit)
            return (page.servers, page.total)
        }
        guard let instance = instances.first(where: { $0.id == configuration.instanceID }) else {
            throw DBSSError(
                code: .notFound,
                operation: "read audit instance \(configuration.instanceID)",
                errorMessage: "the project's \(instances.count) audit instance(s) do not include it"
            )
        }
        return instance
    }

    /// One DBSS call: the generation fallback and the single IAM renewal around the retrying executor.
    private func call(
        _ method: HTTPMethod,
        _ operation: String,
        idempotent: Bool,
        body: [UInt8] = [],
        path: (DBSSAPIVersion) -> String
    ) async throws -> Data {
        var renewed = false
        while true {
            let generation = generations.current
            var sentToken: Secret?
            do {
                let canReauthenticate = authenticator.canReauthenticate && !renewed
                let response = try await executor.run(
                    operation,
                    idempotent: idempotent,
                    canReauthenticate: canReauthenticate
                ) {
                    var request = OutgoingRequest(
                        method: method,
                        url: configuration.endpoint + path(generation),
                        headers: Self.headers(for: method),
                        body: body
                    )
                    sentToken = try await authenticator.authorize(&request)
                    return request
                }
                generations.confirm(generation)
                return response.body
            } catch let error as DBSSError where error.operation == operation {
                // (An IAM failure while authorizing names its own operation and passes straight through.)
                if generations.fallBack(from: generation, after: error) {
                    logger.notice("DBSS has no v2 API here (404); using the v1 paths from now on")
                    continue
                }
                guard error.action == .reauthenticate else { throw error }
                logger.info("DBSS refused the IAM token; obtaining a new one", metadata: ["operation": "\(operation)"])
                renewed = true
                await authenticator.renew(after: sentToken)
            }
        }
    }

    /// Content types as the SDKs send them: with a charset on requests that have a body.
    private static func headers(for method: HTTPMethod) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: method == .GET ? "application/json" : "application/json;charset=UTF-8")
        headers.add(name: "Accept", value: "application/json")
        return headers
    }

    /// Pages through a list until a short or empty page or `total` entries.
    private static func collect<Element>(
        pageSize: Int,
        page: (_ offset: Int, _ limit: Int) async throws -> ([Element], total: Int)
    ) async throws -> [Element] {
        var collected: [Element] = []
        while true {
            let (entries, total) = try await page(collected.count, pageSize)
            collected += entries
            if entries.isEmpty || collected.count >= total { return collected }
        }
    }

    private static func decode<Value: Decodable>(_ type: Value.Type, from data: Data, operation: String) throws -> Value
    {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw DBSSError(
                code: .unexpectedResponse,
                operation: operation,
                httpStatus: 200,
                errorMessage: "the answer does not follow the contract: \(error)"
            )
        }
    }

    /// An http(s) URL with a host, or an ``DBSSError/Code/invalidConfiguration`` error naming it.
    private static func checkEndpoint(_ endpoint: String) throws(DBSSError) {
        guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
            url.host(percentEncoded: false)?.isEmpty == false
        else {
            throw DBSSError(
                code: .invalidConfiguration,
                operation: "configure the client",
                errorMessage: "the endpoint \(DBSSConfiguration.redactingCredentials(endpoint)) is not an http(s) URL"
            )
        }
    }
}
