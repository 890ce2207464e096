import DBScoutCore

/// Lets at most `limit` probes run against one host at a time.
actor HostGate {
    private let limit: Int
    private var active: [IPAddress: Int] = [:]
    private var waiting: [IPAddress: [CheckedContinuation<Void, Never>]] = [:]

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    func enter(_ host: IPAddress) async {
        if active[host, default: 0] < limit {
            active[host, default: 0] += 1
            return
        }
        await withCheckedContinuation { waiting[host, default: []].append($0) }
    }

    func leave(_ host: IPAddress) {
        if var queue = waiting[host], !queue.isEmpty {
            // The slot passes straight to the next waiter, so the count stays as it is.
            let next = queue.removeFirst()
            waiting[host] = queue.isEmpty ? nil : queue
            next.resume()
            return
        }
        let remaining = active[host, default: 1] - 1
        active[host] = remaining > 0 ? remaining : nil
    }
}
