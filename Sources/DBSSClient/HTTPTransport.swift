import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// One HTTP request as the client sends it, before authentication headers are added.
struct OutgoingRequest: Sendable {
    var method: HTTPMethod
    var url: String
    var headers: HTTPHeaders
    var body: [UInt8]
    /// Credentials the request carries, cut out of any error text: API Gateway echoes the signed headers, a
    /// security token included, when a signature does not verify.
    var secrets: [String] = []
}

/// An HTTP answer, any status.
struct IncomingResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data
}

/// A request that got no HTTP answer, sorted by whether it can have reached the server.
enum TransportFailure: Error {
    /// No connection was made (refused, unreachable, DNS, connect or proxy timeout): the server saw nothing.
    case notSent(any Error)
    /// The TLS handshake failed; the server saw nothing and trying again will not change the certificate.
    case tls(any Error)
    /// The request may have been received, even applied, before the answer was lost.
    case maybeSent(any Error)

    /// Sorts an error thrown by `HTTPClient.execute`. Whatever is not known to happen before sending counts as
    /// possibly sent, so an unfamiliar error can never cause a blind repeat of an add.
    init(_ error: any Error) {
        switch error {
        case let error as HTTPClientError where Self.beforeSending.contains(error):
            self = .notSent(error)
        case let error as IOError where Self.connectErrnos.contains(error.errnoCode):
            self = .notSent(error)
        case ChannelError.connectTimeout:
            self = .notSent(error)
        case NIOSSLError.uncleanShutdown:
            self = .maybeSent(error)
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError:
            self = .tls(error)
        default:
            // NIOPosix's NIOConnectionError (every address refused or unresolvable) is not visible from here
            // without depending on NIOPosix; it is the one connect error whose type is matched by name.
            self = String(describing: type(of: error)) == "NIOConnectionError" ? .notSent(error) : .maybeSent(error)
        }
    }

    private static let beforeSending: [HTTPClientError] = [
        .connectTimeout, .tlsHandshakeTimeout, .httpProxyHandshakeTimeout, .socksHandshakeTimeout,
        .getConnectionFromPoolTimeout, .invalidProxyResponse, .proxyAuthenticationRequired,
    ]

    /// errno values only `connect(2)` gives.
    private static let connectErrnos: Set<Int32> = [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL]
}

/// Sends requests over one `HTTPClient` and reads whole (bounded) answers.
struct HTTPTransport: Sendable {
    /// The largest response body read; DBSS and IAM answers are small JSON documents.
    static let maxResponseBytes = 4 * 1024 * 1024

    let http: HTTPClient
    let timeout: Duration

    /// - Throws: ``TransportFailure`` when no answer arrived; `CancellationError` when the task was cancelled.
    func send(_ outgoing: OutgoingRequest) async throws -> IncomingResponse {
        var request = HTTPClientRequest(url: outgoing.url)
        request.method = outgoing.method
        request.headers = outgoing.headers
        if !outgoing.body.isEmpty { request.body = .bytes(ByteBuffer(bytes: outgoing.body)) }
        do {
            let response = try await http.execute(request, timeout: TimeAmount(timeout))
            let buffer = try await response.body.collect(upTo: Self.maxResponseBytes)
            return IncomingResponse(
                status: Int(response.status.code),
                headers: response.headers,
                body: Data(buffer.readableBytesView)
            )
        } catch {
            try Task.checkCancellation()
            throw TransportFailure(error)
        }
    }
}
