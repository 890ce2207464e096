import CLibFuzzer
import FuzzTargets

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension FuzzTarget {
    /// libFuzzer's callback for this target: runs the bytes and returns 0, the only value libFuzzer accepts for
    /// an input it should keep.
    public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        run(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
}

/// The fuzz executables' entry point.
public enum LibFuzzer {
    /// Hands the process to libFuzzer, which reads its own options from the command line and calls the
    /// executable's `LLVMFuzzerTestOneInput` until a crash, a time limit or a run limit ends it.
    public static func main() -> Never {
        exit(dbscout_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
    }
}
