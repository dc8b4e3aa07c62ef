import Testing
@testable import PurserPostgres

@Test func linksAgainstLibpq15OrLater() { #expect(libpqVersion() >= 150000) }
