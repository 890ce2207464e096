import DBScoutCore
import DBScoutInventory
import Foundation
import Testing

@testable import DBScoutAgent

/// The listings write their text by hand for speed; it must be byte for byte what the general routines write,
/// for the values the large-inventory tests do not hold: escapes, non-ASCII text, numbers, every date field, IPv6,
/// no evidence.
@Suite("Listing text")
struct ListingTextTests {
    /// Every C0 control, the characters JSON and CSV treat specially, non-ASCII text and Unicode's line breaks.
    static let awkward = [
        String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }), #"a "quoted", back\slash / and /"#,
        "µs, é, 😀, \u{7F}", "line\u{85}next", "line\u{2028}sep\u{2029}para", "cr\r\nlf", "", "plain",
    ]

    static func record(_ index: Int) -> InventoryRecord {
        let text = awkward[index % awkward.count]
        let address = index % 3 == 0 ? IPAddress("2001:db8::\(index + 1)")! : IPAddress("192.0.2.\(index + 1)")!
        let confidences: [Double?] = [nil, 0.75, 1, 1e20, 1e-7, 0.1 + 0.2, -0, 123_456_789]
        let instants = [-1.5, 0, 0.999, 1_800_000_000.25, 951_782_400, 4_107_542_400, -2_208_988_800, 1e12]
        let instant = { (offset: Int) in Date(timeIntervalSince1970: instants[(index + offset) % instants.count]) }
        let finding = Finding(
            endpoint: Endpoint(address: address, port: UInt16(index + 1)),
            product: index % 2 == 0 ? .mysql : .redis,
            version: index % 4 == 0 ? nil : text,
            charset: index % 2 == 0 ? .utf8 : nil,
            os: index % 2 == 0 ? .linux64 : nil,
            osDetail: text,
            osConfidence: confidences[index % confidences.count],
            osSource: index % 2 == 0 ? .banner : nil,
            tls: .required,
            evidence: (0..<(index % 3)).map { Evidence("fact.\(text)", "\(text) \($0)") },
            observedAt: instant(1)
        )
        return InventoryRecord(
            finding: finding,
            firstSeen: instant(0),
            lastSeen: instant(1),
            registration: RegistrationState(
                status: index % 2 == 0 ? .retrying : .registered,
                id: index % 2 == 0 ? nil : text,
                lastError: text,
                attempts: index,
                claim: index % 2 == 0 ? RegistrationClaim(owner: text, until: instant(2)) : nil,
                nextAttempt: index % 2 == 0 ? instant(3) : nil,
                origin: index % 2 == 0 ? nil : .imported
            )
        )
    }

    static let records = (0..<48).map(record)

    @Test func jsonIsWhatTheEncoderWrites() async throws {
        var json = ""
        try await InventoryReport.writeJSON(Self.stream(Self.records), to: &json)
        #expect(json == (try JSONOutput.encode(["findings": Self.records.map(FindingDocument.init)])))
    }

    @Test func csvQuotesExactlyTheFieldsWithACommaAQuoteOrALineBreak() async throws {
        var csv = ""
        try await InventoryCSV.write(Self.stream(Self.records), to: &csv)
        for text in Self.awkward where !text.isEmpty {
            let special = text.contains { $0 == "," || $0 == "\"" || $0.isNewline }
            let quoted = "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            #expect(csv.contains("," + (special ? quoted : text) + ","), "\(text.debugDescription)")
            #expect(!special || !csv.contains("," + text + ","), "\(text.debugDescription)")
        }
        #expect(csv.components(separatedBy: "\r\n").first == InventoryCSV.header.joined(separator: ","))
    }

    /// Seconds are cut, not rounded, in every month of four centuries and on either side of a day; before 1970 and
    /// after 9999 the formatter itself is used.
    @Test func timestampsAreWhatTheFormatterWrites() {
        var generator = SystemRandomNumberGenerator()
        let instants =
            (0..<20_000).map { _ in Double.random(in: -4e9...2.6e11, using: &generator) }
            + [-62_135_596_800, -1, -0.5, 0, 86_399.999, 86_400, 951_782_400, 253_402_300_799.9, 253_402_300_800]
        for instant in instants {
            let date = Date(timeIntervalSince1970: instant)
            #expect(Timestamp.iso8601(date) == date.formatted(.iso8601), "\(instant)")
        }
    }

    static func stream(_ records: [InventoryRecord]) -> AsyncThrowingStream<InventoryRecord, any Error> {
        AsyncThrowingStream { continuation in
            for record in records { continuation.yield(record) }
            continuation.finish()
        }
    }
}
