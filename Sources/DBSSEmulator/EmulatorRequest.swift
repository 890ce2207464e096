import NIOHTTP1

/// A fully received HTTP request, detached from the channel so the logic can run on plain values.
struct EmulatorRequest: Sendable {
    var method: HTTPMethod
    /// The path part of the request target, without the query string.
    var path: String
    /// The query string without the `?`, `nil` when absent.
    var query: String?
    var headers: HTTPHeaders
    var body: [UInt8]

    init(head: HTTPRequestHead, body: [UInt8]) {
        let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.method = head.method
        self.path = parts.first.map(String.init) ?? ""
        self.query = parts.count > 1 ? String(parts[1]) : nil
        self.headers = head.headers
        self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first(name: name)
    }
}

/// What the channel handler should do with a processed request.
enum RequestOutcome: Sendable {
    case respond(EmulatorResponse)
    /// Write the response only after the delay (an injected slow backend).
    case respondAfter(Duration, EmulatorResponse)
    /// Close the connection without answering (an injected backend crash).
    case closeConnection
}
