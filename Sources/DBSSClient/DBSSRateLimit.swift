import Synchronization

/// The client-side ceiling on DBSS calls: a token bucket shared by every call of one client, retries included.
///
/// DBSS documents no rate limit, but API Gateway throttles and locks access keys after repeated failures; a
/// gentle pace keeps a large first scan from looking like an attack.
public struct DBSSRateLimit: Sendable, Hashable {
    /// Sustained requests per second; 0 or less turns the limit off.
    public var requestsPerSecond: Double
    /// Requests that may go at once after a quiet spell.
    public var burst: Int

    public init(requestsPerSecond: Double, burst: Int) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = max(1, burst)
    }

    /// Five requests per second, five at once.
    public static let `default` = DBSSRateLimit(requestsPerSecond: 5, burst: 5)
}

/// The token bucket behind ``DBSSRateLimit``.
///
/// A caller takes a token at once, even one that will only exist later (the count goes negative), and then
/// sleeps until its token is due. Reserving under the lock and sleeping outside it keeps callers in arrival
/// order without holding the lock across a suspension.
final class TokenBucket: Sendable {
    private struct State {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let rate: Double
    private let capacity: Double
    private let state: Mutex<State>

    /// `nil` when `limit` turns limiting off.
    init?(_ limit: DBSSRateLimit?) {
        guard let limit, limit.requestsPerSecond > 0 else { return nil }
        rate = limit.requestsPerSecond
        capacity = Double(limit.burst)
        state = Mutex(State(tokens: Double(limit.burst), updated: .now))
    }

    /// Waits until the caller may send one request.
    /// - Throws: `CancellationError` when the task is cancelled while waiting.
    func acquire() async throws {
        let wait = state.withLock { state -> Duration in
            let now = ContinuousClock.now
            let elapsed = Self.seconds(now - state.updated)
            state.tokens = min(capacity, state.tokens + elapsed * rate) - 1
            state.updated = now
            return state.tokens >= 0 ? .zero : .seconds(-state.tokens / rate)
        }
        if wait > .zero { try await Task.sleep(for: wait) }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
