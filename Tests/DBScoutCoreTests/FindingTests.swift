import DBScoutCore
import Testing

@Suite("Findings")
struct FindingTests {
    private let endpoint = Endpoint(address: IPAddress("10.0.0.7")!, port: 5432)

    @Test(arguments: [
        (DatabaseProduct.postgresql, "15.4", "15"), (.postgresql, "9.6.24", "9.6"), (.postgresql, "15", "15"),
        (.postgresql, "14-17", "14-17"), (.postgresql, "15.18-15.19", "15"), (.mysql, "8.0.35", "8.0"),
        (.mariadb, "10.11.19", "10.11"),
    ])
    func versionsNormaliseForDBSS(product: DatabaseProduct, version: String, expected: String) {
        #expect(Finding(endpoint: endpoint, product: product, version: version).dbssVersion == expected)
    }

    @Test func productsMapToDBSSTypes() {
        #expect(DatabaseProduct.postgresql.dbssType == .postgresql)
        #expect(DatabaseProduct.mariadb.dbssType == .mysql)
        #expect(DatabaseProduct.redis.dbssType == nil)
        #expect(DBSSType.allCases.count == 17)
    }
}
