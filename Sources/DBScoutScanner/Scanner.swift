import DBScoutCore
import DBScoutProtocols
import Logging
import NIOCore

/// What happened at one endpoint.
public enum EndpointOutcome: Sendable {
    /// Nothing answered the TCP connect.
    case closed
    /// The port is open but no probe recognised the service.
    case unidentified
    case identified(Finding)
}

/// Counts for progress reports.
public struct ScanProgress: Sendable, Hashable {
    public var total: Int
    public var done = 0
    public var open = 0
    public var identified = 0

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
    /// - Parameters:
    ///   - endpoints: what to probe, in order; consumed lazily.
    ///   - total: how many endpoints there are, for progress.
    ///   - onOutcome: called once per endpoint, from concurrent tasks, with the outcome and the running counts.
    public func scan(
        _ endpoints: some Sequence<Endpoint> & Sendable,
        total: Int,
        onOutcome: @escaping @Sendable (Endpoint, EndpointOutcome, ScanProgress) async -> Void
    ) async {
        let limiter = RateLimiter(perSecond: options.maxRate)
        let gate = HostGate(limit: options.maxPerHost)
        let tally = Tally(total: total)
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for endpoint in endpoints {
                if inFlight >= max(1, options.concurrency) {
                    await group.next()
                    inFlight -= 1
                }
                if Task.isCancelled { break }
                group.addTask {
                    await gate.enter(endpoint.address)
                    let outcome = await probe(endpoint, limiter: limiter)
                    await gate.leave(endpoint.address)
                    await onOutcome(endpoint, outcome, await tally.record(outcome))
                }
                inFlight += 1
            }
        }
    }

    /// Tries the port's protocols in plan order until one identifies the service; when none does on an open
    /// port, tries again with TLS first, for services that accept nothing else.
    func probe(_ endpoint: Endpoint, limiter: RateLimiter) async -> EndpointOutcome {
        switch await probeWithTLSFallback(endpoint, limiter: limiter) {
        case .closed: return .closed
        case .unidentified: return .unidentified
        case .identified(var finding, let localPorts):
            var synAck: [UInt8]?
            if let synAcks, let port = localPorts.first {
                synAck = await synAcks.synAck(from: finding.endpoint, toLocalPort: port)
            }
            let tcp = Self.tcpSignatureClaim(synAck)
            finding.evidence += tcp.evidence
            finding.settleOS(with: localOSClaims(for: &finding) + (tcp.claim.map { [$0] } ?? []))
            return .identified(finding)
        }
    }

    /// What one pass over the plan found, with the local ports of the identifying probe's connections.
    private enum PlanOutcome {
        case closed, unidentified
        case identified(Finding, localPorts: [UInt16])
    }

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

    private func probeWithTLSFallback(_ endpoint: Endpoint, limiter: RateLimiter) async -> PlanOutcome {
        let plain = await runPlan(endpoint, limiter: limiter, tlsFirst: nil)
        guard case .unidentified = plain else { return plain }
        let alpn = ProbePlan.alpn(for: endpoint.port)
        guard case .identified(var finding, let ports) = await runPlan(endpoint, limiter: limiter, tlsFirst: alpn)
        else { return .unidentified }
        finding.tls = .required
        finding.evidence.append(Evidence("tls.first", "only a connection that starts with TLS is answered"))
        return .identified(finding, localPorts: ports)
    }

    private func runPlan(_ endpoint: Endpoint, limiter: RateLimiter, tlsFirst: [String]?) async -> PlanOutcome {
        var reachable = false
        for (probe, hinted) in ProbePlan.probes(for: endpoint.port) where tlsFirst == nil || probe.runsTLSFirst {
            if Task.isCancelled { break }
            await limiter.acquire()
            let context = ProbeContext(
                connector: ProbeConnector(connectTimeout: options.connectTimeout),
                readTimeout: hinted ? options.readTimeout : min(options.readTimeout, options.fallbackReadTimeout),
                bannerWait: options.bannerWait,
                portIsHinted: hinted,
                tlsFirst: tlsFirst
            )
            do {
                if var finding = try await probe.identify(endpoint, context: context) {
                    finding.evidence += context.log.tlsSessions.flatMap(\.evidence)
                    logger.debug("identified", metadata: ["endpoint": "\(endpoint)", "product": "\(finding.product)"])
                    return .identified(finding, localPorts: context.log.localPorts)
                }
                reachable = true
            } catch ProbeConnector.Failure.refused, ProbeConnector.Failure.timedOut {
                // A probe that connected before this failure (a lost SYN on a later connection of the same probe)
                // proves the port open: go on to the next probe.
                if !context.log.localPorts.isEmpty {
                    reachable = true
                    continue
                }
                // A port that refuses one probe refuses them all; later probes would only add load.
                return reachable ? .unidentified : .closed
            } catch is TLSHandshakeFailed {
                // Not a TLS service: no TLS-first probe can get further.
                return .unidentified
            } catch {
                logger.debug("probe failed", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
                reachable = true
            }
        }
        return reachable ? .unidentified : .closed
    }
}

/// Running counts shared by the scan's tasks.
private actor Tally {
    private var progress: ScanProgress

    init(total: Int) { progress = ScanProgress(total: total) }

    func record(_ outcome: EndpointOutcome) -> ScanProgress {
        progress.done += 1
        switch outcome {
        case .closed: break
        case .unidentified: progress.open += 1
        case .identified:
            progress.open += 1
            progress.identified += 1
        }
        return progress
    }
}
