import Testing
@testable import PurserEmail

@Suite struct SMTPAdmissionTests {
    @Test func oneAddressGetsAtMostItsShareAndOthersStillGetIn() {
        var admission = SMTPAdmission(maxConnections: 5, maxPerAddress: 2)
        #expect(admission.admit("192.0.2.1") == .admitted)
        #expect(admission.admit("192.0.2.1") == .admitted)
        #expect(admission.admit("192.0.2.1") == .addressFull)
        #expect(admission.admit("198.51.100.7") == .admitted)
        #expect(admission.openConnections == 3)
        #expect(admission.openConnections(from: "192.0.2.1") == 2)
        admission.release("192.0.2.1")
        #expect(admission.admit("192.0.2.1") == .admitted)
        #expect(admission.openConnections == 3)
    }

    @Test func theListenerCapHoldsAcrossAddresses() {
        var admission = SMTPAdmission(maxConnections: 3, maxPerAddress: 2)
        for address in ["a", "b", "c"] { #expect(admission.admit(address) == .admitted) }
        #expect(admission.admit("d") == .listenerFull)
        #expect(admission.admit("a") == .listenerFull)
        admission.release("b")
        #expect(admission.admit("d") == .admitted)
    }

    @Test func releasingAnAddressNeverAdmittedChangesNothing() {
        var admission = SMTPAdmission(maxConnections: 3, maxPerAddress: 1)
        #expect(admission.admit("a") == .admitted)
        admission.release("z")
        admission.release("a")
        admission.release("a")
        #expect(admission.openConnections == 0)
        #expect(admission.admit("a") == .admitted)
    }

    @Test func refusalsAre421AndAdmissionHasNone() {
        #expect(SMTPAdmission.Verdict.admitted.refusal == nil)
        #expect(SMTPAdmission.Verdict.listenerFull.refusal?.bytes == Array("421 4.7.0 Too many connections, try again later\r\n".utf8))
        #expect(
            SMTPAdmission.Verdict.addressFull.refusal?.bytes
                == Array("421 4.7.0 Too many connections from your address, try again later\r\n".utf8))
    }

    @Test(arguments: [
        ("127.0.0.1:40000", "127.0.0.1"), ("[::1]:2525", "::1"), ("[2001:DB8::1]:25", "2001:db8::1"),
        ("[::ffff:192.0.2.9]:1234", "192.0.2.9"), ("unknown", "unknown"),
    ])
    func connectionsAreCountedByIPAddressWithoutThePort(peer: String, address: String) {
        #expect(SMTPAdmission.address(ofPeer: peer) == address)
    }
}
