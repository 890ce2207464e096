import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A local emulator of the Huawei Cloud DBSS API (and the IAM token endpoint) over real HTTP/1.1.
///
/// Start one per test on an ephemeral port, point the client under test at ``baseURL``, then assert
/// on ``databases()`` and ``requestLog()``. Always call ``shutdown()`` when done.
///
/// ```swift
/// let emulator = try await DBSSEmulator.start(.init(validTokens: ["test-token"]))
/// // POST emulator.baseURL + emulator.addDatabasePath(.v2) with X-Auth-Token: test-token, then:
/// #expect(emulator.databases().count == 1)
/// try await emulator.shutdown()
/// ```
public final class DBSSEmulator: Sendable {
    /// The configuration the emulator was started with (`port` as configured, possibly 0).
    public let configuration: DBSSEmulatorConfiguration
    /// The TCP port actually listened on.
    public let port: Int
    /// `http://HOST:PORT`, with IPv6 hosts in brackets and a wildcard listen address replaced by
    /// the loopback address so the URL can be used by a client as is.
    public let baseURL: String

    private let state: EmulatorState
    private let serverChannel: any Channel
    private let connections: ConnectionRegistry
    private let logger: Logger

    private init(
        configuration: DBSSEmulatorConfiguration,
        port: Int,
        state: EmulatorState,
        serverChannel: any Channel,
        connections: ConnectionRegistry,
        logger: Logger
    ) {
        self.configuration = configuration
        self.port = port
        self.baseURL = "http://\(Self.urlHost(configuration.host)):\(port)"
        self.state = state
        self.serverChannel = serverChannel
        self.connections = connections
        self.logger = logger
    }

    /// Binds the listening socket and starts serving.
    ///
    /// - Parameters:
    ///   - configuration: Instance, credentials and limits to emulate.
    ///   - logger: Receives the start line at `info` and one line per request at `debug`
    ///     (method, path, status; never headers or bodies, which hold tokens and passwords).
    ///     Defaults to a logger that discards everything, so test output stays quiet.
    /// - Returns: The running emulator.
    /// - Throws: ``DBSSEmulatorError`` with code `invalidConfiguration` or `bindFailed`.
    public static func start(
        _ configuration: DBSSEmulatorConfiguration = DBSSEmulatorConfiguration(),
        logger: Logger = Logger(label: "dbss-emulator", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> DBSSEmulator {
        try configuration.validate()
        let state = EmulatorState(configuration: configuration)
        let processor = RequestProcessor(state: state, logger: logger)
        let connections = ConnectionRegistry()
        let channel = try await bind(configuration, processor: processor, connections: connections)
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw DBSSEmulatorError(.bindFailed, "listening socket has no local port")
        }
        let emulator = DBSSEmulator(
            configuration: configuration,
            port: port,
            state: state,
            serverChannel: channel,
            connections: connections,
            logger: logger
        )
        logger.info("DBSS emulator listening", metadata: ["address": "\(configuration.host):\(port)"])
        return emulator
    }

    /// Stops listening and closes every open connection; calling it again does nothing.
    public func shutdown() async throws {
        let open = connections.shutDown()
        do {
            try await serverChannel.close()
        } catch ChannelError.alreadyClosed {
            return
        }
        for channel in open {
            try? await channel.close()
        }
        logger.info("DBSS emulator stopped", metadata: ["port": "\(port)"])
    }

    /// The databases added so far, in the order they were added, with their IDs.
    public func databases() -> [EmulatedDatabase] {
        state.databases()
    }

    /// Queues `fault` for the next matching requests (see ``Fault``).
    public func injectFault(_ fault: Fault) {
        state.injectFault(fault)
    }

    /// Forgets all databases, queued faults, logged requests and IAM-issued tokens; static tokens
    /// from the configuration stay valid.
    public func reset() {
        state.reset()
    }

    /// Makes every token issued by the emulated IAM endpoint expire now, as if a day had passed: the
    /// next DBSS request with one answers 401 `APIGW.0301` "token expires". Static tokens from the
    /// configuration stay valid. Same as `POST /_emulator/expire-tokens`.
    public func expireTokens() {
        state.expireIssuedTokens(now: Date())
    }

    /// How many client connections are open right now (idle keep-alive ones included).
    public func openConnectionCount() -> Int {
        connections.count
    }

    /// Every request served so far (admin routes excluded), oldest first.
    public func requestLog() -> [RecordedRequest] {
        state.requestLog()
    }

    /// How many logged requests match all the given criteria; `nil` criteria match anything.
    ///
    /// - Parameters:
    ///   - operation: Only requests for this operation.
    ///   - status: Only requests answered with this status.
    public func requestCount(_ operation: RecordedRequest.Operation? = nil, status: Int? = nil) -> Int {
        state.requestLog().count { entry in
            (operation == nil || entry.operation == operation) && (status == nil || entry.status == status)
        }
    }

    /// The add-database path for this project and instance, e.g. `/v2/{project}/audit/{instance}/databases`.
    public func addDatabasePath(_ version: DBSSAPIVersion = .v2) -> String {
        switch version {
        case .v1: "/v1/\(configuration.projectID)/\(configuration.instanceID)/audit/databases"
        case .v2: "/v2/\(configuration.projectID)/audit/\(configuration.instanceID)/databases"
        }
    }

    /// The list-databases path for this project and instance.
    public func listDatabasesPath(_ version: DBSSAPIVersion = .v2) -> String {
        switch version {
        case .v1: "/v1/\(configuration.projectID)/\(configuration.instanceID)/dbss/audit/databases"
        case .v2: "/v2/\(configuration.projectID)/audit/\(configuration.instanceID)/databases"
        }
    }

    /// The (current) list-instances path for this project, `/v1/{project}/audit/instances`.
    public var listInstancesPath: String {
        listInstancesPath(.v2)
    }

    /// The list-instances path of a generation: the old `/v1/{project}/dbss/audit/instances` for
    /// `v1`, the current `/v1/{project}/audit/instances` (a replacement despite its `v1`) for `v2`.
    public func listInstancesPath(_ version: DBSSAPIVersion) -> String {
        switch version {
        case .v1: "/v1/\(configuration.projectID)/dbss/audit/instances"
        case .v2: "/v1/\(configuration.projectID)/audit/instances"
        }
    }

    private static func bind(
        _ configuration: DBSSEmulatorConfiguration,
        processor: RequestProcessor,
        connections: ConnectionRegistry
    ) async throws -> any Channel {
        let maxBodySize = configuration.maxBodySize
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                guard connections.register(channel) else {
                    return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
                }
                return channel.eventLoop.makeCompletedFuture {
                    let handler = HTTPHandler(processor: processor, maxBodySize: maxBodySize)
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        do {
            return try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            throw DBSSEmulatorError(
                .bindFailed,
                "cannot listen on \(configuration.host):\(configuration.port): \(error)"
            )
        }
    }

    /// The host as it must appear in a URL.
    private static func urlHost(_ host: String) -> String {
        switch host {
        case "0.0.0.0": "127.0.0.1"
        case "::", "[::]": "[::1]"
        default: host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        }
    }
}
