// swift-tools-version:6.0
// libFuzzer targets for BallotCodec, one per top-level decoder. Build and run with scripts/fuzz.sh.
// Kept out of the root package so `swift build`/`swift test` never need the fuzzer runtime.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its directory, and the checkout directory varies
/// (worktree, CI clone), so derive the root package's identity from this manifest's location.
let rootIdentity = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

let targets = ["certificate", "endorsement", "ballot", "scmsfile", "records"]

let package = Package(
    name: "BallotCodecFuzz",
    dependencies: [.package(path: "..")],
    targets: [
        // Declares libFuzzer's LLVMFuzzerRunDriver (provided by the runtime that -sanitize=fuzzer links).
        .target(name: "CFuzz", path: "Sources/CFuzz"),
        .target(name: "FuzzHarness", dependencies: [.product(name: "BallotCodec", package: rootIdentity)],
                path: "Sources/FuzzHarness",
                swiftSettings: [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("InternalImportsByDefault")]),
        // The ballot verifier (RootManagement) over arbitrary ballot bytes, with a fixed trusted set and time.
        .target(name: "VerifierHarness", dependencies: [.product(name: "RootManagement", package: rootIdentity),
                                                        .product(name: "BallotCodec", package: rootIdentity)],
                path: "Sources/VerifierHarness",
                swiftSettings: [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("InternalImportsByDefault")]),
        .executableTarget(name: "fuzz-verifier", dependencies: ["CFuzz", "VerifierHarness"], path: "Sources/fuzz-verifier"),
    ] + targets.map { name in
        .executableTarget(name: "fuzz-\(name)", dependencies: ["CFuzz", "FuzzHarness"], path: "Sources/fuzz-\(name)")
    }
)
