import Foundation
import Logging
import NIOHTTP1

/// Turns a received request into an outcome: routing, injected faults, authentication, logging.
///
/// Order of checks, as the layers of the real cloud would apply them: route (404/405), then any
/// injected fault, then the token (401), the project (403) and the instance ID (400), and only then
/// the request body. Admin routes skip faults and authentication and are not recorded in the
/// request log, so assertions on the log only see the traffic of the client under test.
struct RequestProcessor: Sendable {
    /// Injected delays are capped, so a typo cannot park a connection for days.
    static let maximumDelay = Duration.seconds(600)

    let state: EmulatorState
    let logger: Logger

    /// Serves one request and records it in the request log.
    func process(_ request: EmulatorRequest) -> RequestOutcome {
        let requestID = Identifiers.requestID()
        let match = RouteTable.match(method: request.method, path: request.path)
        let (outcome, faulted) = serve(match, request, requestID: requestID)
        record(request, match: match, outcome: outcome, faulted: faulted)
        return outcome.adding(header: ("X-Request-Id", requestID))
    }

    /// The answer for a body over the size cap; the body was discarded unread.
    func rejectOversized(_ request: EmulatorRequest) -> EmulatorResponse {
        let requestID = Identifiers.requestID()
        var response = EmulatorResponse.error(.bodyTooLarge, requestID: requestID)
        response.headers.append(("X-Request-Id", requestID))
        let match = RouteTable.match(method: request.method, path: request.path)
        record(request, match: match, outcome: .respond(response), faulted: false)
        return response
    }

    private func serve(_ match: RouteMatch, _ request: EmulatorRequest, requestID: String) -> (RequestOutcome, Bool) {
        switch match {
        case .notFound:
            return (.respond(.error(.notFound, requestID: requestID)), false)
        case .methodNotAllowed(let allowed):
            return (.respond(.error(.methodNotAllowed(allowed: allowed), requestID: requestID)), false)
        case .found(let route) where route.operation == .admin:
            return (.respond(AdminService(state: state).handle(route, request)), false)
        case .found(let route):
            return serveWithFaults(route, request, requestID: requestID)
        }
    }

    private func serveWithFaults(
        _ route: Route,
        _ request: EmulatorRequest,
        requestID: String
    ) -> (RequestOutcome, Bool) {
        guard let fault = state.takeFault(for: route.operation) else {
            return (.respond(respond(route, request, requestID: requestID)), false)
        }
        switch fault {
        case .fail(let status, let code, let message):
            let shape: APIError.Shape = route == .issueToken ? .keystone : .dbss
            let error = APIError.injected(status: status, code: code, message: message, shape: shape)
            return (.respond(.error(error, requestID: requestID)), true)
        case .delay(let duration):
            let bounded = min(max(duration, .zero), Self.maximumDelay)
            return (.respondAfter(bounded, respond(route, request, requestID: requestID)), true)
        case .closeConnection:
            return (.closeConnection, true)
        }
    }

    private func respond(_ route: Route, _ request: EmulatorRequest, requestID: String) -> EmulatorResponse {
        let audit = AuditService(state: state)
        do throws(APIError) {
            switch route {
            case .issueToken:
                return try IAMService(state: state).issueToken(request)
            case .addDatabase(let version, let projectID, let instanceID):
                try authorize(request, projectID: projectID, instanceID: instanceID)
                return try audit.addDatabase(request, version: version)
            case .listDatabases(_, let projectID, let instanceID):
                try authorize(request, projectID: projectID, instanceID: instanceID)
                return try audit.listDatabases(request)
            case .listInstances(let projectID):
                try authorize(request, projectID: projectID, instanceID: nil)
                return try audit.listInstances(request)
            case .adminDatabases, .adminRequests, .adminFaults, .adminReset:
                return AdminService(state: state).handle(route, request)
            }
        } catch {
            return .error(error, requestID: requestID)
        }
    }

    /// Token, then project, then instance: the gateway authenticates before DBSS looks at IDs.
    private func authorize(_ request: EmulatorRequest, projectID: String, instanceID: String?) throws(APIError) {
        switch state.checkToken(request.header("X-Auth-Token"), now: Date()) {
        case .missing: throw .tokenNotFound
        case .unknown: throw .tokenInvalid
        case .expired(let expiresAt): throw .tokenExpired(expiresAt: IAMService.timestamp(expiresAt))
        case .valid: break
        }
        guard projectID == state.configuration.projectID else { throw .projectMismatch }
        if let instanceID, instanceID != state.configuration.instanceID { throw .invalidInstanceID }
    }

    /// Logs method, path and status only: headers and bodies may hold tokens and passwords.
    private func record(_ request: EmulatorRequest, match: RouteMatch, outcome: RequestOutcome, faulted: Bool) {
        var route: Route?
        if case .found(let found) = match { route = found }
        let operation = route?.operation ?? .unknown
        let status = outcome.status
        logger.debug(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)",
                "path": "\(request.path)",
                "status": "\(status.map(String.init) ?? "closed")",
                "fault": "\(faulted)",
            ]
        )
        guard operation != .admin else { return }
        let entry = RecordedRequest(
            method: request.method.rawValue,
            path: request.path,
            operation: operation,
            apiVersion: route?.apiVersion,
            status: status,
            faultInjected: faulted
        )
        state.record(entry)
    }
}

extension RequestOutcome {
    /// The status that will be answered, `nil` when the connection is closed instead.
    var status: Int? {
        switch self {
        case .respond(let response), .respondAfter(_, let response): Int(response.status.code)
        case .closeConnection: nil
        }
    }

    func adding(header: (String, String)) -> RequestOutcome {
        switch self {
        case .respond(var response):
            response.headers.append(header)
            return .respond(response)
        case .respondAfter(let delay, var response):
            response.headers.append(header)
            return .respondAfter(delay, response)
        case .closeConnection:
            return .closeConnection
        }
    }
}
