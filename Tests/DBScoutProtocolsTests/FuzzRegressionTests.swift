import Foundation
import Testing

/// Replays the inputs under Tests/Fixtures/FuzzRegressions/<target>/ (crashes the fuzzers found, once fixed, and
/// inputs they kept for the coverage they reach) through the code the libFuzzer targets run: `FuzzTargets` is the
/// same folder as Fuzz/Sources/FuzzTargets, linked here. Every input must come back without a trap.
@Suite("Fuzz regressions replay")
struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/FuzzRegressions")

    static func entries(of folder: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.path < $1.path }
    }

    @Test(arguments: FuzzTarget.allCases)
    func everyInputRunsToTheEnd(_ target: FuzzTarget) throws {
        let files = try Self.entries(of: Self.folder.appendingPathComponent(target.rawValue))
        #expect(!files.isEmpty, "no regression inputs for \(target.rawValue)")
        for file in files {
            target.run(Array(try Data(contentsOf: file)))
        }
    }

    @Test func everyFolderIsATarget() throws {
        let names = try Self.entries(of: Self.folder).map(\.lastPathComponent)
        #expect(Set(names) == Set(FuzzTarget.allCases.map(\.rawValue)))
    }
}
