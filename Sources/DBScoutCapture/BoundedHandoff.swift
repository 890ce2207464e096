import Dispatch
import Synchronization

/// Hands elements from a blocking producer thread (the libpcap reader) to async code, holding at most `limit`
/// elements between them: when the consumer falls behind, the producer waits instead of growing a buffer, and
/// nothing is dropped. When the consumer goes away, the producer is told so and stops.
final class BoundedHandoff<Element: Sendable>: Sendable {
    let stream: AsyncThrowingStream<Element, any Error>
    private let continuation: AsyncThrowingStream<Element, any Error>.Continuation
    private let room: DispatchSemaphore
    private let abandoned = Atomic<Bool>(false)

    init(limit: Int) {
        (stream, continuation) = AsyncThrowingStream.makeStream()
        room = DispatchSemaphore(value: max(1, limit))
        continuation.onTermination = { [weak self] _ in self?.abandon() }
    }

    private func abandon() {
        abandoned.store(true, ordering: .sequentiallyConsistent)
        room.signal()
    }

    /// Whether the consumer stopped listening.
    var isAbandoned: Bool { abandoned.load(ordering: .sequentiallyConsistent) }

    /// Producer side: waits for room, then passes `element` on. Returns `false` when the consumer went away.
    func put(_ element: Element) -> Bool {
        room.wait()
        guard !isAbandoned else {
            room.signal()
            return false
        }
        continuation.yield(element)
        return true
    }

    /// Producer side: no more elements, with the error that ended the production if any.
    func finish(throwing error: (any Error)? = nil) {
        continuation.finish(throwing: error)
    }

    /// Consumer side: one element was taken, so there is room for another.
    func taken() {
        room.signal()
    }
}
