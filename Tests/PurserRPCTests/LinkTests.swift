import Testing
@testable import PurserRPC

@Test func linksAgainstOpenSSL3() { #expect(openSSLVersion().hasPrefix("OpenSSL 3")) }
