import DBScoutProtocols
import NIOCore
import Testing

/// Documents shaped like MongoDB 7.0's `hello` (replica-set primary) and `buildInfo` replies, following the field
/// layout in MongoDB's documentation. No server-side MongoDB trace exists, so the bytes in ``helloBytes`` and
/// ``buildInfoBytes`` were produced by an independent encoder: PyMongo's `bson` module (Debian python3-bson 3.11),
/// `bson.BSON.encode(SON([...]))` over the same fields. Reply parsing is therefore checked against the spec and
/// PyMongo, not against a real server.
enum MongoDBReplyFixtures {
    static let stamp = BSONValue.timestamp(1_714_564_800 << 32 | 1)
    static let time = BSONValue.dateTime(1_714_564_800_000)

    static let hello: BSONDocument = [
        "topologyVersion": .document(["processId": .objectID(bytes("6632a1b0c3d4e5f601020304")), "counter": .int64(6)]),
        "hosts": .array(["mongo1:27017", "mongo2:27017"]),
        "setName": "rs0",
        "setVersion": 1,
        "isWritablePrimary": true,
        "secondary": false,
        "primary": "mongo1:27017",
        "me": "mongo1:27017",
        "electionId": .objectID(bytes("7fffffff0000000000000001")),
        "lastWrite": .document(["opTime": .document(["ts": stamp, "t": .int64(1)]), "lastWriteDate": time]),
        "maxBsonObjectSize": 16_777_216,
        "maxMessageSizeBytes": 48_000_000,
        "maxWriteBatchSize": 100_000,
        "localTime": time,
        "logicalSessionTimeoutMinutes": 30,
        "connectionId": 12,
        "minWireVersion": 0,
        "maxWireVersion": 21,
        "readOnly": false,
        "ok": 1.0,
        "$clusterTime": .document([
            "clusterTime": stamp,
            "signature": .document([
                "hash": .binary(subtype: 0, bytes: Array(repeating: 0, count: 20)), "keyId": .int64(0),
            ]),
        ]),
        "operationTime": stamp,
    ]

    static let buildInfo: BSONDocument = [
        "version": "7.0.14",
        "gitVersion": "0123456789abcdef0123456789abcdef01234567",
        "modules": .array([]),
        "allocator": "tcmalloc",
        "javascriptEngine": "mozjs",
        "sysInfo": "deprecated",
        "versionArray": .array([7, 0, 14, 0]),
        "buildEnvironment": .document([
            "distmod": "ubuntu2204", "distarch": "x86_64", "target_arch": "x86_64", "target_os": "linux",
        ]),
        "bits": 64,
        "debug": false,
        "maxBsonObjectSize": 16_777_216,
        "storageEngines": .array(["devnull", "wiredTiger"]),
        "ok": 1.0,
        // Not in a real reply: covers double, null and a negative int64.
        "pi": 3.5,
        "nothing": .null,
        "big": .int64(-5_000_000_000),
    ]

    static let unauthorized: BSONDocument = [
        "ok": 0.0, "errmsg": "command buildInfo requires authentication", "code": 13, "codeName": "Unauthorized",
    ]

    static let helloBytes = bytes(
        "9402000003746f706f6c6f677956657273696f6e002d0000000770726f636573734964006632a1b0c3d4e5f601020304126"
            + "36f756e7465720006000000000000000004686f737473002d0000000230000d0000006d6f6e676f313a3237303137000231"
            + "000d0000006d6f6e676f323a32373031370000027365744e616d650004000000727330001073657456657273696f6e0001"
            + "0000000869735772697461626c655072696d6172790001087365636f6e646172790000027072696d617279000d0000006d6f"
            + "6e676f313a323730313700026d65000d0000006d6f6e676f313a32373031370007656c656374696f6e4964007fffffff00"
            + "00000000000001036c61737457726974650040000000036f7054696d65001c0000001174730001000000c02e326612740001"
            + "0000000000000000096c61737457726974654461746500009e06348f01000000106d617842736f6e4f626a65637453697a"
            + "650000000001106d61784d65737361676553697a65427974657300006cdc02106d61785772697465426174636853697a6500"
            + "a0860100096c6f63616c54696d6500009e06348f010000106c6f676963616c53657373696f6e54696d656f75744d696e7574"
            + "6573001e00000010636f6e6e656374696f6e4964000c000000106d696e5769726556657273696f6e0000000000106d617857"
            + "69726556657273696f6e001500000008726561644f6e6c790000016f6b00000000000000f03f0324636c757374657254696d"
            + "65005800000011636c757374657254696d650001000000c02e3266037369676e61747572650033000000056861736800140000"
            + "00000000000000000000000000000000000000000000126b657949640000000000000000000000116f7065726174696f6e5469"
            + "6d650001000000c02e326600"
    )

    static let buildInfoBytes = bytes(
        "d90100000276657273696f6e0007000000372e302e3134000267697456657273696f6e002900000030313233343536373839"
            + "61626364656630313233343536373839616263646566303132333435363700046d6f64756c657300050000000002616c6c6f"
            + "6361746f72000900000074636d616c6c6f6300026a617661736372697074456e67696e6500060000006d6f7a6a7300027379"
            + "73496e666f000b00000064657072656361746564000476657273696f6e417272617900210000001030000700000010310000"
            + "0000001032000e0000001033000000000000036275696c64456e7669726f6e6d656e74005f00000002646973746d6f64000b"
            + "0000007562756e7475323230340002646973746172636800070000007838365f363400027461726765745f61726368000700"
            + "00007838365f363400027461726765745f6f7300060000006c696e75780000106269747300400000000864656275670000106d"
            + "617842736f6e4f626a65637453697a6500000000010473746f72616765456e67696e65730026000000023000080000006465"
            + "766e756c6c000231000b000000776972656454696765720000016f6b00000000000000f03f017069000000000000000c400a6e"
            + "6f7468696e67001262696700000efad5feffffff00"
    )

    static let unauthorizedBytes = bytes(
        "6c000000016f6b000000000000000000026572726d7367002a000000636f6d6d616e64206275696c64496e666f20726571756972"
            + "65732061757468656e7469636174696f6e0010636f6465000d00000002636f64654e616d65000d000000556e617574686f7269"
            + "7a65640000"
    )

    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).compactMap {
            UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)
        }
    }
}

@Suite("MongoDB BSON")
struct MongoDBBSONTests {
    private static let fixtures = [
        "hello": (MongoDBReplyFixtures.hello, MongoDBReplyFixtures.helloBytes),
        "buildInfo": (MongoDBReplyFixtures.buildInfo, MongoDBReplyFixtures.buildInfoBytes),
        "unauthorized": (MongoDBReplyFixtures.unauthorized, MongoDBReplyFixtures.unauthorizedBytes),
    ]

    @Test(arguments: ["hello", "buildInfo", "unauthorized"])
    func writerAndReaderAgreeWithPyMongo(name: String) throws {
        let (document, pymongo) = try #require(Self.fixtures[name])
        #expect(Array(BSONWriter.encode(document).readableBytesView) == pymongo, "\(name): writer differs")
        guard case .message(let decoded, let consumed) = BSONReader.decode(ByteBuffer(bytes: pymongo)) else {
            Issue.record("\(name): PyMongo's bytes must decode")
            return
        }
        #expect(consumed == pymongo.count)
        #expect(decoded == document)
    }

    @Test func readerExposesNestedFields() throws {
        let hello = try #require(BSONReader.decode(ByteBuffer(bytes: MongoDBReplyFixtures.helloBytes)).value)
        #expect(hello["maxWireVersion"]?.int == 21)
        #expect(hello["setName"]?.string == "rs0")
        #expect(hello["hosts"]?.array?.compactMap(\.string) == ["mongo1:27017", "mongo2:27017"])
        #expect(hello[["$clusterTime", "signature", "keyId"]] == .int64(0))
        #expect(hello["ok"]?.int == 1)
        #expect(hello["missing"] == nil)
    }

    @Test func nestingIsBounded() {
        var document: BSONDocument = ["leaf": 1]
        for _ in 0...BSONReader.maxDepth { document = ["child": .document(document)] }
        guard case .invalid(let reason) = BSONReader.decode(BSONWriter.encode(document)) else {
            Issue.record("documents nested past the cap must be rejected")
            return
        }
        #expect(reason.contains("nest"))
        var shallow: BSONDocument = ["leaf": 1]
        for _ in 0..<BSONReader.maxDepth { shallow = ["child": .document(shallow)] }
        #expect(BSONReader.decode(BSONWriter.encode(shallow)).value == shallow)
    }

    @Test(arguments: [
        // length 5 but the last byte is not NUL
        ("bad terminator", [0x05, 0, 0, 0, 1] as [UInt8]),
        // a string whose length runs past the document
        ("string overrun", [0x10, 0, 0, 0, 0x02, 0x61, 0, 0x40, 0, 0, 0, 0x62, 0, 0, 0, 0]),
        // a string without its NUL
        ("string unterminated", [0x0e, 0, 0, 0, 0x02, 0x61, 0, 0x02, 0, 0, 0, 0x62, 0x63, 0]),
        // boolean byte 2
        ("boolean 2", [0x09, 0, 0, 0, 0x08, 0x61, 0, 0x02, 0]),
        // a regular expression (0x0B), which a handshake never carries
        ("regex", [0x0a, 0, 0, 0, 0x0b, 0x61, 0, 0, 0, 0]),
        // an element name without NUL
        ("key unterminated", [0x07, 0, 0, 0, 0x10, 0x61, 0]),
        // an int32 cut short
        ("int32 short", [0x0a, 0, 0, 0, 0x10, 0x61, 0, 1, 2, 0]),
        // a sub-document longer than its parent
        ("child overrun", [0x0d, 0, 0, 0, 0x03, 0x61, 0, 0x40, 0, 0, 0, 0, 0]),
        // a string that is not UTF-8
        ("not utf-8", [0x0f, 0, 0, 0, 0x02, 0x61, 0, 0x02, 0, 0, 0, 0xff, 0, 0, 0]),
        // a declared length below the minimum
        ("length 4", [0x04, 0, 0, 0, 0]),
        // a declared length above the cap
        ("length 1 GiB", [0, 0, 0, 0x40, 0]),
    ])
    func malformedDocumentsAreRejected(name: String, bytes: [UInt8]) {
        guard case .invalid = BSONReader.decode(ByteBuffer(bytes: bytes)) else {
            Issue.record("\(name) must be rejected")
            return
        }
    }
}
