import Testing
import TestSupport

@Test func fixturesPresent() throws {
    #expect(try Fixtures.names(withSuffix: ".hex").count > 20)
}
