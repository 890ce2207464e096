import DBScoutCore
import Testing

@testable import DBScoutProtocols

/// Version-string markers of the MySQL family, as the vendors document and public traces show them.
@Suite("MySQL family variants")
struct MySQLVariantTests {
    @Test(arguments: [
        ("5.5.5-10.11.19-MariaDB-0+deb12u1", DatabaseProduct.mariadb, "10.11.19"),
        ("11.4.2-MariaDB-ubu2404", .mariadb, "11.4.2"),
        ("8.0.28.mysql_aurora.3.02.0", .aurora, "8.0.28"),
        ("5.7.25-TiDB-v7.5.0", .tidb, "7.5.0"),
        ("8.0.11-TiDB-v7.1.1-serverless", .tidb, "7.1.1"),
        ("5.7.25-OceanBase_CE-v4.2.1.0", .oceanbase, "4.2.1.0"),
        ("8.0.35-27", .percona, "8.0.35"),
        ("5.7.32-35-log", .percona, "5.7.32"),
        ("8.0.35", .mysql, "8.0.35"),
        ("5.5.35-0ubuntu0.12.04.2", .mysql, "5.5.35"),
        ("5.1.67-log", .mysql, "5.1.67"),
    ])
    func versionStringsNameTheProduct(raw: String, product: DatabaseProduct, version: String) {
        let parsed = MySQLVersionString(raw, mariaDBCapabilities: false)
        #expect(parsed.product == product)
        #expect(parsed.version == version)
    }

    @Test func mariaDBCapabilitiesAloneMarkMariaDB() {
        // A proxy may rewrite the version string; MariaDB's extended capability flags still give it away.
        #expect(MySQLVersionString("11.4.13-readyset", mariaDBCapabilities: true).product == .mariadb)
    }

    @Test func everyVariantRegistersAsItsDBSSType() {
        #expect(DatabaseProduct.tidb.dbssType == .mysql)
        #expect(DatabaseProduct.aurora.dbssType == .mysql)
        #expect(DatabaseProduct.gbase8a.dbssType == .gbase8a)
        #expect(DatabaseProduct.taurus.dbssType == .taurus)
    }
}
