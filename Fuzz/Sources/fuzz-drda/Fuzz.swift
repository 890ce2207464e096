import FuzzDriver
import FuzzTargets

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTarget.drda.testOneInput(data, size)
}

@main
enum Main {
    static func main() { LibFuzzer.main() }
}
