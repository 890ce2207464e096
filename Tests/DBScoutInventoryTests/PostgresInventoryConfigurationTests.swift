import DBScoutCore
import DBScoutInventory
import Testing

@Suite("PostgreSQL inventory URL")
struct PostgresInventoryConfigurationTests {
    private static let password = "s3cret-Pw"

    @Test func aFullURLIsRead() throws {
        let configuration = try PostgresInventoryConfiguration(
            url: "postgres://dbscout:s3cret%2DPw@db.example:6543/fleet?sslmode=verify-full"
        )
        #expect(configuration.user == "dbscout")
        #expect(configuration.password?.reveal() == Self.password)
        #expect(configuration.host == "db.example")
        #expect(configuration.port == 6543)
        #expect(configuration.database == "fleet")
        #expect(configuration.tls == .verifyFull)
        #expect(configuration.description == "dbscout@db.example:6543/fleet")
    }

    @Test func omittedPartsTakeLibpqsDefaults() throws {
        let configuration = try PostgresInventoryConfiguration(url: "postgresql://dbscout@10.0.0.5")
        #expect(configuration.port == 5432)
        #expect(configuration.database == "dbscout")
        #expect(configuration.tls == .require)
        #expect(configuration.password == nil)
    }

    @Test func anIPv6HostLosesItsBracketsAndRegainsThemInTheName() throws {
        let configuration = try PostgresInventoryConfiguration(url: "postgres://u@[::1]:5433/db?sslmode=disable")
        #expect(configuration.host == "::1")
        #expect(configuration.tls == .disable)
        #expect(configuration.description == "u@[::1]:5433/db")
    }

    @Test func thePasswordMayComeSeparatelyButNotTwice() throws {
        let separate = try PostgresInventoryConfiguration(url: "postgres://u@h/db", password: Secret(Self.password))
        #expect(separate.password?.reveal() == Self.password)
        #expect(!separate.description.contains(Self.password))
        #expect {
            try PostgresInventoryConfiguration(url: "postgres://u:other@h/db", password: Secret(Self.password))
        } throws: { error in
            (error as? DBScoutError)?.code == .invalidConfiguration && "\(error)".contains("both")
                && !"\(error)".contains("other") && !"\(error)".contains(Self.password)
        }
    }

    @Test(arguments: [
        ("mysql://u:s3cret-Pw@h/db", "postgres://"),
        ("postgres://u:s3cret-Pw@h:99999/db", "out of range"),
        ("postgres://:s3cret-Pw@h/db", "no user"),
        ("postgres://u:s3cret-Pw@/db", "no host"),
        ("postgres://u:s3cret-Pw@h:0/db", "out of range"),
        ("postgres://u:s3cret-Pw@h/a/b", "'/'"),
        ("postgres://u:s3cret-Pw@h/db?sslmode=prefer", "sslmode 'prefer'"),
        ("postgres://u:s3cret-Pw@h/db?application_name=x", "unknown parameter 'application_name'"),
        ("not a url at all s3cret-Pw", "postgres://"),
    ])
    func aBadURLNamesTheProblemAndNeverThePassword(_ url: String, _ named: String) {
        #expect {
            try PostgresInventoryConfiguration(url: url)
        } throws: { error in
            (error as? DBScoutError)?.code == .invalidConfiguration && "\(error)".contains(named)
                && !"\(error)".contains(Self.password)
        }
    }
}
