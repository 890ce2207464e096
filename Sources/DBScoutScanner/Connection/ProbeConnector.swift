import DBScoutCore
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Opens probe connections: no DNS, no resolver threads, a connect deadline on every attempt.
public struct ProbeConnector: Sendable {
    public let connectTimeout: Duration
    /// A connection the sweep made already, taken by the first connect instead of a new one.
    let adopted: AdoptedSocket?

    public init(connectTimeout: Duration) {
        self.init(connectTimeout: connectTimeout, adopting: nil)
    }

    init(connectTimeout: Duration, adopting adopted: AdoptedSocket?) {
        self.connectTimeout = connectTimeout
        self.adopted = adopted
    }

    /// Why a connection could not be made.
    enum Failure: Error, Equatable {
        /// Nothing listens (RST) or the host said it is unreachable.
        case refused
        /// No answer within the connect deadline (filtered, or the host is down).
        case timedOut
        /// The handshake completed, but the peer reset the connection before the event loop saw the connect
        /// succeed: something listens there and hung up at once, so the port is open.
        case resetOnAccept
    }

    /// Connects to `endpoint`, runs `body`, and closes the connection whatever happens.
    func withConnection<Result: Sendable>(
        to endpoint: Endpoint,
        _ body: (ProbeConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await connect(to: endpoint)
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    private func connect(to endpoint: Endpoint) async throws -> ProbeConnection {
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: endpoint.address.description, port: Int(endpoint.port))
        } catch {
            throw Failure.refused
        }
        // The handler is kept from the initializer rather than looked up after connecting: a server that speaks
        // and hangs up at once (an ERR 1130, say) may have torn the pipeline down by then.
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let handler = NIOLoopBoundBox.makeEmptyBox(valueType: ProbeHandler.self, eventLoop: eventLoop)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let probeHandler = ProbeHandler()
                    handler.value = probeHandler
                    try channel.pipeline.syncOperations.addHandler(probeHandler)
                }
            }
        let channel: any Channel
        do {
            if let descriptor = adopted?.take() {
                channel = try await bootstrap.withConnectedSocket(descriptor).get()
            } else {
                channel = try await bootstrap.connect(to: address).get()
            }
        } catch ChannelError.connectTimeout {
            throw Failure.timedOut
        } catch let error as IOError where error.errnoCode == ECONNRESET {
            throw Failure.resetOnAccept
        } catch {
            throw Failure.refused
        }
        return ProbeConnection(channel: channel, handler: handler)
    }
}
