import NIOHTTP1

/// A request the emulator knows how to serve, with the values captured from its path.
enum Route: Sendable, Equatable {
    case addDatabase(DBSSAPIVersion, projectID: String, instanceID: String)
    case listDatabases(DBSSAPIVersion, projectID: String, instanceID: String)
    case listInstances(DBSSAPIVersion, projectID: String)
    case issueToken
    case adminDatabases
    case adminRequests
    case adminFaults
    case adminReset
    case adminExpireTokens

    /// The operation recorded in the request log.
    var operation: RecordedRequest.Operation {
        switch self {
        case .addDatabase: .addDatabase
        case .listDatabases: .listDatabases
        case .listInstances: .listInstances
        case .issueToken: .issueToken
        case .adminDatabases, .adminRequests, .adminFaults, .adminReset, .adminExpireTokens: .admin
        }
    }

    /// The API generation of a DBSS route: the deprecated paths are `v1`, their replacements `v2`
    /// (the current instance list, `/v1/{project}/audit/instances`, belongs to the replacements).
    var apiVersion: DBSSAPIVersion? {
        switch self {
        case .addDatabase(let version, _, _), .listDatabases(let version, _, _), .listInstances(let version, _): version
        default: nil
        }
    }
}

/// The outcome of looking a method and path up in the ``RouteTable``.
enum RouteMatch: Sendable, Equatable {
    case found(Route)
    /// The path exists but not for this method; carries the methods it does serve.
    case methodNotAllowed([HTTPMethod])
    case notFound
    /// The path belongs only to API generations that are switched off; carries the route when the
    /// method matched too, so the attempt can be logged as what it was for.
    case unpublished(Route?)
}

/// The emulated API surface: every path pattern with its method.
///
/// Paths are matched segment by segment on the raw (not percent-decoded) path, as the real
/// gateway routes on the literal URI; a trailing slash or a doubled slash is a different path.
enum RouteTable {
    private struct Pattern: Sendable {
        var method: HTTPMethod
        var segments: [String]
        var build: @Sendable ([String: String]) -> Route
    }

    private static let patterns: [Pattern] = [
        Pattern(method: .POST, segments: ["v1", "{p}", "{i}", "audit", "databases"]) {
            .addDatabase(.v1, projectID: $0["p", default: ""], instanceID: $0["i", default: ""])
        },
        Pattern(method: .POST, segments: ["v2", "{p}", "audit", "{i}", "databases"]) {
            .addDatabase(.v2, projectID: $0["p", default: ""], instanceID: $0["i", default: ""])
        },
        Pattern(method: .GET, segments: ["v1", "{p}", "{i}", "dbss", "audit", "databases"]) {
            .listDatabases(.v1, projectID: $0["p", default: ""], instanceID: $0["i", default: ""])
        },
        Pattern(method: .GET, segments: ["v2", "{p}", "audit", "{i}", "databases"]) {
            .listDatabases(.v2, projectID: $0["p", default: ""], instanceID: $0["i", default: ""])
        },
        Pattern(method: .GET, segments: ["v1", "{p}", "audit", "instances"]) {
            .listInstances(.v2, projectID: $0["p", default: ""])
        },
        Pattern(method: .GET, segments: ["v1", "{p}", "dbss", "audit", "instances"]) {
            .listInstances(.v1, projectID: $0["p", default: ""])
        },
        Pattern(method: .POST, segments: ["v3", "auth", "tokens"]) { _ in .issueToken },
        Pattern(method: .GET, segments: ["_emulator", "databases"]) { _ in .adminDatabases },
        Pattern(method: .GET, segments: ["_emulator", "requests"]) { _ in .adminRequests },
        Pattern(method: .POST, segments: ["_emulator", "faults"]) { _ in .adminFaults },
        Pattern(method: .POST, segments: ["_emulator", "reset"]) { _ in .adminReset },
        Pattern(method: .POST, segments: ["_emulator", "expire-tokens"]) { _ in .adminExpireTokens },
    ]

    /// Finds the route for `method` and `path` (the path without its query string) among the routes
    /// of the `published` API generations; routes of no generation (IAM, admin) are always served.
    static func match(method: HTTPMethod, path: String, published: Set<DBSSAPIVersion>) -> RouteMatch {
        guard path.hasPrefix("/") else { return .notFound }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var allowed: [HTTPMethod] = []
        var pathUnpublished = false
        var unpublishedRoute: Route?
        for pattern in patterns {
            guard let captures = captures(of: pattern, in: segments) else { continue }
            let route = pattern.build(captures)
            if let version = route.apiVersion, !published.contains(version) {
                pathUnpublished = true
                if pattern.method == method { unpublishedRoute = route }
            } else if pattern.method == method {
                return .found(route)
            } else {
                allowed.append(pattern.method)
            }
        }
        if !allowed.isEmpty { return .methodNotAllowed(allowed) }
        return pathUnpublished ? .unpublished(unpublishedRoute) : .notFound
    }

    /// The `{name}` captures when `segments` fit `pattern`; an empty segment never fills a capture.
    private static func captures(of pattern: Pattern, in segments: [String]) -> [String: String]? {
        guard pattern.segments.count == segments.count else { return nil }
        var captures: [String: String] = [:]
        for (expected, actual) in zip(pattern.segments, segments) {
            if expected.hasPrefix("{") {
                guard !actual.isEmpty else { return nil }
                captures[String(expected.dropFirst().dropLast())] = actual
            } else if expected != actual {
                return nil
            }
        }
        return captures
    }
}
