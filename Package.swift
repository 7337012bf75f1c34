// swift-tools-version:6.0
// scms-electors — elector-based root management for the SCMS, as Swift services over Kafka.
import PackageDescription

/// Strict settings every Swift target shares.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "scms-electors",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "BallotCodec", targets: ["BallotCodec"]),
        .library(name: "ElectorCrypto", targets: ["ElectorCrypto"]),
        .library(name: "RootManagement", targets: ["RootManagement"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "ServiceKit", targets: ["ServiceKit"]),
        .executable(name: "electorctl", targets: ["ElectorCtl"]),
        .executable(name: "scms-devbroker", targets: ["DevBroker"]),
        .executable(name: "endorsement-intake", targets: ["EndorsementIntake"]),
        .executable(name: "quorum-validator", targets: ["QuorumValidator"]),
        .executable(name: "gccf-assembler", targets: ["GCCFAssembler"]),
        .executable(name: "expiry-watcher", targets: ["ExpiryWatcher"]),
        .executable(name: "lag-monitor", targets: ["LagMonitor"]),
        .executable(name: "scms-bench", targets: ["Bench"]),
    ],
    targets: [
        // C libraries from Debian (deploy/dev/bootstrap installs them).
        .systemLibrary(name: "CRdKafka", path: "Shared/CRdKafka", pkgConfig: "rdkafka",
                       providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Shared/COpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),

        // Shared libraries. Dependencies point one way:
        // Services → ServiceKit/Kafka/RootManagement → ElectorCrypto → BallotCodec.
        .target(name: "BallotCodec", path: "Shared/BallotCodec", exclude: ["ScmsElectorsExtensions.asn", "ScmsElectorsRecords.asn", "ASN1"],
                swiftSettings: strict),
        .target(name: "ElectorCrypto", dependencies: ["BallotCodec", "COpenSSL"],
                path: "Shared/ElectorCrypto", swiftSettings: strict),
        .target(name: "RootManagement", dependencies: ["BallotCodec", "ElectorCrypto"],
                path: "Shared/RootManagement", swiftSettings: strict),
        .target(name: "Kafka", dependencies: ["CRdKafka"], path: "Shared/Kafka", swiftSettings: strict),
        .target(name: "ServiceKit", dependencies: ["Kafka", "BallotCodec"],
                path: "Shared/ServiceKit", swiftSettings: strict),

        // Executables.
        .executableTarget(name: "ElectorCtl",
                          dependencies: ["BallotCodec", "ElectorCrypto", "RootManagement", "Kafka", "ServiceKit"],
                          path: "Services/ElectorCtl", swiftSettings: strict),
        .executableTarget(name: "DevBroker", dependencies: ["Kafka", "CRdKafka", "ServiceKit"],
                          path: "Services/DevBroker", swiftSettings: strict),
        .executableTarget(name: "EndorsementIntake",
                          dependencies: ["BallotCodec", "ElectorCrypto", "RootManagement", "Kafka", "ServiceKit"],
                          path: "Services/EndorsementIntake", swiftSettings: strict),
        .executableTarget(name: "QuorumValidator",
                          dependencies: ["BallotCodec", "ElectorCrypto", "RootManagement", "Kafka", "ServiceKit"],
                          path: "Services/QuorumValidator", swiftSettings: strict),
        .executableTarget(name: "GCCFAssembler",
                          dependencies: ["BallotCodec", "ElectorCrypto", "RootManagement", "Kafka", "ServiceKit"],
                          path: "Services/GCCFAssembler", swiftSettings: strict),
        .executableTarget(name: "ExpiryWatcher",
                          dependencies: ["BallotCodec", "ElectorCrypto", "RootManagement", "Kafka", "ServiceKit"],
                          path: "Services/ExpiryWatcher", swiftSettings: strict),
        .executableTarget(name: "LagMonitor", dependencies: ["Kafka", "ServiceKit"],
                          path: "Services/LagMonitor", swiftSettings: strict),
        .executableTarget(name: "Bench",
                          dependencies: ["BallotCodec", "ElectorCrypto", "RootManagement", "Kafka", "CRdKafka",
                                         "ServiceKit", "CKafkaReference"],
                          path: "Benchmarks/Bench", swiftSettings: strict),
        // Plain C librdkafka loops: the same-run reference of the Kafka benchmark.
        .target(name: "CKafkaReference", path: "Benchmarks/CKafkaReference",
                linkerSettings: [.linkedLibrary("rdkafka")]),

        // Tests.
        // Fixture loading shared by the test targets (reads Tests/Fixtures relative to this source file).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "BallotCodecTests", dependencies: ["BallotCodec", "TestSupport"],
                    path: "Tests/BallotCodecTests"),
        .testTarget(name: "ElectorCryptoTests", dependencies: ["TestSupport", "ElectorCrypto", "BallotCodec"],
                    path: "Tests/ElectorCryptoTests"),
        .testTarget(name: "RootManagementTests", dependencies: ["TestSupport", "RootManagement", "ElectorCrypto", "BallotCodec"],
                    path: "Tests/RootManagementTests"),
        .testTarget(name: "KafkaTests", dependencies: ["TestSupport", "Kafka", "CRdKafka", "ServiceKit"],
                    path: "Tests/KafkaTests"),
        .testTarget(name: "ServiceKitTests", dependencies: ["TestSupport", "ServiceKit"], path: "Tests/ServiceKitTests"),
        .testTarget(name: "LagMonitorTests", dependencies: ["Kafka"], path: "Tests/LagMonitorTests"),
        .testTarget(name: "ElectorCtlTests", dependencies: ["TestSupport", "BallotCodec", "ElectorCrypto"],
                    path: "Tests/ElectorCtlTests"),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "BallotCodec", "ElectorCrypto", "Kafka",
                                                          "RootManagement", "ServiceKit"],
                    path: "Tests/EndToEndTests"),
        // deploy/ (topics, compose, Kubernetes, systemd, Dockerfile) against the code and the services' --help.
        .testTarget(name: "DeployTests", dependencies: ["TestSupport", "ServiceKit", "ElectorCrypto"],
                    path: "Tests/DeployTests"),
    ]
)
