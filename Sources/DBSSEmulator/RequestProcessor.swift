import Foundation
import Logging
import NIOHTTP1

/// Turns a received request into an outcome: routing, injected faults, authentication, logging.
///
/// Order of checks, as the layers of the real cloud would apply them: route (404/405, and 404
/// `APIGW.0101` for a generation that is switched off), then any injected fault, then the token or
/// AK/SK signature (401) and `X-Project-Id` (403), the project in the path (403) and the instance
/// ID (400), and only then the request body. Admin routes skip faults and authentication and are
/// not recorded in the request log, so assertions on the log only see the traffic of the client
/// under test.
struct RequestProcessor: Sendable {
    /// Injected delays are capped, so a typo cannot park a connection for days.
    static let maximumDelay = Duration.seconds(600)

    let state: EmulatorState
    let logger: Logger

    /// Serves one request and records it in the request log.
    func process(_ request: EmulatorRequest) -> RequestOutcome {
        let requestID = Identifiers.requestID()
        let match = self.match(request)
        let (outcome, faulted) = serve(match, request, requestID: requestID)
        record(request, match: match, outcome: outcome, faulted: faulted)
        return outcome.adding(header: ("X-Request-Id", requestID))
    }

    /// The answer for a body over the size cap; the body was discarded unread.
    func rejectOversized(_ request: EmulatorRequest) -> EmulatorResponse {
        let requestID = Identifiers.requestID()
        var response = EmulatorResponse.error(.bodyTooLarge, requestID: requestID)
        response.headers.append(("X-Request-Id", requestID))
        record(request, match: match(request), outcome: .respond(response), faulted: false)
        return response
    }

    private func match(_ request: EmulatorRequest) -> RouteMatch {
        RouteTable.match(method: request.method, path: request.path, published: state.configuration.apiVersions)
    }

    private func serve(_ match: RouteMatch, _ request: EmulatorRequest, requestID: String) -> (RequestOutcome, Bool) {
        switch match {
        case .notFound:
            return (.respond(.error(.notFound, requestID: requestID)), false)
        case .methodNotAllowed(let allowed):
            return (.respond(.error(.methodNotAllowed(allowed: allowed), requestID: requestID)), false)
        case .unpublished:
            return (.respond(.error(.apiNotPublished, requestID: requestID)), false)
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
        case .fail(let status, let code, let message, let retryAfter):
            let error = APIError.injected(
                status: status,
                code: code,
                message: message,
                retryAfter: retryAfter,
                isIAMRoute: route == .issueToken
            )
            return (.respond(.error(error, requestID: requestID)), true)
        case .delay(let duration):
            let bounded = min(max(duration, .zero), Self.maximumDelay)
            return (.respondAfter(bounded, respond(route, request, requestID: requestID)), true)
        case .closeConnection:
            return (.closeConnection, true)
        case .dropAfterEffect:
            _ = respond(route, request, requestID: requestID)
            return (.closeConnection, true)
        case .expireTokens:
            state.expireIssuedTokens(now: Date())
            return (.respond(respond(route, request, requestID: requestID)), true)
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
            case .listInstances(_, let projectID):
                try authorize(request, projectID: projectID, instanceID: nil)
                return try audit.listInstances(request)
            case .adminDatabases, .adminRequests, .adminFaults, .adminReset, .adminExpireTokens:
                return AdminService(state: state).handle(route, request)
            }
        } catch {
            return .error(error, requestID: requestID)
        }
    }

    /// Credentials, then project, then instance: the gateway authenticates before DBSS looks at IDs.
    private func authorize(_ request: EmulatorRequest, projectID: String, instanceID: String?) throws(APIError) {
        let configuration = state.configuration
        switch RecordedRequest.Authentication(request) {
        case .accessKey:
            try AKSKVerifier(accessKeys: configuration.accessKeys).verify(request, now: Date())
            // The SDKs send the project as X-Project-Id with AK/SK; the gateway scopes the key by it.
            if let project = request.header("X-Project-Id"), project != configuration.projectID {
                throw .projectUnavailable
            }
        case .token, nil:
            switch state.checkToken(request.header("X-Auth-Token"), now: Date()) {
            case .missing: throw .tokenNotFound
            case .unknown: throw .tokenInvalid
            case .expired(let expiresAt): throw .tokenExpired(expiresAt: IAMService.timestamp(expiresAt))
            case .valid: break
            }
        }
        guard projectID == configuration.projectID else { throw .projectMismatch }
        if let instanceID, instanceID != configuration.instanceID { throw .invalidInstanceID }
    }

    /// Logs method, path and status only: headers and bodies may hold tokens and passwords.
    private func record(_ request: EmulatorRequest, match: RouteMatch, outcome: RequestOutcome, faulted: Bool) {
        let route = match.route
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
            faultInjected: faulted,
            authentication: RecordedRequest.Authentication(request)
        )
        state.record(entry)
    }
}

extension RouteMatch {
    /// The route the request was for, also when its generation is switched off.
    var route: Route? {
        switch self {
        case .found(let route): route
        case .unpublished(let route): route
        case .methodNotAllowed, .notFound: nil
        }
    }
}

extension RecordedRequest.Authentication {
    /// What the request presents: a non-empty `X-Auth-Token` wins, else an AK/SK signature.
    init?(_ request: EmulatorRequest) {
        if let token = request.header("X-Auth-Token"), !token.isEmpty {
            self = .token
        } else if AKSKVerifier.isSigned(request) {
            self = .accessKey
        } else {
            return nil
        }
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
