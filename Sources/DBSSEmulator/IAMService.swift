import Foundation
import NIOHTTP1

/// The emulated IAM token endpoint, `POST /v3/auth/tokens` with the password method.
///
/// Behaviour where the docs are silent, modelled on Keystone (which IAM follows):
/// - The body must be JSON with `Content-Type: application/json` (any parameters), else 400.
/// - `auth.identity.methods` must be exactly `["password"]`; MFA (`totp`) is not emulated (400).
/// - A project scope (`auth.scope.project.name` or `.id`) is required: DBSS is a project-level
///   service, so an unscoped or domain-scoped token would be useless to the agent (400).
/// - Unknown user, wrong domain and wrong password all answer the same 401, so a client cannot
///   probe for user names; an unknown project answers 401 as Keystone does.
/// - `?nocatalog=…` (any non-empty value) drops `catalog` from the body; otherwise the catalog
///   lists one `dbss` endpoint pointing back at this emulator (taken from the `Host` header).
struct IAMService: Sendable {
    let state: EmulatorState

    /// Validates the credentials and issues a new token in the `X-Subject-Token` header.
    func issueToken(_ request: EmulatorRequest) throws(APIError) -> EmulatorResponse {
        guard DatabaseValidation.isJSONContentType(request.header("Content-Type")) else {
            throw .iam(.badRequest, "Content-Type must be application/json")
        }
        guard let body = JSONValue.parse(request.body), body.objectValue != nil else {
            throw .iam(.badRequest, "The request body is not a valid JSON object.")
        }
        let credentials = try PasswordCredentials(body)
        let user = try authenticate(credentials)
        try checkScope(credentials)
        let issuedAt = Date()
        let expiresAt = issuedAt.addingTimeInterval(Self.seconds(state.configuration.tokenLifetime))
        let token = state.issueToken(expiresAt: expiresAt)
        let includeCatalog = QueryString.first("nocatalog", in: QueryString.parse(request.query))?.isEmpty ?? true
        let response = tokenBody(
            user: user,
            issuedAt: issuedAt,
            expiresAt: expiresAt,
            catalogHost: includeCatalog ? request.header("Host") ?? state.configuration.host : nil
        )
        return .json(.created, response, headers: [("X-Subject-Token", token)])
    }

    /// IAM's timestamp format, e.g. `2024-05-01T10:00:00.123000Z` (microsecond precision).
    static func timestamp(_ date: Date) -> String {
        let text = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
        return text.hasSuffix("Z") ? String(text.dropLast()) + "000Z" : text
    }

    private func authenticate(_ credentials: PasswordCredentials) throws(APIError) -> IAMUser {
        let user = state.configuration.iamUsers.first { $0.name == credentials.name && $0.domain == credentials.domain }
        guard let user, ConstantTime.equals(user.password, credentials.password) else {
            throw .iam(.unauthorized, "The username or password is wrong.")
        }
        return user
    }

    private func checkScope(_ credentials: PasswordCredentials) throws(APIError) {
        let configuration = state.configuration
        let known =
            switch credentials.project {
            case .id(let id): id == configuration.projectID
            case .name(let name): name == configuration.projectName
            }
        guard known else { throw .iam(.unauthorized, "Could not find the requested project scope.") }
    }

    private func tokenBody(user: IAMUser, issuedAt: Date, expiresAt: Date, catalogHost: String?) -> TokenBody {
        let configuration = state.configuration
        let domain = TokenBody.Reference(id: Identifiers.stableID(for: "domain:" + user.domain), name: user.domain)
        let project = TokenBody.Project(id: configuration.projectID, name: configuration.projectName, domain: domain)
        let catalog = catalogHost.map { host in
            [TokenBody.Service(endpointURL: "http://\(host)", region: configuration.projectName)]
        }
        let token = TokenBody.Token(
            expiresAt: Self.timestamp(expiresAt),
            issuedAt: Self.timestamp(issuedAt),
            methods: ["password"],
            project: project,
            user: TokenBody.User(
                id: Identifiers.stableID(for: "user:\(user.domain)/\(user.name)"),
                name: user.name,
                domain: domain
            ),
            roles: [TokenBody.Reference(id: Identifiers.stableID(for: "role:dbss"), name: "DBSS FullAccess")],
            catalog: catalog
        )
        return TokenBody(token: token)
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}

/// The parts of a password-method token request the emulator uses.
private struct PasswordCredentials {
    enum ProjectScope {
        case id(String)
        case name(String)
    }

    var name: String
    var password: String
    var domain: String
    var project: ProjectScope

    init(_ body: JSONValue) throws(APIError) {
        guard case .array(let methods)? = body["auth", "identity", "methods"], methods == [.string("password")] else {
            throw .iam(.badRequest, "auth.identity.methods must be [\"password\"].")
        }
        let user = ["auth", "identity", "password", "user"]
        name = try Self.string(body, user + ["name"])
        password = try Self.string(body, user + ["password"])
        domain = try Self.string(body, user + ["domain", "name"])
        if let id = body["auth", "scope", "project", "id"]?.stringValue, !id.isEmpty {
            project = .id(id)
        } else if let name = body["auth", "scope", "project", "name"]?.stringValue, !name.isEmpty {
            project = .name(name)
        } else {
            throw .iam(.badRequest, "auth.scope.project.name or auth.scope.project.id is required.")
        }
    }

    private static func string(_ body: JSONValue, _ path: [String]) throws(APIError) -> String {
        var current: JSONValue? = body
        for key in path {
            current = current?.objectValue?[key]
        }
        guard let value = current?.stringValue, !value.isEmpty else {
            throw .iam(.badRequest, "\(path.joined(separator: ".")) is required and must be a non-empty string.")
        }
        return value
    }
}

/// The token response body (a subset of Keystone's: no `catalog` details beyond DBSS).
private struct TokenBody: Encodable {
    struct Reference: Encodable {
        var id: String
        var name: String
    }

    struct Project: Encodable {
        var id: String
        var name: String
        var domain: Reference
    }

    struct User: Encodable {
        var id: String
        var name: String
        var domain: Reference
        var passwordExpiresAt = ""
    }

    struct Endpoint: Encodable {
        var id: String
        var interface = "public"
        var region: String
        var regionId: String
        var url: String
    }

    struct Service: Encodable {
        var id: String
        var name = "dbss"
        var type = "dbss"
        var endpoints: [Endpoint]

        init(endpointURL: String, region: String) {
            id = Identifiers.stableID(for: "service:dbss")
            let endpointID = Identifiers.stableID(for: "endpoint:dbss:" + region)
            endpoints = [Endpoint(id: endpointID, region: region, regionId: region, url: endpointURL)]
        }
    }

    struct Token: Encodable {
        var expiresAt: String
        var issuedAt: String
        var methods: [String]
        var project: Project
        var user: User
        var roles: [Reference]
        var catalog: [Service]?
    }

    var token: Token
}
