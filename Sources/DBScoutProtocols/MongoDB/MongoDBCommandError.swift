/// A command's failure as MongoDB 3.4 and later report it: `{ok: 0, errmsg: "...", code: 13, codeName: "..."}`.
///
/// The shape is MongoDB's own: all four fields, with these types, in one reply document.
public struct MongoDBCommandError: Sendable, Hashable {
    /// `Unauthorized`: the command needs authentication.
    public static let unauthorized = 13
    /// `CommandNotFound`: e.g. `hello` on a server older than 4.4.2 and the matching 3.6/4.0/4.2 patches.
    public static let commandNotFound = 59

    public let code: Int
    public let codeName: String
    public let message: String

    /// The error in `document`, or `nil` when the document is not a MongoDB command error.
    public init?(_ document: BSONDocument) {
        guard document["ok"].map(MongoDBCommandError.isZero) == true,
            let message = document["errmsg"]?.string,
            let code = document["code"]?.int,
            let codeName = document["codeName"]?.string, !codeName.isEmpty
        else { return nil }
        self.code = code
        self.codeName = codeName
        self.message = message
    }

    private static func isZero(_ value: BSONValue) -> Bool {
        value.int == 0 || value.bool == false
    }
}
