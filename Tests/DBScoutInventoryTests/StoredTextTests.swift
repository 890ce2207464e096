import DBScoutCore
import Foundation
import Testing

@testable import DBScoutInventory

/// The fast readers of stored addresses and evidence either give what the general parsers give, or give up and
/// leave the text to them; they must not give up on what the stores write.
@Suite("Stored text fast paths")
struct StoredTextTests {
    @Test func anAddressIsReadAsIPAddressReadsItOrLeftToIt() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789..:a ")
        let random = (0..<20_000).map { _ in
            String((0..<Int.random(in: 0...16, using: &generator)).map { _ in alphabet.randomElement()! })
        }
        let edges = [
            "0.0.0.0", "255.255.255.255", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "1..3.4",
            ".1.2.3", "1.2.3.", "1.2.3.4 ", "1000.1.1.1", "::ffff:1.2.3.4", "2001:db8::1", "", "١.٢.٣.٤",
        ]
        for text in random + edges {
            let fast = StoredText.ipv4(text)
            #expect(fast == nil || fast == IPAddress(text), "\(text.debugDescription)")
        }
        for _ in 0..<20_000 {
            let address = IPAddress.v4(UInt32.random(in: 0...UInt32.max, using: &generator))
            #expect(StoredText.ipv4(address.description) == address)
        }
    }

    /// Evidence as the encoder stores it, escapes and all, is read without the decoder; anything unusual (other
    /// members, a member twice, other types, trailing text, a surrogate escape) is the decoder's, which reads it or
    /// drops the evidence.
    @Test func evidenceIsReadAsTheDecoderReadsItOrLeftToIt() throws {
        let stored = [
            [], [Evidence("tcp.connect", "10.0.0.1:3306 accepted in 405 µs")],
            [Evidence("a", ""), Evidence("", "😀 / , : { } [ ]"), Evidence("x.y", "z")],
            [Evidence("a/b", "\"q\" back\\slash / \n\t\r\u{8}\u{C}\u{0}\u{1F} é 😀"), Evidence("\\", "\"")],
        ]
        for evidence in stored {
            let json = String(decoding: try JSONEncoder().encode(evidence), as: UTF8.self)
            #expect(StoredText.evidence(json) == evidence, "\(json)")
        }
        let unusual = [
            #" [ { "value" : "v" , "fact" : "f" } ] "#, #"[{"fact":"f\"q","value":"v"}]"#,
            #"[{"fact":"f","value":"v","extra":1}]"#, #"[{"fact":"f","fact":"g","value":"v"}]"#,
            #"[{"fact":"f"}]"#, #"[{"fact":"f","value":2}]"#, #"[{"fact":"f","value":"v"}] x"#,
            #"[{"fact":"f","value":"v"},]"#,
            "[{\"fact\":\"f\",\"value\":\"a\tb\"}]", #"[{"fact":"f","value":"\u00b5"}]"#,
            #"[{"fact":"\uD83D\uDE00","value":"\u00E9\u00e9"}]"#, #"[{"fact":"\uZZZZ","value":"\q"}]"#,
            #"[{"fact":"\u00"#, "", "[", "{}", "null",
        ]
        for json in unusual {
            let decoded = try? JSONDecoder().decode([Evidence].self, from: Data(json.utf8))
            let fast = StoredText.evidence(json)
            #expect(fast == nil || fast == decoded, "\(json)")
        }
        #expect(StoredText.evidence(unusual[0]) == [Evidence("f", "v")], "white space and member order")
        #expect(StoredText.evidence(unusual[1]) == [Evidence("f\"q", "v")])
    }
}
