/// When a record whose submission failed transiently is due again: doubling from ``first`` up to ``longest``.
public struct RetrySchedule: Sendable, Hashable {
    public var first: Duration
    public var longest: Duration

    public init(first: Duration = .seconds(60), longest: Duration = .seconds(3600)) {
        self.first = first
        self.longest = longest
    }

    /// The wait after the `attempts`-th failed attempt (1 for the first).
    public func delay(afterAttempts attempts: Int) -> Duration {
        let doublings = min(max(attempts - 1, 0), 30)
        return min(first * (1 << doublings), longest)
    }
}
