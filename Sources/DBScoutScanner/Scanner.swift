import DBScoutCore
import DBScoutProtocols
import Logging
import NIOCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What happened at one endpoint.
public enum EndpointOutcome: Sendable {
    /// Nothing answered the TCP connect.
    case closed
    /// The port is open but no probe recognised the service.
    case unidentified
    case identified(Finding)
    /// This host could not attempt the connect (out of descriptors or ports): the endpoint's state is unknown.
    case unprobed(reason: String)
}

/// Counts for progress reports.
public struct ScanProgress: Sendable, Hashable {
    public var total: Int
    public var done = 0
    public var open = 0
    public var identified = 0
    /// Endpoints this host could not attempt; see ``EndpointOutcome/unprobed(reason:)``.
    public var unprobed = 0

    public init(total: Int) { self.total = total }
}

/// The active engine: probes endpoints with bounded concurrency, a global rate, and a per-host limit.
public struct Scanner: Sendable {
    public let options: ScanOptions
    private let logger: Logger
    private let localHost: LocalHost
    private let synAcks: (any SYNACKSource)?

    /// - Parameters:
    ///   - localHost: the machine dbscout runs on; databases on its addresses take its OS.
    ///   - synAcks: where the SYN-ACKs of the scanner's own connects can be looked up, for the servers' TCP/IP
    ///     signatures; `nil` when they cannot be captured.
    public init(
        options: ScanOptions,
        logger: Logger,
        localHost: LocalHost = .current(),
        synAcks: (any SYNACKSource)? = nil
    ) {
        self.options = options
        self.logger = logger
        self.localHost = localHost
        self.synAcks = synAcks
    }

    /// Probes every endpoint once, reporting each outcome as it is known.
    ///
    /// Every endpoint is first connected to by the ``ConnectSweep``; only the open ones reach the probes, which
    /// adopt the sweep's connection for their first conversation.
    ///
    /// - Parameters:
    ///   - endpoints: what to probe, in order; consumed lazily.
    ///   - total: how many endpoints there are, for progress.
    ///   - onOutcome: called once per endpoint, from concurrent tasks, with the outcome and the running counts.
    public func scan(
        _ endpoints: some Sequence<Endpoint> & Sendable,
        total: Int,
        onOutcome: @escaping @Sendable (Endpoint, EndpointOutcome, ScanProgress) async -> Void
    ) async {
        let rate = RateBudget(perSecond: options.maxRate)
        let concurrency = OpenFileLimit.concurrency(fitting: max(1, options.concurrency))
        if concurrency < options.concurrency {
            logger.notice(
                "concurrency lowered to fit the open-file limit",
                metadata: [
                    "concurrency": "\(concurrency)", "asked": "\(options.concurrency)",
                    "limit": "\(OpenFileLimit.current ?? 0)",
                ]
            )
        }
        let limits = ConnectSweep.Limits(
            concurrency: concurrency,
            maxPerHost: max(1, options.maxPerHost),
            connectTimeout: options.connectTimeout
        )
        let sweep = ConnectSweep(limits: limits, rate: rate)
        let tally = Tally(total: total)
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for await batch in sweep.events(for: endpoints) {
                    for event in batch.events {
                        let endpoint = event.endpoint
                        if let outcome = outcomeWithoutProbes(event) {
                            await onOutcome(endpoint, outcome, tally.record(outcome))
                            continue
                        }
                        // A scan being abandoned starts no probes; the socket closes with the event.
                        if Task.isCancelled { continue }
                        let socket = event.result.socket
                        group.addTask {
                            let outcome = await probe(endpoint, socket: socket, rate: rate)
                            sweep.release(endpoint.address)
                            await onOutcome(endpoint, outcome, tally.record(outcome))
                        }
                    }
                    sweep.acknowledge(batch)
                }
            }
        } onCancel: {
            sweep.stop()
        }
    }

    /// The outcome of an endpoint that the sweep settled by itself; `nil` for an open port, which the probes take.
    private func outcomeWithoutProbes(_ event: ConnectSweep.Event) -> EndpointOutcome? {
        switch event.result {
        case .refused, .timedOut: return .closed
        case .connected, .resetOnAccept: return nil
        case .failed(let code):
            let reason = "cannot open a socket: \(String(cString: strerror(code))) (errno \(code))"
            logger.debug("endpoint not probed", metadata: ["endpoint": "\(event.endpoint)", "reason": "\(reason)"])
            return .unprobed(reason: reason)
        }
    }

    /// Tries the port's protocols in plan order until one identifies the service; when none does on an open
    /// port, tries again with TLS first, for services that accept nothing else.
    func probe(_ endpoint: Endpoint, socket: AdoptedSocket?, rate: RateBudget) async -> EndpointOutcome {
        guard let identification = await probeWithTLSFallback(endpoint, socket: socket, rate: rate) else {
            return .unidentified
        }
        var finding = identification.finding
        var synAck: [UInt8]?
        if let synAcks, let port = identification.localPorts.first {
            synAck = await synAcks.synAck(from: finding.endpoint, toLocalPort: port)
        }
        let tcp = Self.tcpSignatureClaim(synAck)
        finding.evidence += tcp.evidence
        finding.settleOS(with: localOSClaims(for: &finding) + (tcp.claim.map { [$0] } ?? []))
        return .identified(finding)
    }

    /// What identified the service: the finding, and the local ports of the identifying probe's connections.
    private typealias Identification = (finding: Finding, localPorts: [UInt16])

    /// The OS the server's SYN-ACK points to, as evidence and as a claim for the OS verdict. A middlebox verdict
    /// is shown and never taken for the server's OS. (Synchronous on purpose: the 6.3.1 optimiser crashed on
    /// this code inside an async function.)
    private static func tcpSignatureClaim(_ headers: [UInt8]?) -> (evidence: [Evidence], claim: OSClaim?) {
        guard let headers, let signature = TCPSignature.decode(ByteBuffer(bytes: headers)).value else {
            return ([], nil)
        }
        // Our SYN came from this host's Linux stack, which offers every option.
        let verdict = TCPOSClassifier.classify(signature, offer: .all)
        var evidence = verdict.evidence
        evidence.append(Evidence("os.tcp.verdict", "\(verdict.label) (confidence \(verdict.confidence))"))
        guard let os = verdict.os else { return (evidence, nil) }
        return (evidence, OSClaim(os: os, detail: verdict.label, confidence: verdict.confidence, source: .tcpSignature))
    }

    /// A database on one of this host's own addresses runs on this host's OS, whatever its banners suggest.
    private func localOSClaims(for finding: inout Finding) -> [OSClaim] {
        guard localHost.contains(finding.endpoint.address), let os = localHost.os else { return [] }
        finding.evidence.append(Evidence("os.local_host", localHost.detail))
        return [OSClaim(os: os, detail: localHost.detail, confidence: 1, source: .localHost)]
    }

    private func probeWithTLSFallback(
        _ endpoint: Endpoint,
        socket: AdoptedSocket?,
        rate: RateBudget
    ) async -> Identification? {
        if let plain = await runPlan(endpoint, socket: socket, rate: rate, tlsFirst: nil) { return plain }
        let alpn = ProbePlan.alpn(for: endpoint.port)
        guard var identification = await runPlan(endpoint, socket: nil, rate: rate, tlsFirst: alpn) else {
            return nil
        }
        identification.finding.tls = .required
        identification.finding.evidence.append(
            Evidence("tls.first", "only a connection that starts with TLS is answered")
        )
        return identification
    }

    /// Runs the plan on a port known to be open; the first connection is `socket`'s when one is given.
    private func runPlan(
        _ endpoint: Endpoint,
        socket: AdoptedSocket?,
        rate: RateBudget,
        tlsFirst: [String]?
    ) async -> Identification? {
        for (probe, hinted) in ProbePlan.probes(for: endpoint.port) where tlsFirst == nil || probe.runsTLSFirst {
            if Task.isCancelled { break }
            // The sweep paid for its connection's slot already.
            if socket?.isAvailable != true { await rate.acquire() }
            let context = ProbeContext(
                connector: ProbeConnector(connectTimeout: options.connectTimeout, adopting: socket),
                readTimeout: hinted ? options.readTimeout : min(options.readTimeout, options.fallbackReadTimeout),
                bannerWait: options.bannerWait,
                portIsHinted: hinted,
                tlsFirst: tlsFirst
            )
            do {
                if var finding = try await probe.identify(endpoint, context: context) {
                    finding.evidence += context.log.tlsSessions.flatMap(\.evidence)
                    logger.debug("identified", metadata: ["endpoint": "\(endpoint)", "product": "\(finding.product)"])
                    return (finding, context.log.localPorts)
                }
            } catch ProbeConnector.Failure.refused, ProbeConnector.Failure.timedOut {
                // A probe that connected before this failure (a lost SYN on a later connection of the same probe)
                // has more to learn from the next probe; a port that refuses a probe's first connection refuses
                // them all, and later probes would only add load.
                if context.log.localPorts.isEmpty { return nil }
            } catch is TLSHandshakeFailed {
                // Not a TLS service: no TLS-first probe can get further.
                return nil
            } catch {
                logger.debug("probe failed", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
            }
        }
        return nil
    }
}

/// Running counts shared by the scan's tasks.
private final class Tally: Sendable {
    private let progress: Mutex<ScanProgress>

    init(total: Int) { progress = Mutex(ScanProgress(total: total)) }

    func record(_ outcome: EndpointOutcome) -> ScanProgress {
        progress.withLock { progress in
            progress.done += 1
            switch outcome {
            case .closed: break
            case .unprobed: progress.unprobed += 1
            case .unidentified: progress.open += 1
            case .identified:
                progress.open += 1
                progress.identified += 1
            }
            return progress
        }
    }
}
