import DBScoutCore
import Testing

@Suite("IP addresses")
struct IPAddressTests {
    @Test(arguments: [
        ("10.0.0.1", "10.0.0.1"), ("255.255.255.255", "255.255.255.255"), ("0.0.0.0", "0.0.0.0"),
        ("::1", "::1"), ("::", "::"), ("2001:DB8::7", "2001:db8::7"), ("fe80:0:0:0:0:0:0:1", "fe80::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("::ffff:10.0.0.1", "::ffff:a00:1"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
    ])
    func parsesAndFormats(text: String, canonical: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.description == canonical)
        #expect(IPAddress(canonical) == address)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "a.b.c.d", ":::", "1::2::3", "12345::",
        "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "1:2:3:4:5:6:7::8", " 10.0.0.1",
    ])
    func rejectsMalformed(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func ordersWithinAndAcrossFamilies() throws {
        let low = try #require(IPAddress("10.0.0.2"))
        let high = try #require(IPAddress("10.0.0.10"))
        let v6 = try #require(IPAddress("::1"))
        #expect(low < high)
        #expect(high < v6)
    }
}
