import DBScoutCore

extension Inventory {
    /// The records whose status is in `statuses` (every record when empty) in endpoint order, read `pageSize` at a
    /// time as they are iterated, so that memory does not grow with the inventory. Each iteration reads afresh.
    public func records(statuses: Set<RegistrationStatus> = [], pageSize: Int = 1000) -> InventoryPages {
        InventoryPages(inventory: self, statuses: statuses, pageSize: max(pageSize, 1))
    }
}

/// The records of an inventory in endpoint order, read a page at a time by keyset (each page starts after the
/// last endpoint of the one before), so that records added or removed meanwhile neither repeat nor shift others.
public struct InventoryPages: AsyncSequence, Sendable {
    public typealias Element = InventoryRecord

    let inventory: any Inventory
    let statuses: Set<RegistrationStatus>
    let pageSize: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(pages: self)
    }

    /// Reads the next page when the current one is used up; a short page is the last.
    public struct Iterator: AsyncIteratorProtocol {
        let pages: InventoryPages
        private var page: IndexingIterator<[InventoryRecord]> = [].makeIterator()
        private var after: Endpoint?
        private var exhausted = false

        init(pages: InventoryPages) { self.pages = pages }

        public mutating func next() async throws -> InventoryRecord? {
            if let record = page.next() { return record }
            guard !exhausted else { return nil }
            let records = try await pages.inventory.page(after: after, limit: pages.pageSize, statuses: pages.statuses)
            exhausted = records.count < pages.pageSize
            after = records.last?.endpoint
            page = records.makeIterator()
            return page.next()
        }
    }
}

/// The SQL of one page of a listing, built once for every store: each store says how it orders addresses and
/// writes parameters, and binds ``values`` its own way.
struct InventoryPageQuery {
    /// How a store keeps endpoints in ``Endpoint`` order.
    struct Order {
        /// The expression that orders addresses (the `ip` column as text does not: 10.0.0.10 < 10.0.0.9).
        let expression: String
        /// The value an address is compared as, and the parameter written around its placeholder.
        let key: (IPAddress) -> String
        let parameter: (String) -> String
    }

    let sql: String
    let values: [InventoryValue]

    /// - Parameters:
    ///   - source: what follows `FROM`: the table, and any index hint.
    ///   - placeholder: the placeholder of the n-th parameter (from 1).
    init(
        source: String,
        order: Order,
        placeholder: (Int) -> String,
        after endpoint: Endpoint?,
        limit: Int,
        statuses: Set<RegistrationStatus>
    ) {
        var values: [InventoryValue] = []
        func bind(_ value: InventoryValue) -> String {
            values.append(value)
            return placeholder(values.count)
        }
        var conditions: [String] = []
        if let endpoint {
            let address = order.parameter(bind(.text(order.key(endpoint.address))))
            conditions.append("(\(order.expression), port) > (\(address), \(bind(.integer(Int(endpoint.port)))))")
        }
        if !statuses.isEmpty {
            let listed = statuses.map(\.rawValue).sorted().map { bind(.text($0)) }
            conditions.append("registration_status IN (\(listed.joined(separator: ", ")))")
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        sql = """
            SELECT \(InventoryColumns.list) FROM \(source) \(filter)
            ORDER BY \(order.expression), port LIMIT \(bind(.integer(limit)))
            """
        self.values = values
    }
}
