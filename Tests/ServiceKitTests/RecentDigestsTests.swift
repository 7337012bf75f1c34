import ServiceKit
import Testing

@Suite struct RecentDigestsTests {
    @Test func remembersUntilFullThenForgetsTheOldestFirst() {
        let digests = RecentDigests(capacity: 3)
        #expect(digests.insert("a"))
        #expect(digests.insert("b"))
        #expect(!digests.insert("a"), "a duplicate is refused while remembered")
        #expect(digests.insert("c"))
        #expect(digests.count == 3 && digests.forgotten == 0)

        #expect(digests.insert("d"), "full: d makes it forget a, the oldest")
        #expect(digests.count == 3 && digests.forgotten == 1)
        #expect(!digests.contains("a"))
        #expect(digests.contains("b") && digests.contains("c") && digests.contains("d"))
        #expect(!digests.insert("b"), "a refused duplicate does not move b")
        #expect(digests.insert("e"), "so e makes it forget b next")
        #expect(!digests.contains("b") && digests.contains("c"))
        #expect(digests.insert("a"), "a forgotten digest is new again")
        #expect(digests.count == 3 && digests.forgotten == 3)
    }

    @Test func staysWithinItsCapacityOverALongStream() {
        let digests = RecentDigests(capacity: 1_000)
        for index in 0..<25_000 { digests.insert("digest-\(index)") }
        #expect(digests.count == 1_000)
        #expect(digests.forgotten == 24_000)
        #expect(digests.contains("digest-24999") && digests.contains("digest-24000"))
        #expect(!digests.contains("digest-23999"))
        #expect(RecentDigests(capacity: 0).capacity == 1)
    }
}
