import DBScoutCore
import Testing

@Suite("OS fusion")
struct OSFusionTests {
    private let endpoint = Endpoint(address: IPAddress("10.0.0.7")!, port: 3306)

    @Test func theStrongestClaimWinsAndDisagreementIsShown() {
        var finding = Finding(endpoint: endpoint, product: .mysql, os: .linux64, osDetail: "deb12u1 build")
        let proxy = OSClaim(os: .windows64, detail: "Windows", confidence: 0.7, source: .tcpSignature)
        finding.settleOS(with: [proxy])
        #expect(finding.os == .linux64)
        #expect(finding.osSource == .banner)
        #expect(finding.osConfidence == 0.85)
        #expect(finding.evidence.contains(Evidence("os.conflict", "tcp-signature says WINDOWS64 (Windows)")))
    }

    @Test func theLocalHostIsCertain() {
        var finding = Finding(endpoint: endpoint, product: .mysql)
        finding.settleOS(with: [
            OSClaim(os: .unix, detail: "FreeBSD", confidence: 0.9, source: .tcpSignature),
            OSClaim(os: .linux64, detail: "Linux 6.1, Debian 12", confidence: 1, source: .localHost),
        ])
        #expect(finding.os == .linux64)
        #expect(finding.osDetail == "Linux 6.1, Debian 12")
        #expect(finding.osSource == .localHost)
    }

    @Test func noClaimsLeaveTheOSUnknown() {
        var finding = Finding(endpoint: endpoint, product: .mysql)
        finding.settleOS(with: [])
        #expect(finding.os == nil)
        #expect(finding.osConfidence == nil)
    }
}
