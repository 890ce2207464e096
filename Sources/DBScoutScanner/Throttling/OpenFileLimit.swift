import DBScoutCore

#if canImport(Glibc)
    import Glibc
#endif

/// The process's open-file limit, which bounds how many connections a scan can hold: every endpoint in flight
/// takes a descriptor, and SwiftNIO stops the process when it cannot get one for an event loop.
public enum OpenFileLimit {
    /// Descriptors kept for everything but the scan's connections: the event loops (three each), the inventory,
    /// the capture, the DBSS client and standard streams.
    static let reserve = 64

    /// The soft limit now, or `nil` when it cannot be read.
    static var current: Int? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    /// Raises the soft limit to the hard one (capped at 1,048,576), as a scanner should: distributions start
    /// processes at 1,024, which a scan at `--concurrency 1024` outgrows. Returns the soft limit afterwards.
    private static func raiseSoftLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        let wanted = min(limit.rlim_max, 1 << 20)
        if limit.rlim_cur < wanted {
            limit.rlim_cur = wanted
            _ = setrlimit(resource, &limit)
        }
        return current
    }

    /// Raises the soft limit to the hard one and checks that it leaves room to work.
    /// - Throws: ``DBScoutError`` `host-resources` when even the raised limit is below what dbscout needs.
    public static func prepare() throws {
        guard let limit = raiseSoftLimit(), limit < reserve else { return }
        throw DBScoutError(
            .hostResources,
            "the open-file limit is \(limit) and cannot be raised; dbscout needs at least \(reserve) "
                + "(ulimit -n, or LimitNOFILE= in a systemd unit)"
        )
    }

    /// How many endpoints a scan can hold at once under the current limit, at most `concurrency`.
    static func concurrency(fitting concurrency: Int) -> Int {
        guard let current else { return concurrency }
        return min(concurrency, max(1, current - reserve))
    }

    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
}
