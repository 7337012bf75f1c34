import Foundation
import Testing
import TestSupport

/// Help, usage errors and TIME parsing.
@Suite struct UsageTests {
    static let commands: [[String]] = [
        [], ["inspect"], ["elector"], ["elector", "init"], ["root", "init"], ["ma", "init"], ["endorse"],
        ["ballot"], ["ballot", "assemble"], ["ballot", "verify"], ["gccf"], ["gccf", "build"], ["gccf", "verify"],
        ["lccf"], ["lccf", "derive"], ["lccf", "check"], ["what-if"],
    ]

    @Test("--help prints the usage and exits 0", arguments: commands)
    func help(path: [String]) throws {
        let run = try ctl(path + ["--help"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.out.contains("USAGE: " + (["electorctl"] + path).joined(separator: " ")))
        #expect(run.out.contains("OVERVIEW: "))
        // `help <path>` is the same screen.
        if !path.isEmpty {
            #expect(try ctl(["help"] + path).out == run.out)
        }
    }

    @Test("usage errors exit 64 with the usage line", arguments: [
        ["inspect"],                                        // missing positional
        ["inspect", "--bogus", "x"],                        // unknown option
        ["inspect", "--type", "jpeg", "x"],                 // value not allowed
        ["ballot"],                                         // group without subcommand
        ["ballot", "frobnicate"],                           // unknown subcommand
        ["ballot", "verify", "--anchors", "a", "b"],        // missing --quorum
        ["ballot", "verify", "--anchors", "a", "--quorum", "0", "b"],
        ["ballot", "verify", "--anchors", "a", "--quorum", "two", "b"],
        ["endorse", "--key", "k", "--cert", "c", "--target", "t", "--out", "o", "--at", "yesterday"],
        ["endorse", "--key", "k", "--cert", "c", "--target", "t", "--out", "o", "--at", "2023-02-30"],
        ["endorse", "--key", "k", "--cert", "c", "--target", "t", "--out", "o", "--at", "2023-01-05T10:40:00"],
        ["endorse", "--key", "k", "--cert", "c", "--target", "t", "--out", "o", "--at", "99999999999"],
        ["--leap-seconds", "x", "inspect", "f"],
        ["gccf", "build", "--anchors", "a", "--quorum", "2", "--at", "1", "--version", "70000", "--ma-cert", "m",
         "--out", "o", "b"],
    ])
    func usageErrors(arguments: [String]) throws {
        let run = try ctl(arguments)
        #expect(run.status == 64, "\(arguments): \(run.stderr)")
        #expect(run.stderr.contains("Error: ") && run.stderr.contains("Usage: electorctl"), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    @Test func suggestionsForTypos() throws {
        let run = try ctl(["ballot", "verfy"])
        #expect(run.status == 64 && run.stderr.contains("Did you mean 'verify'?"))
    }

    @Test func versionAndMissingFiles() throws {
        let version = try ctl(["--version"])
        #expect(version.status == 0 && version.out.hasPrefix("electorctl "))
        let missing = try ctl(["inspect", "/nonexistent/file.coer"])
        #expect(missing.status == 74 && missing.stderr.contains("no such file"))
    }

    /// TIME: ISO-8601 UTC (with the leap-second offset) or a bare Time32 integer, seen in an endorsement's time.
    @Test(arguments: [
        (["--at", "2023-01-05T10:40:00Z"], 600_000_005),
        (["--at", "2023-01-05T10:39:55Z"], 600_000_000),
        (["--at", "2023-01-05T11:40:00+01:00"], 600_000_005),
        (["--at", "2023-01-05T10:40:00.999Z"], 600_000_005),
        (["--at", "600001000"], 600_001_000),
        (["--leap-seconds", "0", "--at", "2023-01-05T10:40:00Z"], 600_000_000),
        (["--at", "2023-01-06"], 600_048_005),
    ])
    func timeParsing(options: [String], expected: Int) throws {
        let scratch = try Scratch()
        let key = scratch.path("e1.key")
        try SetupTests.fixtureKey("elector1", to: key)
        let run = try ctl(["endorse", "--key", key, "--cert", Fixtures.url("synthetic-camp-cert-elector1.hex").path,
                           "--target", Fixtures.url("synthetic-camp-cert-elector4.hex").path,
                           "--out", scratch.path("e.coer")] + options)
        #expect(run.status == 0, "\(run.stderr)")
        let time = try #require(try run.json().object("endorsement")?.object("generationTime"))
        #expect(time.int("time32") == expected)
        // The TBS time is what the file carries, and the header time is the same instant.
        let bytes = try scratch.read(scratch.path("e.coer"))
        let inspected = try ctl(["inspect", "--type", "endorsement", "--summary", scratch.path("e.coer")]).json()
        #expect(inspected.object("summary")?.object("generationTime")?.int("time32") == expected)
        #expect(inspected.object("summary")?.object("headerGenerationTime")?.int("time64") == expected * 1_000_000)
        #expect(!bytes.isEmpty)
    }
}
