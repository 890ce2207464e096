import DBScoutCore
import Testing

@Suite("Targets and scopes")
struct TargetTests {
    private func range(_ text: String) throws -> IPRange {
        guard case .range(let range) = try TargetSpec(parsing: text) else {
            Issue.record("\(text) is not a range")
            throw DBScoutError(.invalidTarget, text)
        }
        return range
    }

    @Test func cidrBlocksIncludeNetworkAndBroadcast() throws {
        let block = try range("10.1.2.77/24")
        #expect(block.description == "10.1.2.0-10.1.2.255")
        #expect(block.count == 256)
        #expect(try range("2001:db8::/120").count == 256)
        #expect(try range("0.0.0.0/0").count == 1 << 32)
        #expect(try range("::/0").count == .max)
    }

    @Test func rangesTakeFullOrLastOctetForms() throws {
        #expect(try range("10.0.0.5-10.0.0.40").count == 36)
        #expect(try range("10.0.0.5-40").description == "10.0.0.5-10.0.0.40")
        #expect(try range("[::1]").description == "::1")
    }

    @Test func hostnamesStayNames() throws {
        #expect(try TargetSpec(parsing: "DB-1.internal") == .hostname("db-1.internal"))
    }

    @Test(arguments: [
        ("10.0.0.0/33", "prefix length"), ("10.0.0.300/24", "not an IP address"), ("10.0.0.9-3", "lower to a higher"),
        ("10.0.0.1-::1", "one family"), ("10.0.0.1-300", "last octet"), ("", "empty"), ("bad_name!", "hostname"),
        ("10.0.0.0/", "prefix length"),
    ])
    func badTargetsNameTheProblem(text: String, reason: String) {
        #expect {
            try TargetSpec(parsing: text)
        } throws: { error in
            guard let error = error as? DBScoutError else { return false }
            return error.code == .invalidTarget && error.message.contains("'\(text)'") && error.message.contains(reason)
        }
    }

    @Test func setsMergeSubtractAndIterateInOrder() throws {
        let set = TargetSet(
            including: [try range("10.0.0.8-12"), try range("10.0.0.0/29"), try range("10.0.0.10")],
            excluding: [try range("10.0.0.3-4")]
        )
        #expect(set.count == 11)
        #expect(
            set.map(\.description) == [
                "10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.8", "10.0.0.9",
                "10.0.0.10", "10.0.0.11", "10.0.0.12",
            ]
        )
    }

    @Test func portsParseListsAndRanges() throws {
        let ports = try PortSet(parsing: "5432,3306,1521-1523,3306")
        #expect(ports.ports == [1521, 1522, 1523, 3306, 5432])
        #expect(ports.description == "1521-1523,3306,5432")
        #expect(PortSet.databaseDefaults.ports.contains(5432))
        #expect(PortSet.databaseDefaults.ports.contains(1433))
    }

    @Test(arguments: ["0", "65536", "10-5", "abc", "", "80,", "1-2-3"])
    func badPortsAreRejected(text: String) {
        #expect(throws: DBScoutError(.invalidPorts, "")) { try PortSet(parsing: text) }
    }

    @Test func scopeRefusesLargeAndPublicUnlessAllowed() throws {
        let ports = PortSet([5432])
        let large = TargetSet(including: [try range("10.0.0.0/15")])
        #expect(throws: DBScoutError(.unsafeScope, "")) {
            try ScanScope(addresses: large, ports: ports, allowLarge: false, allowPublic: false)
        }
        #expect(
            try ScanScope(addresses: large, ports: ports, allowLarge: true, allowPublic: false).endpointCount == 131_072
        )
        let public8 = TargetSet(including: [try range("8.8.8.0/30")])
        #expect(throws: DBScoutError(.unsafeScope, "")) {
            try ScanScope(addresses: public8, ports: ports, allowLarge: false, allowPublic: false)
        }
        let excludedAll = TargetSet(including: [try range("10.0.0.1")], excluding: [try range("10.0.0.0/24")])
        #expect(throws: DBScoutError(.unsafeScope, "")) {
            try ScanScope(addresses: excludedAll, ports: ports, allowLarge: false, allowPublic: false)
        }
        let loopback = TargetSet(including: [try range("127.0.0.1-2"), try range("::1")])
        let scope = try ScanScope(addresses: loopback, ports: PortSet([1, 2]), allowLarge: false, allowPublic: false)
        #expect(
            scope.endpoints.map(\.description) == [
                "127.0.0.1:1", "127.0.0.1:2", "127.0.0.2:1", "127.0.0.2:2", "[::1]:1", "[::1]:2",
            ]
        )
    }

    @Test func secretsNeverPrint() {
        let secret = Secret("s3cr3t-token")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect(secret.reveal() == "s3cr3t-token")
    }
}
