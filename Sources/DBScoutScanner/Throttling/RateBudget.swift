import Synchronization

/// Paces the scan's new connections: the sweep thread and the probes draw their slots from one budget, so no more
/// than `perSecond` connections start in any second.
final class RateBudget: Sendable {
    /// How far the budget may fall behind the clock before it forgets unused slots. The sweep thread sleeps with
    /// millisecond granularity; slots that passed while it slept are used back to back rather than lost, which
    /// lets a rate of more than 1,000 per second be reached at the cost of bursts of at most this length.
    private static let catchUp = Duration.milliseconds(2)

    private let interval: Duration
    private let nextSlot: Mutex<ContinuousClock.Instant>

    init(perSecond: Int) {
        interval = .seconds(1) / max(1, perSecond)
        nextSlot = Mutex(.now)
    }

    /// Takes the next slot and returns when it comes; the caller starts its connection then, not before.
    func reserve(at now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant {
        nextSlot.withLock { next in
            let slot = max(next, now - Self.catchUp)
            next = slot + interval
            return slot
        }
    }

    /// Waits for the next slot.
    func acquire() async {
        let slot = reserve()
        if slot > .now { try? await Task.sleep(until: slot, clock: .continuous) }
    }
}
