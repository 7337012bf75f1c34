import CFuzz
import FuzzHarness
import Glibc

// libFuzzer target: ValidatedBallot and ExpiryEvent (the services' records).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    guard let data else { return 0 }
    fuzzOne(.records, Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
exit(status)
