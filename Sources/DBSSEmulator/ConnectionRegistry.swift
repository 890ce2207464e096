import NIOCore
import Synchronization

/// The open client connections of one emulator, so ``DBSSEmulator/shutdown()`` can close idle
/// keep-alive connections too (closing the listening socket alone leaves them open).
final class ConnectionRegistry: Sendable {
    private struct Connections {
        var open: [ObjectIdentifier: any Channel] = [:]
        var isShutDown = false
    }

    private let connections = Mutex(Connections())

    /// Tracks `channel` until it closes; returns `false` after shutdown, when it should be refused.
    func register(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let accepted = connections.withLock { connections in
            guard !connections.isShutDown else { return false }
            connections.open[id] = channel
            return true
        }
        if accepted {
            channel.closeFuture.whenComplete { _ in
                self.connections.withLock { _ = $0.open.removeValue(forKey: id) }
            }
        }
        return accepted
    }

    /// How many connections are open.
    var count: Int {
        connections.withLock { $0.open.count }
    }

    /// Marks the registry shut down and returns the connections that were still open.
    func shutDown() -> [any Channel] {
        connections.withLock { connections in
            connections.isShutDown = true
            return Array(connections.open.values)
        }
    }
}
