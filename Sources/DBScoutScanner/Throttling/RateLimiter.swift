/// Spaces events evenly so that no more than `perSecond` happen in any second.
actor RateLimiter {
    private let interval: Duration
    private var nextSlot: ContinuousClock.Instant = .now

    init(perSecond: Int) {
        interval = .seconds(1) / max(1, perSecond)
    }

    /// Waits for the next free slot.
    func acquire() async {
        let now = ContinuousClock.now
        let slot = max(now, nextSlot)
        nextSlot = slot + interval
        if slot > now { try? await Task.sleep(until: slot, clock: .continuous) }
    }
}
