import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A connected TCP socket handed from the sweep to the probes: the first probe connection takes it instead of
/// connecting again, so finding an open port costs the server no extra connection.
///
/// Whoever takes the descriptor owns it; one never taken is closed when the last reference goes.
final class AdoptedSocket: Sendable {
    private let descriptor: Mutex<CInt?>

    init(descriptor: CInt) {
        self.descriptor = Mutex(descriptor)
    }

    /// Whether the socket is still here to be taken.
    var isAvailable: Bool { descriptor.withLock { $0 != nil } }

    /// The descriptor, once; `nil` after the first call.
    func take() -> CInt? {
        descriptor.withLock { value in
            defer { value = nil }
            return value
        }
    }

    deinit {
        if let descriptor = take() { close(descriptor) }
    }
}
