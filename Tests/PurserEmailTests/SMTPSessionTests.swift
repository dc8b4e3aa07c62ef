import Testing
@testable import PurserEmail

@Suite struct SMTPSessionTests {
    private let hello = "EHLO client.example\r\n"

    @Test func fullDialogueDeliversTheMessageWithExactReplies() throws {
        var driver = SMTPDriver()
        driver.feed(hello)
        driver.feed("MAIL FROM:<alice@example.org> SIZE=40 BODY=8BITMIME\r\n")
        driver.feed("RCPT TO:<Agent-7@Purser.TEST>\r\n")
        driver.feed("DATA\r\n")
        driver.feed("Subject: hi\r\n\r\nhello\r\n.\r\n")
        driver.feed("QUIT\r\n")
        #expect(driver.codes == ["220", "250", "250 2.1.0", "250 2.1.5", "354", "250 2.0.0", "221 2.0.0"])
        #expect(driver.transcript.last == .close)
        #expect(driver.session.isClosed)
        let delivery = try #require(driver.deliveries.first)
        #expect(delivery.message == Array("Subject: hi\r\n\r\nhello\r\n".utf8))
        #expect(
            delivery.envelope
                == SMTPEnvelope(
                    clientName: "client.example", sender: MailAddress(localPart: "alice", domain: "example.org"),
                    recipients: [MailAddress(localPart: "Agent-7", domain: "purser.test")], declaredSize: 40,
                    eightBitMIME: true, overTLS: false))
        #expect(driver.transcript.contains(.checkRecipient(MailAddress(localPart: "Agent-7", domain: "PURSER.test"))))
    }

    @Test func ehloAdvertisesCapabilitiesAndHeloDoesNot() {
        var driver = SMTPDriver(configuration: SMTPConfiguration(hostname: "mx.purser.test", maxMessageSize: 1234, startTLSAvailable: true))
        driver.feed(hello)
        driver.feed("HELO other\r\n")
        #expect(
            driver.transcript[1]
                == .reply(SMTPReply(code: 250, lines: ["mx.purser.test", "SIZE 1234", "PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES", "STARTTLS"])))
        #expect(driver.transcript[2] == .reply(SMTPReply(250, nil, "mx.purser.test")))
        #expect(
            SMTPReply(code: 250, lines: ["a", "SIZE 1"]).bytes == Array("250-a\r\n250 SIZE 1\r\n".utf8))
        #expect(SMTPReply(550, "5.1.1", "No").bytes == Array("550 5.1.1 No\r\n".utf8))
    }

    @Test func pipelinedCommandsInOneChunkAreAnsweredInOrder() {
        var driver = SMTPDriver()
        driver.feed(
            "EHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<agent-7@purser.test>\r\nRCPT TO:<nobody@purser.test>\r\nDATA\r\n")
        #expect(driver.codes(after: 1) == ["250", "250 2.1.0", "250 2.1.5", "550 5.1.1", "354"])
    }

    @Test func pendingLookupHoldsBackLaterPipelinedCommands() {
        var session = SMTPSession(configuration: SMTPConfiguration(hostname: "mx"))
        _ = session.receive(Array("EHLO x\r\nMAIL FROM:<>\r\n".utf8))
        let first = session.receive(Array("RCPT TO:<agent-7@purser.test>\r\nNOOP\r\n".utf8))
        #expect(first == [.checkRecipient(MailAddress(localPart: "agent-7", domain: "purser.test"))])
        #expect(session.receive(Array("RSET\r\n".utf8)).isEmpty)
        let resumed = session.recipientChecked(.accepted)
        #expect(resumed == [.reply(SMTPReply(250, "2.1.5", "Recipient OK")), .reply(SMTPReply(250, "2.0.0", "OK")), .reply(SMTPReply(250, "2.0.0", "OK"))])
    }

    @Test func nullSenderIsAccepted() throws {
        var driver = SMTPDriver()
        driver.feed(hello + "MAIL FROM:<>\r\nRCPT TO:<agent-7@purser.test>\r\nDATA\r\nbounce\r\n.\r\n")
        let delivery = try #require(driver.deliveries.first)
        #expect(delivery.envelope.sender == nil)
        #expect(driver.codes(after: 1) == ["250", "250 2.1.0", "250 2.1.5", "354", "250 2.0.0"])
    }

    @Test(arguments: [
        ("..hello\r\n", ".hello\r\n"),
        ("...\r\n", "..\r\n"),
        ("a\r\n..\r\nb\r\n", "a\r\n.\r\nb\r\n"),
        ("", ""),
        ("x.\r\n", "x.\r\n"),
        (". leading dot without stuffing\r\n", " leading dot without stuffing\r\n"),
    ])
    func dotStuffingIsRemoved(body: String, stored: String) throws {
        var driver = SMTPDriver()
        driver.feed(hello + "MAIL FROM:<a@b.example>\r\nRCPT TO:<agent-7@purser.test>\r\nDATA\r\n" + body + ".\r\n")
        let delivery = try #require(driver.deliveries.first)
        #expect(delivery.message == Array(stored.utf8))
    }

    @Test func declaredSizeOverTheLimitIsRefused() {
        var driver = SMTPDriver(configuration: SMTPConfiguration(hostname: "mx", maxMessageSize: 100))
        driver.feed(hello + "MAIL FROM:<a@b.example> SIZE=101\r\nRCPT TO:<agent-7@purser.test>\r\nMAIL FROM:<a@b.example> SIZE=100\r\n")
        #expect(driver.codes(after: 1) == ["250", "552 5.3.4", "503 5.5.1", "250 2.1.0"])
    }

    @Test func actualDataOverTheLimitIsReadToTheEndThenRefused() {
        var driver = SMTPDriver(configuration: SMTPConfiguration(hostname: "mx", maxMessageSize: 100))
        let line = String(repeating: "x", count: 48) + "\r\n"
        driver.feed(hello + "MAIL FROM:<a@b.example>\r\nRCPT TO:<agent-7@purser.test>\r\nDATA\r\n")
        driver.feed(line + line + ".\r\n")  // exactly 100 bytes: accepted
        driver.feed("MAIL FROM:<a@b.example>\r\nRCPT TO:<agent-7@purser.test>\r\nDATA\r\n")
        driver.feed(line + line + "x\r\n" + ".\r\n")  // 103 bytes
        driver.feed("RCPT TO:<agent-7@purser.test>\r\nNOOP\r\n")
        #expect(driver.codes(after: 1) == ["250", "250 2.1.0", "250 2.1.5", "354", "250 2.0.0", "250 2.1.0", "250 2.1.5", "354", "552 5.3.4", "503 5.5.1", "250 2.0.0"])
        #expect(driver.deliveries.count == 1)
        #expect(driver.deliveries.first?.message.count == 100)
    }

    @Test(arguments: [SMTPSession.RecipientVerdict.unknown, .disabled])
    func unknownOrDisabledRecipientGets550(verdict: SMTPSession.RecipientVerdict) {
        var driver = SMTPDriver(directory: ["off@purser.test": verdict])
        driver.feed(hello + "MAIL FROM:<a@b.example>\r\nRCPT TO:<off@purser.test>\r\nDATA\r\n")
        #expect(driver.codes(after: 1) == ["250", "250 2.1.0", "550 5.1.1", "554 5.5.1"])
    }

    @Test func temporaryFailuresAskTheClientToRetry() {
        var driver = SMTPDriver(directory: ["busy@purser.test": .temporarilyUnavailable, "db@purser.test": .lookupFailed, "agent-7@purser.test": .accepted])
        driver.deliveryOutcome = .failed
        driver.feed(hello + "MAIL FROM:<a@b.example>\r\nRCPT TO:<busy@purser.test>\r\nRCPT TO:<db@purser.test>\r\nRCPT TO:<agent-7@purser.test>\r\nDATA\r\nx\r\n.\r\nRCPT TO:<agent-7@purser.test>\r\n")
        #expect(driver.codes(after: 1) == ["250", "250 2.1.0", "450 4.2.1", "451 4.3.0", "250 2.1.5", "354", "451 4.3.0", "503 5.5.1"])
    }

    @Test func commandsOutOfSequenceGet503() {
        var driver = SMTPDriver()
        driver.feed("MAIL FROM:<a@b.example>\r\nRCPT TO:<agent-7@purser.test>\r\nDATA\r\n")
        driver.feed(hello + "DATA\r\nMAIL FROM:<a@b.example>\r\nMAIL FROM:<a@b.example>\r\nDATA\r\n")
        #expect(driver.codes(after: 1) == ["503 5.5.1", "503 5.5.1", "503 5.5.1", "250", "503 5.5.1", "250 2.1.0", "503 5.5.1", "554 5.5.1"])
    }

    @Test(arguments: [
        ("MAIL FROM:alice@example.org", "501 5.5.4"),
        ("MAIL FROM:<alice@@example.org>", "501 5.1.7"),
        ("MAIL FROM:<alice@exa mple.org>", "501 5.1.7"),
        ("MAIL FROM:<> SIZE=abc", "501 5.5.4"),
        ("MAIL FROM:<> SIZE=-1", "501 5.5.4"),
        ("MAIL FROM:<> BODY=BINARYMIME", "501 5.5.4"),
        ("MAIL FROM:<> SMTPUTF8", "555 5.5.4"),
        ("MAIL TO:<a@b.example>", "501 5.5.4"),
        ("mail from: <Alice@Example.org>", "250 2.1.0"),
        ("MAIL FROM:<@relay.example:alice@example.org>", "250 2.1.0"),
        ("MAIL FROM:<\"alice smith\"@example.org>", "250 2.1.0"),
        ("EHLO", "501 5.5.4"),
        ("FOO bar", "500 5.5.2"),
        ("", "500 5.5.2"),
        ("VRFY agent-7", "502 5.5.1"),
        ("EXPN list", "502 5.5.1"),
        ("STARTTLS", "502 5.5.1"),
        ("NOOP anything", "250 2.0.0"),
        ("RSET now", "501 5.5.4"),
        ("HELP", "214 2.0.0"),
    ])
    func eachCommandLineGetsTheRightReply(line: String, code: String) {
        var driver = SMTPDriver()
        driver.feed(hello + line + "\r\n")
        #expect(driver.codes(after: 2) == [code])
    }

    @Test(arguments: [
        ("RCPT TO:<>", "501 5.1.3"),
        ("RCPT TO:<agent-7@purser.test> NOTIFY=NEVER", "555 5.5.4"),
        ("rcpt to:<AGENT-7@purser.test>", "250 2.1.5"),
        ("RCPT TO:<postmaster>", "550 5.1.1"),
        ("RCPT TO:<agent-7@-bad.test>", "501 5.1.3"),
    ])
    func recipientSyntax(line: String, code: String) {
        var driver = SMTPDriver()
        driver.feed(hello + "MAIL FROM:<a@b.example>\r\n" + line + "\r\n")
        #expect(driver.codes(after: 3) == [code])
    }

    @Test func postmasterIsLookedUpInTheServersDomain() {
        var driver = SMTPDriver(directory: ["postmaster@mx.purser.test": .accepted])
        driver.feed(hello + "MAIL FROM:<a@b.example>\r\nRCPT TO:<Postmaster>\r\n")
        #expect(driver.codes(after: 3) == ["250 2.1.5"])
    }

    @Test func commandLinesLongerThanTheLimitGet500AndLaterCommandsStillWork() {
        var driver = SMTPDriver()
        let fits = "NOOP " + String(repeating: "a", count: 993)  // 998 + CRLF = 1000
        let tooLong = fits + "a"
        driver.feed(hello + fits + "\r\n" + tooLong + "\r\n" + tooLong + "\n")
        driver.feed(String(repeating: "b", count: 5000))
        driver.feed(String(repeating: "b", count: 5000) + "\r\nNOOP\r\n")
        #expect(driver.codes(after: 1) == ["250", "250 2.0.0", "500 5.5.2", "500 5.5.2", "500 5.5.2", "250 2.0.0"])
    }

    @Test func rsetClearsTheEnvelope() {
        var driver = SMTPDriver()
        driver.feed(hello + "MAIL FROM:<a@b.example>\r\nRCPT TO:<agent-7@purser.test>\r\nRSET\r\nDATA\r\nRCPT TO:<agent-7@purser.test>\r\nMAIL FROM:<c@d.example>\r\n")
        #expect(driver.codes(after: 1) == ["250", "250 2.1.0", "250 2.1.5", "250 2.0.0", "503 5.5.1", "503 5.5.1", "250 2.1.0"])
    }

    @Test func tooManyRecipientsGet452() {
        var driver = SMTPDriver(
            configuration: SMTPConfiguration(hostname: "mx", maxRecipients: 2),
            directory: ["a@purser.test": .accepted, "b@purser.test": .accepted, "c@purser.test": .accepted])
        driver.feed(hello + "MAIL FROM:<>\r\nRCPT TO:<a@purser.test>\r\nRCPT TO:<b@purser.test>\r\nRCPT TO:<A@purser.test>\r\nRCPT TO:<c@purser.test>\r\nDATA\r\nx\r\n.\r\n")
        #expect(driver.codes(after: 1) == ["250", "250 2.1.0", "250 2.1.5", "250 2.1.5", "250 2.1.5", "452 4.5.3", "354", "250 2.0.0"])
        #expect(driver.deliveries.first?.envelope.recipients.map(\.lookupKey) == ["a@purser.test", "b@purser.test"])
    }

    @Test func startTLSResetsTheSessionAndDiscardsPipelinedInput() throws {
        var driver = SMTPDriver(configuration: SMTPConfiguration(hostname: "mx", startTLSAvailable: true))
        driver.feed(hello + "MAIL FROM:<a@b.example>\r\nSTARTTLS\r\nRSET\r\nSTARTTLS\r\nMAIL FROM:<injected@evil.example>\r\n")
        #expect(driver.codes(after: 1) == ["250", "250 2.1.0", "503 5.5.1", "250 2.0.0", "220 2.0.0"])
        #expect(driver.transcript.last == .startTLS)
        #expect(driver.session.isTLSActive)
        driver.feed("MAIL FROM:<a@b.example>\r\nSTARTTLS\r\n" + hello)
        #expect(driver.codes(after: 6) == ["503 5.5.1", "503 5.5.1", "250"])
        guard case .reply(let ehlo) = driver.transcript.last else {
            Issue.record("expected the EHLO reply last")
            return
        }
        #expect(!ehlo.lines.contains("STARTTLS"))
        driver.feed("MAIL FROM:<a@b.example>\r\nRCPT TO:<agent-7@purser.test>\r\nDATA\r\nx\r\n.\r\n")
        #expect(try #require(driver.deliveries.first).envelope.overTLS)
    }

    @Test func bareLineEndingsInDataRefuseTheMessageAndCannotSmuggleCommands() {
        var driver = SMTPDriver()
        driver.feed(hello + "MAIL FROM:<a@b.example>\r\nRCPT TO:<agent-7@purser.test>\r\nDATA\r\n")
        driver.feed("hello\n.\nMAIL FROM:<evil@x.example>\r\nRCPT TO:<agent-7@purser.test>\r\nDATA\r\nsmuggled\r\n.\r\n")
        driver.feed("NOOP\r\n")
        #expect(driver.codes(after: 1) == ["250", "250 2.1.0", "250 2.1.5", "354", "554 5.6.0", "250 2.0.0"])
        #expect(driver.deliveries.isEmpty)
    }

    @Test func bareLineFeedsAreAcceptedInCommands() {
        var driver = SMTPDriver()
        driver.feed("EHLO x\nMAIL FROM:<a@b.example>\nNOOP\n")
        #expect(driver.codes(after: 1) == ["250", "250 2.1.0", "250 2.0.0"])
    }

    @Test func tooManyErrorsCloseTheConnectionWith421() {
        var driver = SMTPDriver(configuration: SMTPConfiguration(hostname: "mx", maxErrors: 3))
        driver.feed("BAD\r\nBAD\r\nBAD\r\nNOOP\r\n")
        #expect(driver.codes(after: 1) == ["500 5.5.2", "500 5.5.2", "500 5.5.2", "421 4.7.0"])
        #expect(driver.transcript.last == .close)
        #expect(driver.session.isClosed)
    }

    @Test func quitClosesAndLaterInputIsIgnored() {
        var driver = SMTPDriver()
        driver.feed("QUIT\r\nNOOP\r\n")
        #expect(driver.codes(after: 1) == ["221 2.0.0"])
        #expect(driver.transcript.last == .close)
        #expect(driver.session.receive(Array("NOOP\r\n".utf8)).isEmpty)
    }

    @Test func timeoutAndShutdownClose() {
        var session = SMTPSession(configuration: SMTPConfiguration(hostname: "mx"))
        #expect(session.timedOut() == [.reply(SMTPReply(421, "4.4.2", "Timeout, closing connection")), .close])
        #expect(session.timedOut().isEmpty)
        var other = SMTPSession(configuration: SMTPConfiguration(hostname: "mx"))
        #expect(other.shutDown().first == .reply(SMTPReply(421, "4.3.2", "Service shutting down, closing connection")))
    }

    @Test func junkCommandsBeyondTheLimitCloseTheConnectionWith421() {
        var driver = SMTPDriver(configuration: SMTPConfiguration(hostname: "mx", maxJunkCommands: 4))
        driver.feed("EHLO x\r\nNOOP\r\nRSET\r\nHELP\r\nNOOP\r\nNOOP\r\n")
        #expect(driver.codes(after: 1) == ["250", "250 2.0.0", "250 2.0.0", "214 2.0.0", "421 4.7.0"])
        #expect(driver.transcript.suffix(2) == [
            .reply(SMTPReply(421, "4.7.0", "Too many commands without mail, closing connection")), .close,
        ])
        #expect(driver.session.isClosed)
    }

    @Test(arguments: ["NOOP", "RSET", "HELP", "VRFY x", "EXPN x", "EHLO again", "HELO again", "NOOP with text"])
    func everyCommandThatMovesNoMessageCountsAsJunk(command: String) {
        var driver = SMTPDriver(configuration: SMTPConfiguration(hostname: "mx", maxJunkCommands: 3))
        driver.feed("EHLO x\r\n" + String(repeating: command + "\r\n", count: 3))
        #expect(driver.codes.count == 5, "\(command)")
        #expect(driver.codes.last == "421 4.7.0", "\(command)")
        #expect(driver.session.isClosed, "\(command)")
    }

    @Test func anAcceptedMessageStartsTheJunkCountAgain() {
        var driver = SMTPDriver(configuration: SMTPConfiguration(hostname: "mx", maxJunkCommands: 3))
        driver.feed("EHLO x\r\nNOOP\r\nNOOP\r\n")
        driver.feed("MAIL FROM:<a@b.example>\r\nRCPT TO:<agent-7@purser.test>\r\nDATA\r\nSubject: s\r\n\r\nbody\r\n.\r\n")
        driver.feed("NOOP\r\nRSET\r\nNOOP\r\n")
        #expect(!driver.session.isClosed)
        #expect(driver.codes(after: 1) == [
            "250", "250 2.0.0", "250 2.0.0", "250 2.1.0", "250 2.1.5", "354", "250 2.0.0", "250 2.0.0", "250 2.0.0", "250 2.0.0",
        ])
        driver.feed("NOOP\r\n")
        #expect(driver.codes.last == "421 4.7.0")
        #expect(driver.session.isClosed)
    }

    @Test func theSessionLifetimeClosesAnActiveConnection() {
        var driver = SMTPDriver()
        driver.feed("EHLO x\r\nMAIL FROM:<a@b.example>\r\n")
        driver.run(driver.session.lifetimeReached())
        #expect(driver.transcript.suffix(2) == [
            .reply(SMTPReply(421, "4.4.2", "Session time limit reached, closing connection")), .close,
        ])
        #expect(driver.session.isClosed)
        #expect(driver.session.lifetimeReached().isEmpty)
        #expect(driver.session.receive(Array("NOOP\r\n".utf8)).isEmpty)
    }

    @Test func theSessionLifetimeWaitsForALookupOrDeliveryInFlight() {
        let timeLimit = SMTPReply(421, "4.4.2", "Session time limit reached, closing connection")
        var session = SMTPSession(configuration: SMTPConfiguration(hostname: "mx"))
        _ = session.receive(Array("EHLO x\r\nMAIL FROM:<a@b.example>\r\n".utf8))
        #expect(session.receive(Array("RCPT TO:<agent-7@purser.test>\r\nNOOP\r\n".utf8)).count == 1)
        #expect(session.lifetimeReached().isEmpty, "the lookup's answer comes first")
        #expect(!session.isClosed)
        #expect(session.recipientChecked(.accepted) == [.reply(SMTPReply(250, "2.1.5", "Recipient OK")), .reply(timeLimit), .close])
        #expect(session.isClosed)

        var delivering = SMTPSession(configuration: SMTPConfiguration(hostname: "mx"))
        _ = delivering.receive(Array("EHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<agent-7@purser.test>\r\n".utf8))
        _ = delivering.recipientChecked(.accepted)
        let data = delivering.receive(Array("DATA\r\nSubject: s\r\n\r\nbody\r\n.\r\nQUIT\r\n".utf8))
        #expect(data.count == 2)
        #expect(delivering.lifetimeReached().isEmpty, "a message being stored gets its answer")
        #expect(delivering.deliveryFinished(.stored(reference: "m-1")) == [
            .reply(SMTPReply(250, "2.0.0", "Message accepted as m-1")), .reply(timeLimit), .close,
        ])
    }

    @Test func floodOfPipelinedInputDuringALookupCloses() {
        var session = SMTPSession(configuration: SMTPConfiguration(hostname: "mx", maxPendingInput: 1024))
        _ = session.receive(Array("EHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<a@b.example>\r\n".utf8))
        #expect(session.receive(Array(repeating: UInt8(ascii: "A"), count: 1000)).isEmpty)
        #expect(session.receive(Array(repeating: UInt8(ascii: "A"), count: 100)) == [.reply(SMTPReply(421, "4.7.0", "Too much pipelined input, closing connection")), .close])
        #expect(session.recipientChecked(.accepted).isEmpty)
    }

    /// A dialogue that exercises every path that keeps state across reads.
    static let dialogue: [UInt8] = Array(
        ("EHLO client.example\r\nMAIL FROM:<a@b.example> SIZE=30\r\nRCPT TO:<agent-7@purser.test>\r\n"
            + "RCPT TO:<nobody@purser.test>\r\nDATA\r\nSubject: x\r\n\r\n..stuffed\r\n.\r\n.x\r\nbody\r\n.\r\n"
            + "NOOP " + String(repeating: "z", count: 1200) + "\r\n"
            + "MAIL FROM:<a@b.example>\r\nRCPT TO:<agent-7@purser.test>\r\nDATA\r\n"
            + String(repeating: "y", count: 300) + "\r\n.\r\n"
            + "MAIL FROM:<a@b.example>\nRCPT TO:<agent-7@purser.test>\nDATA\nbad\nline\r\n.\r\nVRFY x\r\nQUIT\r\n").utf8)

    @Test func inputSplitAtEveryByteBoundaryGivesIdenticalActions() {
        let configuration = SMTPConfiguration(hostname: "mx", maxMessageSize: 200)
        var whole = SMTPDriver(configuration: configuration)
        whole.feed(Self.dialogue)
        #expect(whole.codes.contains("552 5.3.4"))
        #expect(whole.codes.contains("554 5.6.0"))
        #expect(whole.deliveries.count == 1)
        for split in 1..<Self.dialogue.count {
            var driver = SMTPDriver(configuration: configuration)
            driver.feed(Array(Self.dialogue[..<split]))
            driver.feed(Array(Self.dialogue[split...]))
            #expect(driver.transcript == whole.transcript, "split at \(split)")
        }
        var byteByByte = SMTPDriver(configuration: configuration)
        for byte in Self.dialogue { byteByByte.feed([byte]) }
        #expect(byteByByte.transcript == whole.transcript)
    }
}
