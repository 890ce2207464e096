import Synchronization

/// Which path generation a client calls, and for ``DBSSAPIVersion/auto`` what it has learnt so far.
///
/// Auto starts with v2. A 404 from a v2 path before any v2 call succeeded means this DBSS has no v2 API: the
/// call is repeated on v1 and v1 is used from then on. Once a v2 call succeeded, a 404 is about the project or
/// instance, not the generation, and is passed on.
final class APIGenerationChoice: Sendable {
    private let configured: DBSSAPIVersion
    private let learnt = Mutex<DBSSAPIVersion?>(nil)

    init(_ configured: DBSSAPIVersion) {
        self.configured = configured
    }

    /// The generation to call now: v1 or v2, never auto.
    var current: DBSSAPIVersion {
        guard configured == .auto else { return configured }
        return learnt.withLock { $0 } ?? .v2
    }

    /// Records that `generation` answered a call successfully.
    func confirm(_ generation: DBSSAPIVersion) {
        guard configured == .auto else { return }
        learnt.withLock { learnt in
            if learnt == nil { learnt = generation }
        }
    }

    /// Whether a call that failed with `error` on `generation` should be repeated on v1 (which is then kept).
    func fallBack(from generation: DBSSAPIVersion, after error: DBSSError) -> Bool {
        guard configured == .auto, generation == .v2, error.httpStatus == 404 else { return false }
        return learnt.withLock { learnt in
            guard learnt != .v2 else { return false }
            learnt = .v1
            return true
        }
    }
}
