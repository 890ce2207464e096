import AsyncHTTPClient
import DBScoutCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The DBSS API over HTTPS: add a self-built database, list the instance's databases.
public struct DBSSClient: Sendable {
    public let configuration: DBSSConfiguration
    private let http: HTTPClient
    private let logger: Logger

    /// The largest response body read; DBSS answers are small JSON documents.
    static let maxResponseBytes = 4 * 1024 * 1024

    public init(configuration: DBSSConfiguration, logger: Logger, http: HTTPClient) {
        self.configuration = configuration
        self.http = http
        self.logger = logger
    }

    /// Runs `body` with a client whose HTTP connections are set up for `configuration` and shut down afterwards.
    public static func withClient<Result>(
        configuration: DBSSConfiguration,
        logger: Logger,
        _ body: (DBSSClient) async throws -> Result
    ) async throws -> Result {
        var http = HTTPClient.Configuration()
        // Connection attempts are retried with backoff until this deadline, then the call fails as unreachable.
        http.timeout = .init(
            connect: TimeAmount(configuration.connectTimeout),
            read: TimeAmount(configuration.requestTimeout)
        )
        return try await HTTPClient.withHTTPClient(configuration: http) { client in
            try await body(DBSSClient(configuration: configuration, logger: logger, http: client))
        }
    }

    /// Registers a database and returns the id DBSS gave it.
    /// - Throws: ``DBSSError`` for any failure, with DBSS's error code and message when it sent one.
    public func addDatabase(_ database: DBSSDatabase) async throws -> String {
        let operation = "add database \(database.ip):\(database.port)"
        let body = try JSONEncoder().encode(DBSSAddDatabaseRequest(database: database))
        let data = try await exchange(.POST, configuration.addDatabasePath, body: body, operation: operation)
        guard let response = try? JSONDecoder().decode(DBSSAddDatabaseResponse.self, from: data),
            !response.id.isEmpty
        else {
            throw DBSSError(
                code: .unexpectedResponse,
                operation: operation,
                httpStatus: 200,
                errorMessage: "the 200 response has no database id"
            )
        }
        return response.id
    }

    /// Reads one page of the databases registered with the instance.
    public func listDatabases(offset: Int = 0, limit: Int = 100) async throws -> DBSSDatabasePage {
        let operation = "list databases"
        let path = configuration.listDatabasesPath + "?offset=\(offset)&limit=\(limit)"
        let data = try await exchange(.GET, path, body: nil, operation: operation)
        do {
            return try JSONDecoder().decode(DBSSDatabasePage.self, from: data)
        } catch {
            throw DBSSError(
                code: .unexpectedResponse,
                operation: operation,
                httpStatus: 200,
                errorMessage: "the list response does not follow the contract: \(error)"
            )
        }
    }

    /// Every database registered with the instance, page by page.
    public func allDatabases(pageSize: Int = 100) async throws -> [DBSSDatabase] {
        var collected: [DBSSDatabase] = []
        while true {
            let page = try await listDatabases(offset: collected.count, limit: pageSize)
            collected += page.databases
            if page.databases.isEmpty || collected.count >= page.total { return collected }
        }
    }

    private func exchange(_ method: HTTPMethod, _ path: String, body: Data?, operation: String) async throws -> Data {
        var request = HTTPClientRequest(url: configuration.endpoint + path)
        request.method = method
        request.headers.add(name: "Content-Type", value: "application/json;charset=UTF-8")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "X-Auth-Token", value: configuration.token.reveal())
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response: HTTPClientResponse
        let data: Data
        do {
            response = try await http.execute(request, timeout: TimeAmount(configuration.requestTimeout))
            let buffer = try await response.body.collect(upTo: DBSSClient.maxResponseBytes)
            data = Data(buffer.readableBytesView)
        } catch {
            // Transport errors never carry request headers, so the token cannot leak through them.
            throw DBSSError(code: .unreachable, operation: operation, errorMessage: "\(error)")
        }
        let status = Int(response.status.code)
        logger.debug("DBSS answered", metadata: ["operation": "\(operation)", "status": "\(status)"])
        guard status == 200 else {
            let parsed = DBSSErrorBody.parse(data)
            throw DBSSError(
                code: DBSSError.forStatus(status),
                operation: operation,
                httpStatus: status,
                errorCode: parsed.code,
                errorMessage: parsed.message,
                requestID: parsed.requestID ?? response.headers.first(name: "X-Request-Id")
            )
        }
        return data
    }
}
