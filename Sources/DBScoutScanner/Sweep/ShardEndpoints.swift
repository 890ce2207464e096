import DBScoutCore

/// The endpoints one sweep thread owns: those whose address falls to its shard. Every port of a host is swept by
/// the same thread, so the per-host limit holds without locks; consecutive addresses alternate between threads.
struct ShardEndpoints: IteratorProtocol {
    private var base: any IteratorProtocol<Endpoint>
    private let shard: Int
    private let shards: Int

    init(_ endpoints: some Sequence<Endpoint>, shard: Int, of shards: Int) {
        base = endpoints.makeIterator()
        self.shard = shard
        self.shards = shards
    }

    /// The shard that sweeps `address`.
    static func shard(of address: IPAddress, among shards: Int) -> Int {
        Int(UInt64(truncatingIfNeeded: address.numeric) % UInt64(shards))
    }

    mutating func next() -> Endpoint? {
        while let endpoint = base.next() {
            if Self.shard(of: endpoint.address, among: shards) == shard { return endpoint }
        }
        return nil
    }
}
