import CFuzz
import Glibc
import VerifierHarness

// libFuzzer target: the ballot verifier (RootManagement) with a fixed trusted set, quorum and time.
let fuzzer = VerifierFuzzer()
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    guard let data else { return 0 }
    fuzzer.fuzzOne(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
exit(status)
