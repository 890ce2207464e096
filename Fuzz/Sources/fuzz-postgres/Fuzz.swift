import FuzzDriver
import FuzzTargets

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTarget.postgres.testOneInput(data, size)
}

@main
enum Main {
    static func main() { LibFuzzer.main() }
}
