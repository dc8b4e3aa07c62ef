import PurserTestSupport
import Testing
@testable import PurserEmail

@Suite struct FuzzTests {
    /// Fragments that steer random input into the interesting states.
    static let fragments: [[UInt8]] = [
        "EHLO x\r\n", "HELO y\r\n", "MAIL FROM:<a@b.c>\r\n", "MAIL FROM:<> SIZE=99999999999\r\n", "RCPT TO:<agent-7@purser.test>\r\n",
        "RCPT TO:<x@y.z>\r\n", "DATA\r\n", "\r\n.\r\n", ".\r\n", "..", "\r\n", "\n", "\r", "STARTTLS\r\n", "RSET\r\n",
        "QUIT\r\n", "=?UTF-8?B?", "?=", "=?ISO-8859-1?Q?=E9", "Content-Type: multipart/mixed; boundary=b\r\n", "--b\r\n", "--b--",
        "Content-Transfer-Encoding: base64\r\n", "Content-Transfer-Encoding: quoted-printable\r\n", "=\r\n", "=F", ":",
        "\t", "Subject: ", "<", ">", "@", "\"",
    ].map { Array($0.utf8) }

    static func randomInput(_ generator: inout SeededGenerator) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 1...40, using: &generator) {
            if Bool.random(using: &generator) {
                bytes += fragments.randomElement(using: &generator) ?? []
            } else {
                for _ in 0..<Int.random(in: 1...30, using: &generator) { bytes.append(UInt8.random(in: 0...255, using: &generator)) }
            }
        }
        return bytes
    }

    @Test func randomInputNeverTrapsTheSessionAndKeepsItsInvariants() {
        var generator = SeededGenerator(seed: 0x5EED_0001)
        let configuration = SMTPConfiguration(hostname: "mx", maxMessageSize: 512, maxRecipients: 3, maxErrors: 50, startTLSAvailable: true)
        let verdicts: [SMTPSession.RecipientVerdict] = [.accepted, .unknown, .disabled, .temporarilyUnavailable, .lookupFailed]
        for _ in 0..<3000 {
            var session = SMTPSession(configuration: configuration)
            var queue = [session.start()]
            let input = Self.randomInput(&generator)
            var offset = 0
            var closed = false
            while offset < input.count || !queue.isEmpty {
                if queue.isEmpty {
                    let length = Int.random(in: 1...64, using: &generator)
                    let end = min(input.count, offset + length)
                    queue.append(session.receive(input[offset..<end]))
                    offset = end
                    continue
                }
                for action in queue.removeFirst() {
                    #expect(!closed, "action after close")
                    switch action {
                    case .close:
                        closed = true
                    case .checkRecipient:
                        queue.append(session.recipientChecked(verdicts.randomElement(using: &generator) ?? .accepted))
                    case .deliver(let envelope, let message):
                        #expect(message.count <= 512)
                        #expect(!envelope.recipients.isEmpty && envelope.recipients.count <= 3)
                        queue.append(session.deliveryFinished(Bool.random(using: &generator) ? .stored(reference: "r") : .failed))
                    case .reply(let reply):
                        #expect((200..<600).contains(reply.code))
                    case .startTLS:
                        break
                    }
                }
            }
            #expect(closed == session.isClosed)
        }
    }

    @Test func randomBytesNeverTrapTheMessageParser() {
        var generator = SeededGenerator(seed: 0x5EED_0002)
        for _ in 0..<5000 {
            let raw = Self.randomInput(&generator)
            let message = MailMessage(parsing: raw)
            #expect(message.size == raw.count)
        }
    }

    @Test func randomHeaderValuesNeverTrapTheEncodedWordDecoder() {
        var generator = SeededGenerator(seed: 0x5EED_0003)
        for _ in 0..<5000 {
            let value = String(decoding: Self.randomInput(&generator), as: UTF8.self)
            let decoded = EncodedWords.decode(value)
            if !value.contains("=?") { #expect(decoded == value) }
            if let contentType = MIMEContentType(value) { #expect(!contentType.type.isEmpty) }
        }
    }
}
