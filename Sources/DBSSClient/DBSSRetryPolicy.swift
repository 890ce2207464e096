/// How often and how patiently the client repeats a call that failed in a way that may heal: 5xx, 429, and
/// transport failures before the request was sent (plus, for reads only, failures after it was sent).
///
/// Waits grow exponentially with full jitter — a random wait between zero and `baseDelay · 2^(n−1)`, at most
/// `maxDelay` — so many agents hitting one outage do not return in lock-step. A `Retry-After` answer is obeyed
/// instead, up to `maxRetryAfter`.
public struct DBSSRetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included; 1 means never retry.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// The longest `Retry-After` wait honoured; a longer one is cut to this.
    public var maxRetryAfter: Duration

    /// - Parameters:
    ///   - maxAttempts: Attempts in all (at least 1).
    ///   - baseDelay: The ceiling of the first jittered wait.
    ///   - maxDelay: The largest ceiling any jittered wait grows to.
    ///   - maxRetryAfter: The cap on a server-requested wait.
    public init(
        maxAttempts: Int = 4,
        baseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(60)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// Four attempts, waits of up to 0.5, 1 and 2 s, `Retry-After` honoured up to a minute.
    public static let `default` = DBSSRetryPolicy()
    /// One attempt only.
    public static let never = DBSSRetryPolicy(maxAttempts: 1)

    /// The wait before the attempt after `failedAttempt` (1 for the first).
    ///
    /// - Parameters:
    ///   - failedAttempt: How many attempts have failed so far.
    ///   - retryAfter: The server's `Retry-After`, if it sent one.
    ///   - random: Picks the jittered wait in the given range of nanoseconds; injectable for tests.
    public func delay(
        afterAttempt failedAttempt: Int,
        retryAfter: Duration? = nil,
        random: (ClosedRange<Int64>) -> Int64 = { Int64.random(in: $0) }
    ) -> Duration {
        if let retryAfter { return min(max(retryAfter, .zero), maxRetryAfter) }
        let exponent = min(max(failedAttempt - 1, 0), 30)
        let ceiling = min(baseDelay * (1 << exponent), maxDelay)
        let nanoseconds = Self.nanoseconds(ceiling)
        return nanoseconds > 0 ? .nanoseconds(random(0...nanoseconds)) : .zero
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
